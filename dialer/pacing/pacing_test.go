package pacing

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newVici(t *testing.T, m AdaptMethod) *VICIdial {
	t.Helper()
	v, err := NewVICIdial(VICIdialConfig{Method: m, ShiftStart: t0, ShiftEnd: t0.Add(8 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// drive feeds the pacer a constant state every 500 ms for d and returns the calls it placed.
func drive(p Pacer, s Snapshot, from time.Time, d time.Duration) (placed int) {
	for at := from; at.Before(from.Add(d)); at = at.Add(500 * time.Millisecond) {
		s.Now = at
		placed += p.Dial(&s)
	}
	return placed
}

func TestVICIdialLevelRisesWithIdleAgents(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	// 10 agents, 5 of them always ready, nobody waiting: D/total = 0.5 per 15 s adjustment.
	drive(v, Snapshot{Ready: 5, InCall: 5, LoggedIn: 10, LinesFree: 100, Active: 5}, t0, 16*time.Second)
	if got := v.Level(); math.Abs(got-1.5) > 1e-9 {
		t.Errorf("level after one adjustment = %v, want 1.5 (1.0 × (1 + 5/10))", got)
	}
	drive(v, Snapshot{Ready: 5, InCall: 5, LoggedIn: 10, LinesFree: 100, Active: 5}, t0.Add(16*time.Second), 5*time.Minute)
	if got := v.Level(); got != 3.0 {
		t.Errorf("level = %v, want the 3.0 maximum", got)
	}
}

func TestVICIdialLevelFallsWhenCallsWait(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	v.level = 2.5
	drive(v, Snapshot{Ready: 0, Waiting: 3, InCall: 10, LoggedIn: 10, LinesFree: 100, Active: 13}, t0, 16*time.Second)
	if got := v.Level(); math.Abs(got-2.5*(1-0.3)) > 1e-9 {
		t.Errorf("level = %v, want %v", got, 2.5*0.7)
	}
}

func TestVICIdialPlacesGoalMinusActive(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	v.level = 2.0
	s := Snapshot{Now: t0, Ready: 3, InCall: 7, LoggedIn: 10, Active: 7 + 4, LinesFree: 100}
	// goal = round(2.0 × (3 + 7)) = 20; 11 calls exist (7 with agents, 4 ringing): place 9.
	if got := v.Dial(&s); got != 9 {
		t.Errorf("placed %d, want 9", got)
	}
	// Between 2.5 s beats it places nothing.
	s.Now = t0.Add(time.Second)
	if got := v.Dial(&s); got != 0 {
		t.Errorf("placed %d between beats, want 0", got)
	}
	s.Now, s.LinesFree = t0.Add(2500*time.Millisecond), 4
	if got := v.Dial(&s); got != 4 {
		t.Errorf("placed %d with 4 lines free, want 4 (trunk limit)", got)
	}
}

func TestVICIdialSafetyCuts(t *testing.T) {
	overTarget := func(v *VICIdial) {
		// 60 calls today, 40 answered, 4 dropped (10% > 3%), spread over the last hour.
		for i := range 60 {
			v.ObserveAttempt(Attempt{At: t0.Add(-time.Hour + time.Duration(i)*time.Minute), Human: i < 40, Dropped: i < 4})
		}
	}
	tests := []struct {
		method AdaptMethod
		at     time.Time
		want   func(before float64) float64
	}{
		{AdaptHardLimit, t0.Add(time.Hour), func(float64) float64 { return 1 }},
		{AdaptAverage, t0.Add(time.Hour), func(b float64) float64 { return b / 2 }},
		{AdaptTapered, t0.Add(7 * time.Hour), func(b float64) float64 { return 1 + (b-1)*(1.0/8) }},
	}
	for _, tc := range tests {
		t.Run(string(tc.method), func(t *testing.T) {
			v := newVici(t, tc.method)
			v.started = true
			v.rollDay(tc.at)
			overTarget(v)
			v.level = 2.8
			// A balanced floor (ready = waiting) leaves the level unchanged before the cut.
			v.readyS, v.waitingS, v.totalS = []float64{1}, []float64{1}, []float64{10}
			v.adjust(tc.at)
			if got, want := v.Level(), tc.want(2.8); math.Abs(got-want) > 1e-9 {
				t.Errorf("level = %v, want %v", got, want)
			}
		})
	}
}

func TestVICIdialMinuteCut(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	v.started = true
	v.rollDay(t0)
	v.level = 2.0
	for i := range 30 {
		v.ObserveAttempt(Attempt{At: t0.Add(-time.Duration(i) * time.Second), Human: true, Dropped: i < 20})
	}
	v.readyS, v.waitingS, v.totalS = []float64{1}, []float64{1}, []float64{10}
	v.callsToday = 0 // isolate the one-minute cut from the daily one
	v.adjust(t0)
	if got := v.Level(); got != 1.0 {
		t.Errorf("level = %v, want 1.0 (2.0 halved)", got)
	}
}

func TestHotlineDialsNothingWithoutAgentsInSight(t *testing.T) {
	h, err := NewHotline(HotlineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// Agents all just connected: nobody will be free within the next seconds.
	busy := make([]time.Duration, 10)
	s := Snapshot{Now: t0, Busy: busy, InCall: 10, LoggedIn: 10, LinesFree: 40}
	if got := h.Dial(&s); got != 0 {
		t.Errorf("dialled %d lines with every agent a second into a call", got)
	}
}

func TestHotlineOverdialsForLowAnswerRates(t *testing.T) {
	h, err := NewHotline(HotlineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// Teach it that one attempt in ten reaches a person, after about 8 s of ringing.
	for i := range 1000 {
		at := t0.Add(time.Duration(i) * time.Second)
		human := i%10 == 0
		h.ObserveAttempt(Attempt{At: at, Ring: 8 * time.Second, Human: human})
	}
	s := Snapshot{Now: t0.Add(2000 * time.Second), Ready: 10, LoggedIn: 10, LinesFree: 200}
	got := h.Dial(&s)
	if got <= 10 || got >= 100 {
		t.Errorf("dialled %d lines for 10 ready agents at a 10%% answer rate; want more than 10 and fewer than 100", got)
	}
	t.Logf("%d lines for 10 ready agents", got)
}

func TestHotlineThresholdFollowsMeasuredAbandonment(t *testing.T) {
	h, err := NewHotline(HotlineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := h.Threshold()
	h.Dial(&Snapshot{Now: t0, LoggedIn: 1})
	// A bad stretch: 10% of answers dropped.
	for i := range 300 {
		h.ObserveAttempt(Attempt{At: t0.Add(time.Duration(i) * time.Second), Human: true, Dropped: i%10 == 0})
	}
	s := Snapshot{Now: t0.Add(10 * time.Minute), LoggedIn: 1}
	h.Dial(&s)
	if h.Threshold() >= start {
		t.Errorf("threshold %v did not fall from %v after 10%% drops", h.Threshold(), start)
	}
	low := h.Threshold()
	// Then a long clean stretch.
	for i := range 5000 {
		h.ObserveAttempt(Attempt{At: t0.Add(10*time.Minute + time.Duration(i)*time.Second), Human: true})
	}
	s.Now = t0.Add(36 * time.Hour)
	h.Dial(&s)
	if h.Threshold() <= low {
		t.Errorf("threshold %v did not recover from %v after clean answers", h.Threshold(), low)
	}
	if h.Threshold() > 5*0.03+1e-12 {
		t.Errorf("threshold %v above its 5 × target cap", h.Threshold())
	}
}

// TestHotlineSetPointKeepsNoiseMargin: the long-window set point stays further under the target
// while few answers are behind it (a small team's few drops swing the rate) and nears
// Margin × Target as answers accumulate; it never passes Margin × Target nor falls below half
// the target.
func TestHotlineSetPointKeepsNoiseMargin(t *testing.T) {
	h, err := NewHotline(HotlineConfig{Target: 0.03, Margin: 0.95, Spread: 3})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		longA, shortA float64
		low, high     float64
	}{
		{"no answers yet", 0, 0, 0.015, 0.015},
		{"5 agents after 8 h", 420, 55, 0.015, 0.0285 - 0.005},
		{"20 agents after 8 h", 2400, 300, 0.0285 - 0.005, 0.0285 - 0.002},
		{"100 agents after 24 h", 75000, 3100, 0.0285 - 0.0005, 0.0285},
	}
	prev := 0.0
	for _, tc := range tests {
		got := h.setPoint(tc.longA, tc.shortA)
		if got < tc.low-1e-12 || got > tc.high+1e-12 {
			t.Errorf("%s: set point %.5f, want within [%.5f, %.5f]", tc.name, got, tc.low, tc.high)
		}
		if got < prev {
			t.Errorf("%s: set point %.5f fell below %.5f with more answers behind it", tc.name, got, prev)
		}
		prev = got
	}
}

// TestHotlineSpendsDropBudget: after the same hour of answers, a pacer whose window holds fewer
// drops than its set point allows dials on a higher threshold than one at the set point, and
// one over it on a lower one; the threshold stays within [Target/10, 5 × Target].
func TestHotlineSpendsDropBudget(t *testing.T) {
	thresholdAfter := func(dropEvery int) float64 {
		h, err := NewHotline(HotlineConfig{})
		if err != nil {
			t.Fatal(err)
		}
		h.Dial(&Snapshot{Now: t0, LoggedIn: 1})
		// The last 50 minutes' answers, then one adjustment: the slow feedback barely moves in
		// one step, the budget factor does.
		for i := range 1000 {
			dropped := dropEvery > 0 && i%dropEvery == 0
			h.ObserveAttempt(Attempt{At: t0.Add(time.Duration(i-1000) * 3 * time.Second), Ring: 8 * time.Second, Human: true, Dropped: dropped})
		}
		h.Dial(&Snapshot{Now: t0.Add(30 * time.Second), LoggedIn: 1})
		return h.Threshold()
	}
	tests := []struct {
		name      string
		dropEvery int
	}{{"no drops", 0}, {"1.25% dropped", 80}, {"2.5% dropped", 40}, {"5% dropped", 20}}
	prev, first := math.Inf(1), 0.0
	for i, tc := range tests {
		got := thresholdAfter(tc.dropEvery)
		if i == 0 {
			first = got
		}
		if got >= prev {
			t.Errorf("%s: threshold %.4f, not below %.4f after fewer drops", tc.name, got, prev)
		}
		if got < 0.003-1e-12 || got > 0.15+1e-12 {
			t.Errorf("%s: threshold %.4f outside [target/10, 5 × target]", tc.name, got)
		}
		prev = got
	}
	// The hour's drops move the threshold at once, not by the feedback's slow steps.
	if first < 2*prev {
		t.Errorf("threshold %.4f with no drops, %.4f with 5%% dropped: want a factor of 2 or more", first, prev)
	}
}

func TestRiskDistExactMatchesConvolution(t *testing.T) {
	var d riskDist
	d.reset(true)
	d.add(+1, 0.5)
	d.add(-1, 0.5)
	// Y = B1 − B2 ∈ {−1, 0, 1} with P = 1/4, 1/2, 1/4.
	for _, tc := range []struct {
		t    float64
		want float64
	}{{-1, 1}, {0, 0.75}, {1, 0.25}, {2, 0}} {
		if got := d.pAtLeast(tc.t, 0, 0); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("P(Y ≥ %v) = %v, want %v", tc.t, got, tc.want)
		}
	}
	// Adding one Binomial(1, 0.5) line: P(Y + B ≥ 1) = 1/2.
	if got := d.pAtLeast(1, 1, 0.5); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("P(Y + B ≥ 1) = %v, want 0.5", got)
	}
}

// TestHotlineDialsAheadForAgentsWrappingUp: an agent near the end of a wrap-up that never
// lasts over 30 s will be free when a line dialled now is answered; the same agent still talking
// will not (talk then a wrap-up are ahead).
func TestHotlineDialsAheadForAgentsWrappingUp(t *testing.T) {
	h, err := NewHotline(HotlineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		h.ObservePhases(time.Duration(60+i%120)*time.Second, time.Duration(10+i%21)*time.Second)
		h.ObserveAttempt(Attempt{At: t0.Add(time.Duration(i) * time.Second), Ring: 8 * time.Second, Human: i%3 == 0})
	}
	now := t0.Add(time.Hour)
	wrapping := Snapshot{Now: now, Wrapping: []time.Duration{28 * time.Second}, Wrap: 1, LoggedIn: 1, LinesFree: 10}
	if got := h.Dial(&wrapping); got < 1 {
		t.Errorf("dialled %d lines for an agent 28 s into a wrap-up of at most 30 s", got)
	}
	talking := Snapshot{Now: now, Busy: []time.Duration{28 * time.Second}, InCall: 1, LoggedIn: 1, LinesFree: 10}
	if got := h.Dial(&talking); got != 0 {
		t.Errorf("dialled %d lines for an agent 28 s into a call of at least 60 s", got)
	}
}
