package pacing

import (
	"fmt"
	"math"
	"time"
)

// AdaptMethod is one of VICIdial's adaptive dial methods.
type AdaptMethod string

const (
	AdaptHardLimit AdaptMethod = "ADAPT_HARD_LIMIT"
	AdaptTapered   AdaptMethod = "ADAPT_TAPERED"
	AdaptAverage   AdaptMethod = "ADAPT_AVERAGE"
)

// VICIdialConfig holds the campaign settings VICIdial's adaptive loop reads (AST_VDadapt.pl
// and AST_VDauto.pl), with VICIdial's defaults except DropSeconds, which hotline's rules fix at 2.
type VICIdialConfig struct {
	Method        AdaptMethod
	MaxLevel      float64 // adaptive_maximum_level, default 3.0
	DropTarget    float64 // adaptive_dropped_percentage as a fraction, default 0.03
	DiffTarget    float64 // adaptive_dl_diff_target, default 0
	Intensity     float64 // adaptive_intensity, default 0
	StartLevel    float64 // auto_dial_level the campaign starts at, default 1.0
	ShiftStart    time.Time
	ShiftEnd      time.Time     // ADAPT_TAPERED tapers towards this; also "today" starts at ShiftStart's midnight
	SampleEvery   time.Duration // 1 s
	AdjustEvery   time.Duration // 15 s
	PlaceEvery    time.Duration // 2.5 s
	MovingSamples int           // 15
}

// Validate reports the first setting that VICIdial would not accept.
func (c VICIdialConfig) Validate() error {
	switch {
	case c.Method != AdaptHardLimit && c.Method != AdaptTapered && c.Method != AdaptAverage:
		return fmt.Errorf("vicidial method: %q is not one of ADAPT_HARD_LIMIT, ADAPT_TAPERED, ADAPT_AVERAGE", c.Method)
	case c.MaxLevel < 1:
		return fmt.Errorf("vicidial max_level: %v is below 1.0", c.MaxLevel)
	case c.DropTarget <= 0 || c.DropTarget >= 1:
		return fmt.Errorf("vicidial drop_target: %v is not a fraction in (0, 1)", c.DropTarget)
	case c.ShiftEnd.Before(c.ShiftStart):
		return fmt.Errorf("vicidial shift_end: before shift_start")
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
	if c.SampleEvery == 0 {
		c.SampleEvery = time.Second
	}
	if c.AdjustEvery == 0 {
		c.AdjustEvery = 15 * time.Second
	}
	if c.PlaceEvery == 0 {
		c.PlaceEvery = 2500 * time.Millisecond
	}
	if c.MovingSamples == 0 {
		c.MovingSamples = 15
	}
}

// VICIdial reimplements VICIdial's adaptive pacing as DIALER.md describes it: a feedback loop on
// ready agents minus waiting calls, with no model of answer probability or talk time.
type VICIdial struct {
	cfg   VICIdialConfig
	level float64

	started                              bool
	nextSample, nextAdjust, nextPlace    time.Time
	readyS, waitingS, totalS             []float64 // the last MovingSamples samples
	minute                               []Attempt // attempts resolved in the last minute
	day                                  time.Time // midnight of "today"
	callsToday, answersToday, dropsToday int
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
	}
	return "adapt_average"
}

// Level is the current dial level L.
func (v *VICIdial) Level() float64 { return v.level }

func (v *VICIdial) ObserveHandle(time.Duration) {}

func (v *VICIdial) ObserveAttempt(a Attempt) {
	v.rollDay(a.At)
	v.callsToday++
	if a.Human {
		v.answersToday++
		if a.Dropped {
			v.dropsToday++
		}
	}
	v.minute = append(v.minute, a)
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
		v.rollDay(s.Now)
	}
	// The dialer ticks at least as often as VICIdial samples, so each beat sees the state of its
	// own second; a beat missed between ticks is taken at the next one, as a late cron job would.
	for !s.Now.Before(v.nextSample) {
		v.sample(s)
		v.nextSample = v.nextSample.Add(v.cfg.SampleEvery)
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
	// AST_VDauto.pl: goal = level × (agents ready + agents in call); existing = every call of
	// the campaign in vicidial_auto_calls (ringing, waiting and live with an agent). Dial level
	// 1.0 then means one line per agent, as VICIdial documents it.
	goal := int(math.Round(v.level * (float64(s.Ready+s.InCall) + v.cfg.DiffTarget)))
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
	v.rollDay(now)
	d := mean(v.readyS) - mean(v.waitingS)
	dt := d + v.cfg.DiffTarget
	total := mean(v.totalS)
	var m float64
	if dt != 0 && total != 0 {
		m = dt / total
	}
	if m >= 0 {
		m *= 1 + v.cfg.Intensity
	} else {
		m *= math.Abs(v.cfg.Intensity - 1)
	}
	v.level = clamp(v.level*(1+m), 1, v.cfg.MaxLevel)

	// Safety cut on the last minute.
	cut := 0
	for cut < len(v.minute) && now.Sub(v.minute[cut].At) > time.Minute {
		cut++
	}
	v.minute = v.minute[cut:]
	var answered, dropped int
	for _, a := range v.minute {
		if a.Human {
			answered++
			if a.Dropped {
				dropped++
			}
		}
	}
	if len(v.minute) > 20 && answered > 0 && float64(dropped) > 0.5*float64(len(v.minute)) {
		v.level /= 2
	}
	// Safety cut on today's drop percentage.
	if v.callsToday > 50 && v.answersToday > 0 && float64(v.dropsToday)/float64(v.answersToday) > v.cfg.DropTarget {
		switch v.cfg.Method {
		case AdaptHardLimit:
			v.level = 1
		case AdaptAverage:
			v.level /= 2
		case AdaptTapered:
			// Over target early in the shift is tolerated; the closer the shift end, the closer
			// the level is pulled to 1.0.
			span := v.cfg.ShiftEnd.Sub(v.cfg.ShiftStart)
			left := 0.0
			if span > 0 {
				left = clamp(float64(v.cfg.ShiftEnd.Sub(now))/float64(span), 0, 1)
			}
			v.level = 1 + (v.level-1)*left
		}
	}
	v.level = max(v.level, 1)
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
