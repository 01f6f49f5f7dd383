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
)

// Methods lists every pacing method, in the order the benchmark prints them.
var Methods = []string{MethodPreview, MethodProgressive, MethodHardLimit, MethodTapered, MethodAverage, MethodHotline}

// NewPacer builds a pacing method by name. target is the abandonment limit; shift bounds the
// working day (ADAPT_TAPERED tapers towards its end).
func NewPacer(method string, target float64, shiftStart, shiftEnd time.Time) (pacing.Pacer, error) {
	vici := func(m pacing.AdaptMethod) (pacing.Pacer, error) {
		return pacing.NewVICIdial(pacing.VICIdialConfig{Method: m, DropTarget: target, ShiftStart: shiftStart, ShiftEnd: shiftEnd})
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
	pacer, err := NewPacer(o.Method, o.Target, start, end)
	if err != nil {
		return SimRun{}, err
	}
	trunk := NewSimTrunk(clk, o.Seed, w)
	agents := NewSimAgents(clk, o.Seed, w)
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
