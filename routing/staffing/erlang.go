// Package staffing answers how many agents a target service level needs: Erlang C (callers
// wait forever) and Erlang A (callers abandon with exponential patience, Garnett, Mandelbaum &
// Reiman 2002). Erlang C ignores abandonment and so overstaffs; both are shown.
package staffing

import (
	"errors"
	"fmt"
	"math"
)

// Load is an offered load: arrival rate and mean handle time.
type Load struct {
	CallsPerHour float64
	AHT          float64 // seconds, mean handle time (talk + hold + after-call work)
}

// Erlangs is the offered load a = λ·AHT.
func (l Load) Erlangs() float64 { return l.CallsPerHour / 3600 * l.AHT }

func (l Load) check() error {
	if l.CallsPerHour <= 0 || l.AHT <= 0 || math.IsNaN(l.CallsPerHour+l.AHT) || math.IsInf(l.CallsPerHour+l.AHT, 0) {
		return fmt.Errorf("calls per hour and AHT must be positive, got %v and %v", l.CallsPerHour, l.AHT)
	}
	return nil
}

// Result is the predicted performance of N agents.
type Result struct {
	Agents    int
	PWait     float64 // probability a caller waits at all
	SL        float64 // share of callers answered within the threshold (Erlang A: of all callers)
	ASA       float64 // seconds, mean wait (Erlang C: all callers; Erlang A: all callers, served or not)
	PAbandon  float64 // Erlang A only
	Occupancy float64 // carried load / agents
}

// ErlangB is the blocking probability of N servers offered a Erlangs, by the stable recursion
// B(n) = a·B(n−1) / (n + a·B(n−1)).
func ErlangB(a float64, n int) float64 {
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC is the probability of waiting with N agents offered a Erlangs (1 when N <= a: the
// queue grows without bound).
func ErlangC(a float64, n int) float64 {
	if float64(n) <= a {
		return 1
	}
	b := ErlangB(a, n)
	return float64(n) * b / (float64(n) - a*(1-b))
}

// C predicts N agents under Erlang C with answer-time threshold t seconds.
func C(l Load, n int, t float64) (Result, error) {
	if err := l.check(); err != nil {
		return Result{}, err
	}
	a := l.Erlangs()
	r := Result{Agents: n, PWait: ErlangC(a, n), Occupancy: math.Min(1, a/float64(n))}
	if float64(n) <= a {
		r.ASA = math.Inf(1)
		return r, nil
	}
	r.SL = 1 - r.PWait*math.Exp(-(float64(n)-a)*t/l.AHT)
	r.ASA = r.PWait * l.AHT / (float64(n) - a)
	return r, nil
}

// A predicts N agents under Erlang A: callers abandon after an exponential patience of mean
// patience seconds. The state is the number of callers in the system, a birth–death chain with
// birth λ and death min(n,N)·μ + max(n−N,0)·θ.
func A(l Load, n int, t, patience float64) (Result, error) {
	if err := l.check(); err != nil {
		return Result{}, err
	}
	if patience <= 0 || n < 1 {
		return Result{}, errors.New("patience and agents must be positive")
	}
	lam, mu, th := l.CallsPerHour/3600, 1/l.AHT, 1/patience
	// Unnormalised stationary probabilities in log space, truncated where they vanish.
	logp := []float64{0}
	maxLog := 0.0
	for k := 1; k < 100000; k++ {
		death := float64(min(k, n))*mu + float64(max(k-n, 0))*th
		v := logp[k-1] + math.Log(lam) - math.Log(death)
		logp = append(logp, v)
		maxLog = math.Max(maxLog, v)
		if k > n && v < maxLog-40 {
			break
		}
	}
	p := make([]float64, len(logp))
	sum := 0.0
	for i, v := range logp {
		p[i] = math.Exp(v - maxLog)
		sum += p[i]
	}
	eq, pw := 0.0, 0.0
	for i := range p {
		p[i] /= sum
		if i >= n {
			pw += p[i]
			eq += float64(i-n) * p[i]
		}
	}
	r := Result{Agents: n, PWait: pw, ASA: eq / lam, PAbandon: th * eq / lam}
	r.Occupancy = lam * (1 - r.PAbandon) / mu / float64(n)
	r.SL = (1 - pw) + servedWithin(p, n, mu, th, t)
	return r, nil
}

// servedWithin is P(a caller who finds all agents busy is answered within t), by uniformisation
// of the tagged caller's position: with m callers ahead, someone ahead leaves at N·μ + m·θ, the
// caller abandons at θ, and from m = 0 the next service completion answers them.
func servedWithin(p []float64, n int, mu, th, t float64) float64 {
	K := len(p) - n
	if K <= 0 || t <= 0 {
		return 0
	}
	v := make([]float64, K) // probability of being at position m (callers ahead)
	for m := 0; m < K; m++ {
		v[m] = p[n+m] // PASTA: arrivals see the stationary distribution
	}
	nm := float64(n) * mu
	rate := nm + float64(K)*th + th
	steps := rate * t
	served := 0.0
	next := make([]float64, K)
	// Poisson(steps) weights; jumps with prob q per uniformised step.
	w := math.Exp(-steps)
	cum := 0.0
	servedAt := 0.0
	for j := 0; ; j++ {
		if j > 0 {
			w *= steps / float64(j)
		}
		cum += w * servedAt
		if float64(j) > steps && (1-poissonCDFApprox(j, steps)) < 1e-10 {
			break
		}
		if j > 100000 {
			break
		}
		// one uniformised step
		for m := range next {
			next[m] = 0
		}
		for m := 0; m < K; m++ {
			if v[m] == 0 {
				continue
			}
			forward := nm + float64(m)*th
			stay := 1 - (forward+th)/rate
			next[m] += v[m] * stay
			if m == 0 {
				servedAt += v[m] * forward / rate
			} else {
				next[m-1] += v[m] * forward / rate
			}
		}
		v, next = next, v
	}
	served = cum
	return served
}

// poissonCDFApprox is a normal approximation used only to decide when the tail is negligible.
func poissonCDFApprox(j int, lam float64) float64 {
	z := (float64(j) + 0.5 - lam) / math.Sqrt(lam)
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// AgentsFor is the smallest N whose service level within t reaches target, by Erlang C, or by
// Erlang A when patience > 0.
func AgentsFor(l Load, target, t, patience float64) (Result, error) {
	if err := l.check(); err != nil {
		return Result{}, err
	}
	if target <= 0 || target >= 1 {
		return Result{}, fmt.Errorf("target service level %v is outside (0, 1)", target)
	}
	start := 1
	if patience <= 0 {
		start = int(math.Floor(l.Erlangs())) + 1
	}
	for n := start; n < start+100000; n++ {
		var r Result
		var err error
		if patience > 0 {
			r, err = A(l, n, t, patience)
		} else {
			r, err = C(l, n, t)
		}
		if err != nil {
			return Result{}, err
		}
		if r.SL >= target {
			return r, nil
		}
	}
	return Result{}, errors.New("no staffing reaches the target")
}
