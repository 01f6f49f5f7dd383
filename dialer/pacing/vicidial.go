package pacing

import (
	"fmt"
	"math"
	"time"
)

// AdaptMethod is one of VICIdial's automatic dial methods: the adaptive ADAPT_* loops, or RATIO
// at a fixed level.
type AdaptMethod string

const (
	AdaptHardLimit AdaptMethod = "ADAPT_HARD_LIMIT"
	AdaptTapered   AdaptMethod = "ADAPT_TAPERED"
	AdaptAverage   AdaptMethod = "ADAPT_AVERAGE"
	// Ratio dials at the fixed StartLevel (auto_dial_level): no adjustment, no safety cut.
	Ratio AdaptMethod = "RATIO"
)

// VICIdialConfig holds the campaign settings VICIdial's dialling reads (AST_VDadapt.pl and
// AST_VDauto_dial.pl), with VICIdial's defaults. VICIdial's own drop_call_seconds default is 5 s;
// the dialer abandons after 2 s whatever the pacer, as the rules require, so every method here is
// measured under the 2 s rule.
type VICIdialConfig struct {
	Method AdaptMethod
	// AvailableOnly is available_only_ratio_tally: the level multiplies the READY agents only,
	// and the calls already with an agent are added on top (default N: READY + INCALL agents).
	AvailableOnly bool
	MaxLevel      float64 // adaptive_maximum_level, default 3.0
	DropTarget    float64 // adaptive_dropped_percentage as a fraction, default 0.03
	DiffTarget    float64 // adaptive_dl_diff_target, default 0
	// Intensity is adaptive_intensity as an administrator enters it (−40…40, default 0):
	// VICIdial scales an upward move by 1 + I/100 and a downward one by |I/100 − 1|.
	Intensity  float64
	StartLevel float64 // auto_dial_level the campaign starts at (RATIO: dials at), default 1.0
	// LatestServerTime is adaptive_latest_server_time, HHMM (default 2100): ADAPT_TAPERED over
	// its drop target multiplies the level by (LatestServerTime − now as HHMM) / 1000, capped at
	// 1, and drops to 1.0 once past it. VICIdial tells the administrator to enter when calling stops.
	LatestServerTime int
	SampleEvery      time.Duration // 1 s
	AdjustEvery      time.Duration // 15 s
	PlaceEvery       time.Duration // 2.5 s
	// StatsEvery is how often the drop statistics are read back from the call log (60 s):
	// between refreshes the safety cuts see the figures of the last refresh.
	StatsEvery    time.Duration
	MovingSamples int // 15
}

// Validate reports the first setting that VICIdial would not accept.
func (c VICIdialConfig) Validate() error {
	switch {
	case c.Method != AdaptHardLimit && c.Method != AdaptTapered && c.Method != AdaptAverage && c.Method != Ratio:
		return fmt.Errorf("vicidial method: %q is not one of ADAPT_HARD_LIMIT, ADAPT_TAPERED, ADAPT_AVERAGE, RATIO", c.Method)
	case c.MaxLevel < 1:
		return fmt.Errorf("vicidial max_level: %v is below 1.0", c.MaxLevel)
	case c.StartLevel > 100:
		return fmt.Errorf("vicidial auto_dial_level: %v is above 100", c.StartLevel)
	case c.DropTarget <= 0 || c.DropTarget >= 1:
		return fmt.Errorf("vicidial drop_target: %v is not a fraction in (0, 1)", c.DropTarget)
	case c.Intensity < -100 || c.Intensity > 100:
		return fmt.Errorf("vicidial adaptive_intensity: %v is outside −100…100", c.Intensity)
	case c.LatestServerTime < 0 || c.LatestServerTime > 2400 || c.LatestServerTime%100 >= 60:
		return fmt.Errorf("vicidial adaptive_latest_server_time: %04d is not an HHMM time", c.LatestServerTime)
	}
	return nil
}

func (c *VICIdialConfig) defaults() {
	if c.MaxLevel == 0 {
		c.MaxLevel = 3.0
	}
	if c.DropTarget == 0 {
		c.DropTarget = 0.03
	}
	if c.StartLevel < 1 {
		c.StartLevel = 1.0
	}
	if c.LatestServerTime == 0 {
		c.LatestServerTime = 2100
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = time.Second
	}
	if c.AdjustEvery == 0 {
		c.AdjustEvery = 15 * time.Second
	}
	if c.PlaceEvery == 0 {
		c.PlaceEvery = 2500 * time.Millisecond
	}
	if c.StatsEvery == 0 {
		c.StatsEvery = time.Minute
	}
	if c.MovingSamples == 0 {
		c.MovingSamples = 15
	}
}

// HHMM is a wall-clock time as VICIdial compares it: hour × 100 + minute.
func HHMM(t time.Time) int { return t.Hour()*100 + t.Minute() }

// VICIdial reimplements VICIdial's automatic dialling: the ADAPT_* feedback loop on ready agents
// minus waiting calls (no model of answer probability or talk time), or RATIO at a fixed level.
type VICIdial struct {
	cfg   VICIdialConfig
	level float64

	started                                      bool
	nextSample, nextAdjust, nextPlace, nextStats time.Time
	readyS, waitingS, totalS                     []float64 // the last MovingSamples samples
	log                                          []logged  // attempts resolved since the last stats refresh
	recent                                       []logged  // attempts dialled in the last minute, as of the refresh
	day                                          time.Time // midnight of "today"
	callsToday, answersToday, dropsToday         int
	callsMinute, dropsMinute                     int // the last refresh's one-minute figures
}

// logged is an attempt as the call log keeps it: keyed on when it was dialled.
type logged struct {
	dialed         time.Time
	human, dropped bool
}

// NewVICIdial returns the baseline pacer; zero settings take VICIdial's defaults.
func NewVICIdial(cfg VICIdialConfig) (*VICIdial, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &VICIdial{cfg: cfg, level: cfg.StartLevel}, nil
}

func (v *VICIdial) Name() string {
	switch v.cfg.Method {
	case AdaptHardLimit:
		return "adapt_hard_limit"
	case AdaptTapered:
		return "adapt_tapered"
	case Ratio:
		return "ratio"
	}
	return "adapt_average"
}

// Level is the current dial level L.
func (v *VICIdial) Level() float64 { return v.level }

func (v *VICIdial) ObserveHandle(time.Duration) {}

// ReadsCountsOnly implements CountsOnly: VICIdial counts agents and calls by state.
func (v *VICIdial) ReadsCountsOnly() {}

// ObserveAttempt writes the attempt to the call log, keyed on its dial time (for a person who
// answered, the dialer reports the answer's ring time, so the key may be late by the wait for an
// agent, at most 2 s); the pacer reads the log back every StatsEvery.
func (v *VICIdial) ObserveAttempt(a Attempt) {
	v.log = append(v.log, logged{dialed: a.At.Add(-a.Ring), human: a.Human, dropped: a.Dropped})
}

// refreshStats is AST_VDadapt.pl's calculate_drops: today's calls, answers and drops, and the
// last minute's calls and drops, counted from the call log by dial time.
func (v *VICIdial) refreshStats(now time.Time) {
	v.rollDay(now)
	for _, l := range v.log {
		if !l.dialed.Before(v.day) {
			v.callsToday++
			if l.human {
				v.answersToday++
				if l.dropped {
					v.dropsToday++
				}
			}
		}
		v.recent = append(v.recent, l)
	}
	v.log = v.log[:0]
	kept := v.recent[:0]
	v.callsMinute, v.dropsMinute = 0, 0
	for _, l := range v.recent {
		if now.Sub(l.dialed) >= time.Minute {
			continue
		}
		kept = append(kept, l)
		v.callsMinute++
		if l.dropped {
			v.dropsMinute++
		}
	}
	v.recent = kept
}

func (v *VICIdial) rollDay(now time.Time) {
	y, m, d := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	if !day.Equal(v.day) {
		v.day = day
		v.callsToday, v.answersToday, v.dropsToday = 0, 0, 0
	}
}

func (v *VICIdial) Dial(s *Snapshot) int {
	if !v.started {
		v.started = true
		v.nextSample, v.nextAdjust, v.nextPlace = s.Now, s.Now.Add(v.cfg.AdjustEvery), s.Now
		v.nextStats = s.Now.Add(v.cfg.StatsEvery)
		v.rollDay(s.Now)
	}
	// The dialer ticks at least as often as VICIdial samples, so each beat sees the state of its
	// own second; a beat missed between ticks is taken at the next one, as a late cron job would.
	for !s.Now.Before(v.nextSample) {
		v.sample(s)
		v.nextSample = v.nextSample.Add(v.cfg.SampleEvery)
	}
	for !s.Now.Before(v.nextStats) {
		v.refreshStats(s.Now)
		v.nextStats = v.nextStats.Add(v.cfg.StatsEvery)
	}
	for !s.Now.Before(v.nextAdjust) {
		v.adjust(s.Now)
		v.nextAdjust = v.nextAdjust.Add(v.cfg.AdjustEvery)
	}
	if s.Now.Before(v.nextPlace) {
		return 0
	}
	for !s.Now.Before(v.nextPlace) {
		v.nextPlace = v.nextPlace.Add(v.cfg.PlaceEvery)
	}
	// AST_VDauto_dial.pl: goal = level × (agents ready + agents in call); existing = every call
	// of the campaign in vicidial_auto_calls (ringing, waiting and live with an agent). Dial
	// level 1.0 then means one line per agent, as VICIdial documents it. With
	// available_only_ratio_tally the level multiplies the ready agents only, and the calls live
	// with an agent are added to the goal, so only lines not yet with an agent count against it.
	var goal int
	if v.cfg.AvailableOnly {
		goal = int(math.Round(v.level*(float64(s.Ready)+v.cfg.DiffTarget))) + s.InCall
	} else {
		goal = int(math.Round(v.level * (float64(s.Ready+s.InCall) + v.cfg.DiffTarget)))
	}
	place := goal - s.Active
	return max(0, min(place, s.LinesFree))
}

func (v *VICIdial) sample(s *Snapshot) {
	push := func(xs []float64, x float64) []float64 {
		xs = append(xs, x)
		if len(xs) > v.cfg.MovingSamples {
			xs = xs[1:]
		}
		return xs
	}
	v.readyS = push(v.readyS, float64(s.Ready))
	v.waitingS = push(v.waitingS, float64(s.Waiting))
	v.totalS = push(v.totalS, float64(s.LoggedIn))
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var t float64
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

func (v *VICIdial) adjust(now time.Time) {
	if v.cfg.Method == Ratio {
		return
	}
	d := mean(v.readyS) - mean(v.waitingS)
	dt := d + v.cfg.DiffTarget
	total := mean(v.totalS)
	var m float64
	if dt != 0 && total != 0 {
		m = dt / total
	}
	intensity := v.cfg.Intensity / 100
	if m >= 0 {
		m *= 1 + intensity
	} else {
		m *= math.Abs(intensity - 1)
	}
	v.level = clamp(v.level*(1+m), 1, v.cfg.MaxLevel)

	// Safety cut on the last minute (as of the last stats refresh): over 20 calls, over half dropped.
	if v.callsMinute > 20 && float64(v.dropsMinute) > 0.5*float64(v.callsMinute) {
		v.level /= 2
	}
	// Safety cut on today's drop percentage (as of the last stats refresh).
	if v.callsToday > 50 && v.answersToday > 0 && float64(v.dropsToday)/float64(v.answersToday) > v.cfg.DropTarget {
		switch v.cfg.Method {
		case AdaptHardLimit:
			v.level = 1
		case AdaptAverage:
			v.level /= 2
		case AdaptTapered:
			// Over target is tolerated while the latest calling time is more than 10 "hours"
			// (1000 in HHMM arithmetic, as VICIdial subtracts) away, then scaled down towards
			// it, and 1.0 past it.
			left := v.cfg.LatestServerTime - HHMM(now)
			switch {
			case left < 0:
				v.level = 1
			case left <= 1000:
				v.level *= float64(left) / 1000
			}
		}
	}
	v.level = max(v.level, 1)
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
