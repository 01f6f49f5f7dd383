package pacing

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newVici(t *testing.T, m AdaptMethod) *VICIdial {
	t.Helper()
	v, err := NewVICIdial(VICIdialConfig{Method: m, LatestServerTime: 1700})
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
	overTarget := func(v *VICIdial, at time.Time) {
		// 60 calls today, 40 answered, 4 dropped (10% > 3%), dialled over the last hour.
		for i := range 60 {
			v.ObserveAttempt(Attempt{At: at.Add(-time.Hour + time.Duration(i)*time.Minute), Human: i < 40, Dropped: i < 4})
		}
	}
	tests := []struct {
		method AdaptMethod
		at     time.Time
		want   func(before float64) float64
	}{
		{AdaptHardLimit, t0.Add(time.Hour), func(float64) float64 { return 1 }},
		{AdaptAverage, t0.Add(time.Hour), func(b float64) float64 { return b / 2 }},
		// LatestServerTime 1700: at 16:00 (HHMM 1600) 100 are left, rate 0.1.
		{AdaptTapered, t0.Add(7 * time.Hour), func(b float64) float64 { return max(1, b*0.1) }},
		// At 12:30, 1700 − 1230 = 470: rate 0.47.
		{AdaptTapered, t0.Add(3*time.Hour + 30*time.Minute), func(b float64) float64 { return b * 0.47 }},
		// Past 17:00 the level is 1.0.
		{AdaptTapered, t0.Add(8*time.Hour + time.Minute), func(float64) float64 { return 1 }},
		// RATIO never adjusts.
		{Ratio, t0.Add(time.Hour), func(b float64) float64 { return b }},
	}
	for _, tc := range tests {
		t.Run(string(tc.method)+tc.at.Format("1504"), func(t *testing.T) {
			v := newVici(t, tc.method)
			v.started = true
			overTarget(v, tc.at)
			v.refreshStats(tc.at)
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

// TestVICIdialTaperedToleratesEarlyExcess: with the default latest server time (2100), a
// campaign over its drop target at 10:30 (1050 HHMM left, over 1000) is not cut at all.
func TestVICIdialTaperedToleratesEarlyExcess(t *testing.T) {
	v, err := NewVICIdial(VICIdialConfig{Method: AdaptTapered})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(90 * time.Minute)
	for i := range 60 {
		v.ObserveAttempt(Attempt{At: at.Add(-time.Duration(i) * time.Second), Human: true, Dropped: i < 10})
	}
	v.refreshStats(at)
	v.level = 2.8
	v.readyS, v.waitingS, v.totalS = []float64{1}, []float64{1}, []float64{10}
	v.adjust(at)
	if got := v.Level(); got != 2.8 {
		t.Errorf("level = %v, want 2.8 untouched", got)
	}
}

func TestVICIdialMinuteCut(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	v.started = true
	v.level = 2.0
	// 30 calls dialled in the last minute, 20 dropped; the day's figures are kept under the
	// daily rule's 50 calls so only the one-minute cut applies.
	for i := range 30 {
		v.ObserveAttempt(Attempt{At: t0.Add(-time.Duration(i) * time.Second), Human: true, Dropped: i < 20})
	}
	v.refreshStats(t0)
	v.callsToday = 0
	v.readyS, v.waitingS, v.totalS = []float64{1}, []float64{1}, []float64{10}
	v.adjust(t0)
	if got := v.Level(); got != 1.0 {
		t.Errorf("level = %v, want 1.0 (2.0 halved)", got)
	}
}

// TestVICIdialDropStatsRefreshEveryMinute: drops reach the safety cuts only when the statistics
// are read back from the log (every 60 s), and they are keyed on the dial time.
func TestVICIdialDropStatsRefreshEveryMinute(t *testing.T) {
	v := newVici(t, AdaptHardLimit)
	s := Snapshot{Ready: 1, InCall: 9, LoggedIn: 10, LinesFree: 100, Active: 9}
	drive(v, s, t0, 30*time.Second)
	for i := range 60 {
		// Answered 10 s after the dial; a third dropped.
		v.ObserveAttempt(Attempt{At: t0.Add(20*time.Second + time.Duration(i)*100*time.Millisecond), Ring: 10 * time.Second, Human: true, Dropped: i%3 == 0})
	}
	v.level = 2.0
	// The adjustment at 30 s (t0+30 s) has not seen them: the stats were last read at start.
	drive(v, Snapshot{Ready: 1, Waiting: 1, InCall: 9, LoggedIn: 10, LinesFree: 100, Active: 10}, t0.Add(30*time.Second), 15*time.Second)
	if v.Level() <= 1.0 || v.callsToday != 0 {
		t.Fatalf("level %v, %d calls today before the refresh: the drops were seen early", v.Level(), v.callsToday)
	}
	drive(v, Snapshot{Ready: 1, Waiting: 1, InCall: 9, LoggedIn: 10, LinesFree: 100, Active: 10}, t0.Add(45*time.Second), 31*time.Second)
	if v.callsToday != 60 || v.dropsToday != 20 {
		t.Errorf("after the refresh: %d calls, %d drops today, want 60 and 20", v.callsToday, v.dropsToday)
	}
	if v.callsMinute != 60 {
		t.Errorf("calls dialled in the last minute = %d, want 60 (keyed on dial time)", v.callsMinute)
	}
	if v.Level() != 1.0 {
		t.Errorf("level %v, want the hard limit's 1.0", v.Level())
	}
}

func TestVICIdialIntensityIsAPercentage(t *testing.T) {
	for _, tc := range []struct {
		intensity float64
		want      float64
	}{{0, 1.5}, {20, 1.6}, {-20, 1.4}} {
		v, err := NewVICIdial(VICIdialConfig{Method: AdaptAverage, Intensity: tc.intensity})
		if err != nil {
			t.Fatal(err)
		}
		// D/total = 0.5: the level moves by 0.5 × (1 + I/100).
		drive(v, Snapshot{Ready: 5, InCall: 5, LoggedIn: 10, LinesFree: 100, Active: 5}, t0, 16*time.Second)
		if got := v.Level(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("intensity %v: level %v, want %v", tc.intensity, got, tc.want)
		}
	}
}

func TestVICIdialRatioAndAvailableOnly(t *testing.T) {
	tests := []struct {
		name      string
		cfg       VICIdialConfig
		s         Snapshot
		want      int
		wantLevel float64
	}{
		// goal = round(2.5 × (3 + 7)) = 25; 11 calls exist: place 14.
		{"ratio", VICIdialConfig{Method: Ratio, StartLevel: 2.5}, Snapshot{Ready: 3, InCall: 7, LoggedIn: 10, Active: 11, LinesFree: 100}, 14, 2.5},
		// available only: goal = round(2.5 × 3) + 7 = 15; 11 calls exist (4 not with an agent): place 4.
		{"ratio available only", VICIdialConfig{Method: Ratio, StartLevel: 2.5, AvailableOnly: true}, Snapshot{Ready: 3, InCall: 7, LoggedIn: 10, Active: 11, LinesFree: 100}, 4, 2.5},
		// Nobody ready: available only places nothing.
		{"available only, none ready", VICIdialConfig{Method: AdaptAverage, StartLevel: 3, AvailableOnly: true}, Snapshot{Ready: 0, InCall: 10, LoggedIn: 10, Active: 12, LinesFree: 100}, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVICIdial(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			tc.s.Now = t0
			if got := v.Dial(&tc.s); got != tc.want {
				t.Errorf("placed %d, want %d", got, tc.want)
			}
			// Five minutes of every agent ready: ADAPT would climb, RATIO stays.
			drive(v, Snapshot{Ready: 10, LoggedIn: 10, LinesFree: 100}, t0.Add(time.Second), 5*time.Minute)
			if tc.cfg.Method == Ratio && v.Level() != tc.wantLevel {
				t.Errorf("RATIO level moved to %v", v.Level())
			}
		})
	}
}

func TestVICIdialConfigRefusals(t *testing.T) {
	for _, cfg := range []VICIdialConfig{
		{Method: "PREDICTIVE"},
		{Method: Ratio, StartLevel: 101},
		{Method: AdaptTapered, LatestServerTime: 1975},
		{Method: AdaptTapered, LatestServerTime: 2500},
		{Method: AdaptAverage, Intensity: 150},
	} {
		if _, err := NewVICIdial(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
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
