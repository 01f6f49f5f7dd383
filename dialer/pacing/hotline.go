package pacing

import (
	"fmt"
	"math"
	"time"
)

// HotlineConfig tunes hotline's model-based predictive pacer.
type HotlineConfig struct {
	// Target is the abandonment limit, a fraction of person-answered calls (default 0.03).
	Target float64
	// Margin is the largest share of Target the long-window rate is steered to (default 0.975);
	// the set point sits lower by Spread standard deviations of the drops the controller can no
	// longer make up for (those of about the last short window), so it nears Margin × Target as
	// the long window fills and stays lower for a small team whose few drops swing the rate.
	// The noise term covers a small team; a large one's comes from the last hours' bursts the
	// term underrates, which the fixed margin covers: at 1.0 a 100-agent shift ended at 3.00%
	// (50% contact, 90 s talk, bench dialer -seeds 8 -margin 1), at 0.975 the worst of 8 seeds
	// of the 20- and 100-agent workloads was 2.93%; 0.95 ran 0.1–0.2 points lower for at most
	// 0.1 talk minutes an agent-hour less.
	Margin float64
	// Spread is that noise margin in standard deviations (default 2.5). Less is not worth it:
	// at 2.0 a 5-agent team's worst of 8 seeds ran 3.13% (5 agents, 50% contact, 300 s talk;
	// bench dialer -seeds 8 -spread 2), and the headroom buys little talk (20 agents, 50%
	// contact, 90 s talk: 44.73 talk min/agent-hour at 2.55% abandonment, 44.80 at 2.94% with
	// no margin at all).
	Spread float64
	// BurstFactor × Target is what the short window may reach before it, not the long one,
	// holds the pacer back (default 1.5): a guard against a bad stretch, not the limit itself.
	BurstFactor float64
	// Grace is how long a person may wait for an agent before the call counts as dropped (2 s).
	Grace time.Duration
	// LongWindow and ShortWindow are the rolling windows the feedback term measures: the
	// regulator's (24 h), steered to the set point, and a short one (1 h) that catches a bad
	// stretch early.
	LongWindow, ShortWindow time.Duration
	// AdjustEvery is how often the feedback term moves (default 30 s).
	AdjustEvery time.Duration
	// Gain is how hard the feedback term moves the risk threshold per adjustment (default 0.01).
	// The model's threshold already lands near the abandonment it yields, so the feedback only
	// trims it: a threshold that swings with each drop dials in bursts and loses talk time at
	// the same abandonment.
	Gain float64
	// Points is how many quantiles of the ring time the risk is averaged over (default 5).
	Points int
}

// Validate reports the first setting out of range.
func (c HotlineConfig) Validate() error {
	switch {
	case c.Target <= 0 || c.Target >= 0.5:
		return fmt.Errorf("hotline pacing target: %v is not a fraction in (0, 0.5)", c.Target)
	case c.Margin <= 0 || c.Margin > 1:
		return fmt.Errorf("hotline pacing margin: %v is not in (0, 1]", c.Margin)
	case c.Spread < 0:
		return fmt.Errorf("hotline pacing spread: %v is negative", c.Spread)
	case c.BurstFactor < 1:
		return fmt.Errorf("hotline pacing burst factor: %v is below 1", c.BurstFactor)
	case c.Grace <= 0:
		return fmt.Errorf("hotline pacing grace: %v is not positive", c.Grace)
	case c.Points < 1 || c.Points > 20:
		return fmt.Errorf("hotline pacing points: %d is outside 1..20", c.Points)
	}
	return nil
}

func (c *HotlineConfig) defaults() {
	if c.Target == 0 {
		c.Target = 0.03
	}
	if c.Margin == 0 {
		c.Margin = 0.975
	}
	if c.Spread == 0 {
		c.Spread = 2.5
	}
	if c.BurstFactor == 0 {
		c.BurstFactor = 1.5
	}
	if c.Grace == 0 {
		c.Grace = 2 * time.Second
	}
	if c.LongWindow == 0 {
		c.LongWindow = 24 * time.Hour
	}
	if c.ShortWindow == 0 {
		c.ShortWindow = time.Hour
	}
	if c.AdjustEvery == 0 {
		c.AdjustEvery = 30 * time.Second
	}
	if c.Gain == 0 {
		c.Gain = 0.01
	}
	if c.Points == 0 {
		c.Points = 5
	}
}

// Hotline is the model-based predictive pacer. For every candidate extra line it estimates the
// probability that, if a person answers it, no agent is free within the grace period, from
//   - P(a person answers) and the ring-time distribution of person-answered calls,
//   - for each line already ringing, the chance it is answered by a person before the new one,
//   - for each agent talking, the chance its remaining talk plus a wrap-up ends in time,
//     conditioned on how long the call has already lasted; for each agent wrapping up, the chance
//     the wrap-up ends in time, conditioned on how long it has lasted (the talk is over: such an
//     agent is nearly free, which the sum talk + wrap-up cannot tell),
//
// and places lines while that risk stays under a threshold. A slow feedback term moves the
// threshold so the measured rolling abandonment sits at the set point (see setPoint), and a
// budget factor spends the drops the long window has in hand (or makes up an excess) over the
// next two hours' answers, so a lucky or unlucky stretch moves the threshold smoothly instead
// of by jolts.
type Hotline struct {
	cfg HotlineConfig

	ringHuman *empirical // dial → person answered, s
	endOther  *empirical // dial → end of attempts no person answered, s
	talk      *empirical // connected → conversation over, s
	wrap      *empirical // after-call work, s
	outcomes  []bool     // last attempts: person answered?
	outIdx    int
	humans    int

	theta      float64 // risk threshold for the marginal line, as the slow feedback sets it
	budget     float64 // factor on theta that spends the long window's drop budget (see adjust)
	answers    []answerMark
	nextAdjust time.Time

	// Look-up tables rebuilt when the samples behind them change.
	taus       []float64
	humanF     []float64 // F_H(τ_k)
	tabGen     [4]int    // generations of ringHuman, endOther, talk, wrap the tables were built from
	pending    []pendingOutcome
	handleSeen int
	dist       []riskDist
	talkTab    [][]float64 // [elapsed s][k] P(agent free by τ_k+grace | talking for elapsed)
	wrapTab    [][]float64 // [elapsed s][k] P(agent free by τ_k+grace | wrapping up for elapsed)
	ringA      [][]float64 // [elapsed/ringStep][k] F_H(r+τ_k) − F_H(r)
	ringAliveH []float64   // [elapsed/ringStep] 1 − F_H(r)
	ringAliveO []float64   // [elapsed/ringStep] 1 − F_O(r)

	// freeIn, set only for the oracle, tells how long each busy agent has left (see NewOracle).
	freeIn func(now time.Time, out []time.Duration) []time.Duration
	free   []time.Duration
}

type pendingOutcome struct {
	dialed time.Time
	human  bool
}

// cohortDelay is how long after dialling an attempt's outcome joins the P(answer) estimate:
// longer than any ring timeout, so every attempt of that moment has resolved.
const cohortDelay = 60 * time.Second

func (h *Hotline) releaseOutcomes(now time.Time) {
	i := 0
	for i < len(h.pending) && now.Sub(h.pending[i].dialed) >= cohortDelay {
		h.pushOutcome(h.pending[i].human)
		i++
	}
	h.pending = append(h.pending[:0], h.pending[i:]...)
}

type answerMark struct {
	at      time.Time
	dropped bool
}

const (
	ringStep      = 250 * time.Millisecond
	maxRingTrack  = 120 * time.Second
	maxHandleSecs = 4 * 3600
	wrapPoints    = 5 // wrap-up quantiles a talking agent's end is averaged over
	outcomeWindow = 2000
)

// NewHotline returns the predictive pacer; zero settings take the defaults.
func NewHotline(cfg HotlineConfig) (*Hotline, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Hotline{
		cfg: cfg,
		// Priors are deliberately pessimistic (quick answers, long calls), so a cold start
		// under-dials rather than drops; they wash out after a few dozen real samples.
		ringHuman: newEmpirical(1000, 50, 2, 4, 6, 8, 10, 13, 16, 20, 25, 30),
		endOther:  newEmpirical(2000, 100, 2, 20, 25, 30),
		talk:      newEmpirical(1000, 50, 120, 240, 360, 480),
		wrap:      newEmpirical(1000, 50, 30, 60, 90, 120),
		outcomes:  make([]bool, 0, outcomeWindow),
		theta:     cfg.Target,
		budget:    1,
	}
	// A wrap-up prior left in would have an agent 28 s into a 30 s wrap-up go on for a minute:
	// it leaves once 30 real wrap-ups are known. The other priors stay until the window fills,
	// since the first calls to end are the short ones and would understate the rest.
	h.wrap.priorLife = 30
	// Prior for P(answer): 20 pretend attempts of which half reached a person.
	for i := 0; i < 20; i++ {
		h.pushOutcome(i%2 == 0)
	}
	return h, nil
}

func (h *Hotline) Name() string {
	if h.freeIn != nil {
		return "oracle"
	}
	return "hotline"
}

// NewOracle returns hotline's pacer told, instead of estimating it, exactly when every agent in
// a call or in after-call work will be free: freeIn appends to out the time each such agent has
// left. Only a simulator knows that, so the oracle is a reference for how much better
// prediction could do, not a product; it still learns answer rates and ring times, and keeps
// the same abandonment feedback.
func NewOracle(cfg HotlineConfig, freeIn func(now time.Time, out []time.Duration) []time.Duration) (*Hotline, error) {
	h, err := NewHotline(cfg)
	if err != nil {
		return nil, err
	}
	h.freeIn = freeIn
	return h, nil
}

// Threshold is the current risk threshold for the marginal line (for reports and tests).
func (h *Hotline) Threshold() float64 { return h.threshold() }

// threshold is the feedback's threshold scaled to spend the drop budget, within
// [Target/10, 5 × Target].
func (h *Hotline) threshold() float64 {
	return clamp(h.theta*h.budget, h.cfg.Target/10, 5*h.cfg.Target)
}

func (h *Hotline) pushOutcome(human bool) {
	if len(h.outcomes) < outcomeWindow {
		h.outcomes = append(h.outcomes, human)
	} else {
		if h.outcomes[h.outIdx] {
			h.humans--
		}
		h.outcomes[h.outIdx] = human
		h.outIdx = (h.outIdx + 1) % outcomeWindow
	}
	if human {
		h.humans++
	}
}

func (h *Hotline) pAnswer() float64 { return float64(h.humans) / float64(len(h.outcomes)) }

func (h *Hotline) ObserveAttempt(a Attempt) {
	// P(answer) only learns from attempts whose dial cohort has fully resolved: busy and failed
	// numbers resolve in seconds and persons later, so counting outcomes as they arrive would
	// understate P(answer) whenever many lines have just been dialled (and over-dial).
	h.pending = append(h.pending, pendingOutcome{dialed: a.At.Add(-a.Ring), human: a.Human})
	if a.Human {
		h.ringHuman.add(a.Ring)
		h.answers = append(h.answers, answerMark{a.At, a.Dropped})
	} else {
		h.endOther.add(a.Ring)
	}
}

// ObserveHandle implements Pacer; the phases apart (ObservePhases) are what the model uses.
func (h *Hotline) ObserveHandle(time.Duration) {}

// ObservePhases implements PhaseObserver.
func (h *Hotline) ObservePhases(talk, wrap time.Duration) {
	if h.freeIn != nil {
		return // the oracle knows when agents are free: no talk or wrap-up tables to rebuild
	}
	h.talk.add(talk)
	h.wrap.add(wrap)
	h.handleSeen++
}

func (h *Hotline) Dial(s *Snapshot) int {
	if h.nextAdjust.IsZero() {
		h.nextAdjust = s.Now.Add(h.cfg.AdjustEvery)
	}
	for !s.Now.Before(h.nextAdjust) {
		h.adjust(h.nextAdjust)
		h.nextAdjust = h.nextAdjust.Add(h.cfg.AdjustEvery)
	}
	h.releaseOutcomes(s.Now)
	if s.LinesFree <= 0 {
		return 0
	}
	h.tables()
	K := len(h.taus) - 1
	p := h.pAnswer()

	// Until enough real handle times are known, busy agents count only in part. At a cold start
	// the first calls to end are the short ones (every agent connected at once), so a small
	// sample overstates how soon the others finish; two calls per agent wash that bias out.
	trust := min(1, float64(h.handleSeen)/float64(max(30, 2*s.LoggedIn)))
	// Per quantile k: Y_k = persons answering before τ_k on lines already ringing − busy agents
	// free by τ_k + grace; a new line is dropped when Waiting + Y_k + (other new lines answered
	// first) ≥ Ready.
	if cap(h.dist) < K+1 {
		h.dist = make([]riskDist, K+1)
	}
	h.dist = h.dist[:K+1]
	terms := len(s.Busy) + len(s.Wrapping) + len(s.Ringing)
	for k := range K + 1 {
		h.dist[k].reset(terms <= maxExactTerms)
	}
	if h.freeIn != nil {
		// The oracle: each busy agent is free by τ_k + grace or not, for certain.
		h.free = h.freeIn(s.Now, h.free[:0])
		grace := h.cfg.Grace.Seconds()
		for _, f := range h.free {
			for k := range K + 1 {
				if f.Seconds() <= h.taus[k]+grace {
					h.dist[k].add(-1, 1)
				}
			}
		}
	} else {
		for _, e := range s.Busy {
			i := min(int(e/time.Second), len(h.talkTab)-1)
			for k, pk := range h.talkTab[i] {
				h.dist[k].add(-1, pk*trust)
			}
		}
		for _, e := range s.Wrapping {
			i := min(int(e/time.Second), len(h.wrapTab)-1)
			for k, pk := range h.wrapTab[i] {
				h.dist[k].add(-1, pk*trust)
			}
		}
	}
	for _, r := range s.Ringing {
		i := min(int(r/ringStep), len(h.ringA)-1)
		alive := p*h.ringAliveH[i] + (1-p)*h.ringAliveO[i]
		if alive <= 1e-9 {
			continue
		}
		for k, a := range h.ringA[i] {
			h.dist[k].add(+1, p*a/alive)
		}
	}
	threshold := float64(s.Ready - s.Waiting)
	n := 0
	for n < s.LinesFree {
		// Risk for line n+1: the other n new lines answered by a person before it compete too.
		var risk float64
		for k := range K {
			risk += h.dist[k].pAtLeast(threshold, n, p*h.humanF[k])
		}
		risk /= float64(K)
		// A new line also takes agents from lines already ringing that are answered after it:
		// at the horizon, one more person answering adds a drop whenever answers reach the
		// agents free by then.
		risk = max(risk, h.dist[K].pAtLeast(threshold, n, p*h.humanF[K]))
		if risk > h.threshold() {
			break
		}
		n++
	}
	if debugHotline && n > 0 {
		println(s.Now.Format("15:04:05.000"), "ready", s.Ready, "wait", s.Waiting, "ring", len(s.Ringing), "busy", len(s.Busy), "n", n, "p", p, "theta", h.theta)
	}
	return n
}

var debugHotline = false

// maxExactTerms is the most Bernoulli terms the exact distribution is computed for; beyond it
// the normal approximation is close enough and much cheaper.
const maxExactTerms = 40

// riskDist is the distribution of a sum of ±Bernoulli terms: exact (by convolution) for a few
// terms, where the normal approximation misjudges small teams badly, else mean and variance.
type riskDist struct {
	exact    bool
	mean, v  float64
	shift    int       // deterministic part (terms with p ≈ 1)
	pmf      []float64 // pmf[i] = P(Y = i − off)
	off      int
	tail     []float64 // tail[i] = P(Y ≥ i − off)
	tailDone bool
}

func (d *riskDist) reset(exact bool) {
	d.exact, d.mean, d.v, d.shift, d.off, d.tailDone = exact, 0, 0, 0, 0, false
	d.pmf = append(d.pmf[:0], 1)
}

func (d *riskDist) add(sign int, p float64) {
	if p <= 1e-6 {
		return
	}
	if p >= 1-1e-6 {
		d.shift += sign
		return
	}
	d.mean += float64(sign) * p
	d.v += p * (1 - p)
	if !d.exact {
		return
	}
	n := len(d.pmf)
	d.pmf = append(d.pmf, 0)
	if sign > 0 {
		for i := n; i >= 1; i-- {
			d.pmf[i] = d.pmf[i]*(1-p) + d.pmf[i-1]*p
		}
		d.pmf[0] *= 1 - p
		return
	}
	// A −1 term extends the range downwards: shift the array up by one first.
	copy(d.pmf[1:], d.pmf[:n])
	d.pmf[0] = 0
	d.off++
	for i := 0; i < n; i++ {
		d.pmf[i] = d.pmf[i]*(1-p) + d.pmf[i+1]*p
	}
	d.pmf[n] *= 1 - p
}

// pAtLeast is P(Y + B ≥ t) with B ~ Binomial(n, g) independent of Y.
func (d *riskDist) pAtLeast(t float64, n int, g float64) float64 {
	if !d.exact {
		mu := d.mean + float64(d.shift) + float64(n)*g - t
		return pAtLeastZero(mu, d.v+float64(n)*g*(1-g))
	}
	if !d.tailDone {
		d.tail = append(d.tail[:0], make([]float64, len(d.pmf)+1)...)
		for i := len(d.pmf) - 1; i >= 0; i-- {
			d.tail[i] = d.tail[i+1] + d.pmf[i]
		}
		d.tailDone = true
	}
	tailAt := func(y int) float64 { // P(Y ≥ y)
		i := y - d.shift + d.off
		switch {
		case i <= 0:
			return 1
		case i >= len(d.pmf):
			return 0
		}
		return d.tail[i]
	}
	ti := int(math.Ceil(t - 1e-9))
	if n == 0 || g <= 0 {
		return tailAt(ti)
	}
	var risk float64
	pb := math.Pow(1-g, float64(n)) // P(B = 0)
	for b := 0; b <= n; b++ {
		risk += pb * tailAt(ti-b)
		if b < n {
			pb *= float64(n-b) / float64(b+1) * g / (1 - g)
		}
	}
	return math.Min(risk, 1)
}

// pAtLeastZero is P(X ≥ 0) for an integer-valued X with mean mu and variance v, by the normal
// approximation with continuity correction.
func pAtLeastZero(mu, v float64) float64 {
	if v < 1e-9 {
		if mu > -0.5 {
			return 1
		}
		return 0
	}
	z := (-0.5 - mu) / math.Sqrt(v)
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// adjust moves the risk threshold towards the abandonment set point: the long window is steered
// to setPoint, the short one may reach BurstFactor × Target; the worse of the two errors wins. The
// threshold stays within [Target/10, 5 × Target] so a long quiet stretch cannot wind it up into
// a burst of drops.
func (h *Hotline) adjust(now time.Time) {
	cut := 0
	for cut < len(h.answers) && now.Sub(h.answers[cut].at) > h.cfg.LongWindow {
		cut++
	}
	h.answers = h.answers[cut:]
	var longA, longD, shortA, shortD float64
	for _, a := range h.answers {
		longA++
		short := now.Sub(a.at) <= h.cfg.ShortWindow
		if short {
			shortA++
		}
		if a.dropped {
			longD++
			if short {
				shortD++
			}
		}
	}
	set := h.setPoint(longA, shortA)
	// Pseudo-counts at the set point keep a handful of early answers from swinging the rate.
	const priorLong, priorShort = 50, 30
	rLong := (longD + set*priorLong) / (longA + priorLong)
	rShort := (shortD + set*priorShort) / (shortA + priorShort)
	e := min(set-rLong, h.cfg.BurstFactor*h.cfg.Target-rShort)
	h.theta = clamp(h.theta*math.Exp(h.cfg.Gain*e/h.cfg.Target), h.cfg.Target/10, 5*h.cfg.Target)
	// The drops the long window holds above (or below) the set point are made up over the next
	// hours' answers: the threshold scales by the rate those answers may have for the window to
	// end at the set point, over the set point.
	expect := (shortA + priorShort) * float64(recoverOver) / float64(h.cfg.ShortWindow)
	h.budget = clamp(1+(set*longA-longD)/(expect*set), 0.3, 1.5)
}

// recoverOver is how long an excess (or a shortfall) of drops is made up over: long enough
// that one drop does not jolt the threshold, short enough to be made up within a shift.
const recoverOver = 2 * time.Hour

// setPoint is the long-window abandonment the controller steers to, given the answers in the
// long and the short window. Drops of about the last short window are not yet made up for, so
// the long-window rate can still move by about √(Target × shortA) drops over longA answers: the
// set point keeps Spread such deviations below Margin × Target, and never below half the target.
func (h *Hotline) setPoint(longA, shortA float64) float64 {
	top := h.cfg.Target * h.cfg.Margin
	if longA < 1 {
		return h.cfg.Target / 2
	}
	noise := h.cfg.Spread * math.Sqrt(h.cfg.Target*max(shortA, 1)) / longA
	return max(top-noise, h.cfg.Target/2)
}

// tables rebuilds the look-ups when the samples behind them have changed.
func (h *Hotline) tables() {
	gen := [4]int{h.ringHuman.gen, h.endOther.gen, h.talk.gen, h.wrap.gen}
	if gen == h.tabGen && h.taus != nil {
		return
	}
	K := h.cfg.Points
	ringChanged := h.taus == nil || gen[0] != h.tabGen[0] || gen[1] != h.tabGen[1]
	if ringChanged {
		// K quantiles of the ring time for the new line's own risk, plus the horizon (the 95th
		// percentile) where every line answered in time competes for the agents freed by then.
		h.taus = make([]float64, K+1)
		h.humanF = make([]float64, K+1)
		for k := range K + 1 {
			q := (float64(k) + 0.5) / float64(K)
			if k == K {
				q = 0.95
			}
			h.taus[k] = h.ringHuman.quantile(q)
			h.humanF[k] = h.ringHuman.cdf(h.taus[k])
		}
	}
	grace := h.cfg.Grace.Seconds()
	// Wrap-up quantiles: a talking agent is free once the talk and then a wrap-up are over.
	var wq [wrapPoints]float64
	for j := range wrapPoints {
		wq[j] = h.wrap.quantile((float64(j) + 0.5) / wrapPoints)
	}
	meanT := max(h.talk.mean(), 1)
	maxT := min(int(h.talk.quantile(1))+2, maxHandleSecs)
	h.talkTab = h.talkTab[:0]
	for e := 0; e <= maxT; e++ {
		row := make([]float64, K+1)
		fe := h.talk.cdf(float64(e))
		surv := 1 - fe
		for k := range K + 1 {
			var p float64
			for _, w := range wq {
				left := h.taus[k] + grace - w
				if left <= 0 {
					continue
				}
				if surv <= 1e-9 {
					// Longer than every call on record: assume a memoryless tail.
					p += 1 - math.Exp(-left/meanT)
					continue
				}
				p += (h.talk.cdf(float64(e)+left) - fe) / surv
			}
			row[k] = p / wrapPoints
		}
		h.talkTab = append(h.talkTab, row)
	}
	meanW := max(h.wrap.mean(), 1)
	maxW := min(int(h.wrap.quantile(1))+2, maxHandleSecs)
	h.wrapTab = h.wrapTab[:0]
	for e := 0; e <= maxW; e++ {
		row := make([]float64, K+1)
		fe := h.wrap.cdf(float64(e))
		surv := 1 - fe
		for k := range K + 1 {
			if surv <= 1e-9 {
				row[k] = 1 - math.Exp(-(h.taus[k]+grace)/meanW)
				continue
			}
			row[k] = (h.wrap.cdf(float64(e)+h.taus[k]+grace) - fe) / surv
		}
		h.wrapTab = append(h.wrapTab, row)
	}
	if ringChanged || h.ringA == nil {
		steps := int(maxRingTrack/ringStep) + 1
		h.ringA = h.ringA[:0]
		h.ringAliveH = h.ringAliveH[:0]
		h.ringAliveO = h.ringAliveO[:0]
		for i := range steps {
			r := (time.Duration(i) * ringStep).Seconds()
			fr := h.ringHuman.cdf(r)
			row := make([]float64, K+1)
			for k := range K + 1 {
				row[k] = h.ringHuman.cdf(r+h.taus[k]) - fr
			}
			h.ringA = append(h.ringA, row)
			h.ringAliveH = append(h.ringAliveH, 1-fr)
			h.ringAliveO = append(h.ringAliveO, 1-h.endOther.cdf(r))
		}
	}
	h.tabGen = gen
}
