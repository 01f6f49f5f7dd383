package dialer

import (
	"fmt"
	"strconv"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Pacing methods the simulator and the campaigns accept.
const (
	MethodPreview     = "preview"
	MethodProgressive = "progressive"
	MethodHardLimit   = "adapt_hard_limit"
	MethodTapered     = "adapt_tapered"
	MethodAverage     = "adapt_average"
	MethodHotline     = "hotline"
	// MethodOracle is hotline's pacer told every agent's exact time to free: the simulator's
	// upper reference, not a method a campaign can use.
	MethodOracle = "oracle"
)

// Methods lists every pacing method, in the order the benchmark prints them.
var Methods = []string{MethodPreview, MethodProgressive, MethodHardLimit, MethodTapered, MethodAverage, MethodHotline}

// NewPacer builds a pacing method by name. target is the abandonment limit; shift bounds the
// working day: ADAPT_TAPERED's latest server time is the shift's end when it ends on the day it
// starts, as VICIdial asks its administrators to set it, else VICIdial's default 21:00.
func NewPacer(method string, target float64, shiftStart, shiftEnd time.Time) (pacing.Pacer, error) {
	vici := func(m pacing.AdaptMethod) (pacing.Pacer, error) {
		return pacing.NewVICIdial(pacing.VICIdialConfig{Method: m, DropTarget: target, LatestServerTime: latestServerTime(shiftStart, shiftEnd)})
	}
	switch method {
	case MethodPreview:
		return pacing.Preview{}, nil
	case MethodProgressive:
		return pacing.Progressive{}, nil
	case MethodHardLimit:
		return vici(pacing.AdaptHardLimit)
	case MethodTapered:
		return vici(pacing.AdaptTapered)
	case MethodAverage:
		return vici(pacing.AdaptAverage)
	case MethodHotline:
		return pacing.NewHotline(pacing.HotlineConfig{Target: target})
	}
	return nil, fmt.Errorf("pacing method %q is not one of %v", method, Methods)
}

// latestServerTime is the HHMM a shift's calling ends at, or 0 (VICIdial's default) when the
// shift is unknown or ends on another day.
func latestServerTime(start, end time.Time) int {
	if start.IsZero() || end.IsZero() || end.YearDay() != start.YearDay() || end.Year() != start.Year() {
		return 0
	}
	return pacing.HHMM(end)
}

// SimRun is the outcome of one simulated shift.
type SimRun struct {
	Figures
	Hours              float64
	WorstWindow        float64 // worst rolling-window abandonment
	PersonsMisdetected int     // persons the detector called a machine
	Events             int     // simulated events processed
}

// SimOptions set up one simulated shift.
type SimOptions struct {
	Workload Workload
	Method   string
	Seed     uint64
	Hours    float64       // default 8
	Target   float64       // abandonment target, default 0.03
	Window   time.Duration // rolling window for WorstWindow, default 1 h
	// MinWindowAnswers is the fewest answers a window needs to count for WorstWindow (default 20).
	MinWindowAnswers int
	// Hook sees every connect and drop (tests use it to check the 2 s rule).
	Hook func(EngineEvent)
	// Record receives every attempt event.
	Record func(events.DialAttempt)
	// Pacer, when set, builds the pacer instead of Method (which then only names the run): the
	// benchmark's VICIdial tuning grid. start and end bound the shift.
	Pacer func(start, end time.Time) (pacing.Pacer, error)
	// Hotline tunes the hotline and oracle pacers (zero: the defaults; Target comes from Target).
	Hotline pacing.HotlineConfig
}

// Simulate runs one seeded shift of the outbound simulator with one pacing method.
func Simulate(o SimOptions) (SimRun, error) {
	w := o.Workload
	w.defaults()
	if err := w.Validate(); err != nil {
		return SimRun{}, err
	}
	if o.Hours == 0 {
		o.Hours = 8
	}
	if o.Target == 0 {
		o.Target = 0.03
	}
	if o.Window == 0 {
		o.Window = time.Hour
	}
	if o.MinWindowAnswers == 0 {
		o.MinWindowAnswers = 20
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	end := start.Add(time.Duration(o.Hours * float64(time.Hour)))
	clk := clock.NewSim(start)
	trunk := NewSimTrunk(clk, o.Seed, w)
	agents := NewSimAgents(clk, o.Seed, w)
	var pacer pacing.Pacer
	var err error
	switch {
	case o.Pacer != nil:
		pacer, err = o.Pacer(start, end)
	case o.Method == MethodOracle:
		cfg := o.Hotline
		cfg.Target = o.Target
		pacer, err = pacing.NewOracle(cfg, agents.FreeIn)
	case o.Method == MethodHotline:
		cfg := o.Hotline
		cfg.Target = o.Target
		pacer, err = pacing.NewHotline(cfg)
	default:
		pacer, err = NewPacer(o.Method, o.Target, start, end)
	}
	if err != nil {
		return SimRun{}, err
	}
	src := &SimContacts{Campaign: "bench", Type: events.CampaignTelemarketing}
	opts := []EngineOption{}
	if o.Hook != nil {
		opts = append(opts, WithHook(o.Hook))
	}
	if o.Record != nil {
		opts = append(opts, WithRecorder(o.Record))
	}
	eng, err := NewEngine(EngineConfig{Campaign: "bench", Pacer: pacer, Lines: w.Lines}, clk, trunk, agents, src, opts...)
	if err != nil {
		return SimRun{}, err
	}
	trunk.Engine, agents.Engine = eng, eng
	for i := range w.Agents {
		eng.Login("A" + strconv.Itoa(i+1))
	}
	eng.Start()
	events := 0
	for {
		next, ok := clk.Next()
		if !ok || next.After(end) {
			break
		}
		clk.Step()
		events++
	}
	clk.RunUntil(end)
	eng.Stop()
	return SimRun{
		Figures:            eng.Figures(),
		Hours:              o.Hours,
		WorstWindow:        eng.Stats().WorstWindow(o.Window, o.MinWindowAnswers),
		PersonsMisdetected: trunk.PersonsMisdetected,
		Events:             events,
	}, nil
}
