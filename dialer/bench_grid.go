package dialer

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
)

// The VICIdial tuning grid the benchmark searches in hindsight, per workload (documented in
// docs/dialer-pacing.md): every dial method an administrator picks for predictive dialling, with
// available_only_ratio_tally off and on, over the levels below. The other settings keep VICIdial's
// defaults, except ADAPT_TAPERED's adaptive_latest_server_time, set to the shift's end as
// VICIdial's manual asks (the 21:00 default tapers a 09:00–17:00 shift far less).
var (
	gridAdaptMethods = []pacing.AdaptMethod{pacing.AdaptHardLimit, pacing.AdaptAverage, pacing.AdaptTapered}
	// adaptive_maximum_level values (3.0 is VICIdial's default).
	gridMaxLevels = []float64{1.5, 2, 3, 4, 6, 10}
	// RATIO's auto_dial_level values.
	gridRatioLevels = []float64{1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 8}
)

// gridFamily is one method with one available-only setting, its levels in increasing order.
type gridFamily struct {
	method        pacing.AdaptMethod
	availableOnly bool
	levels        []float64
}

func vicidialGrid() []gridFamily {
	var fs []gridFamily
	for _, avail := range []bool{false, true} {
		for _, m := range gridAdaptMethods {
			fs = append(fs, gridFamily{method: m, availableOnly: avail, levels: gridMaxLevels})
		}
		fs = append(fs, gridFamily{method: pacing.Ratio, availableOnly: avail, levels: gridRatioLevels})
	}
	return fs
}

func gridSize() int {
	n := 0
	for _, f := range vicidialGrid() {
		n += len(f.levels)
	}
	return n
}

func (f gridFamily) config(level float64, target float64) pacing.VICIdialConfig {
	c := pacing.VICIdialConfig{Method: f.method, AvailableOnly: f.availableOnly, DropTarget: target}
	if f.method == pacing.Ratio {
		c.StartLevel = level
	} else {
		c.MaxLevel = level
	}
	return c
}

func (f gridFamily) name(level float64) string {
	l := strconv.FormatFloat(level, 'f', -1, 64)
	n := string(f.method) + " max " + l
	if f.method == pacing.Ratio {
		n = string(f.method) + " " + l
	}
	if f.availableOnly {
		n += " avail-only"
	}
	return n
}

// gridSetup is one grid setting's figures over the seeds it ran.
type gridSetup struct {
	name      string
	level     float64
	row       benchRow
	compliant bool // abandonment within the target in every seed
}

// gridResult is one family walked on one workload.
type gridResult struct {
	setups []gridSetup
	runs   int // simulations run
}

// walkFamily runs a family's levels upward on every seed. Abandonment grows with the level, so
// unless full is set the walk stops at the first setting over the target in a seed (the rest of
// that setting's seeds are not run either), and, for the ADAPT methods, at a maximum level the
// loop never reached (every higher one repeats it exactly).
func walkFamily(ctx context.Context, f gridFamily, base SimOptions, seeds int, full bool) (gridResult, error) {
	var res gridResult
	var prev []SimRun
	run := func(level float64) (gridSetup, []SimRun, error) {
		cfg := f.config(level, base.Target)
		o := base
		o.Method = f.name(level)
		o.Pacer = func(start, end time.Time) (pacing.Pacer, error) {
			c := cfg
			if c.Method == pacing.AdaptTapered {
				c.LatestServerTime = latestServerTime(start, end)
			}
			return pacing.NewVICIdial(c)
		}
		set := gridSetup{name: o.Method, level: level, compliant: true}
		var runs []SimRun
		for s := range seeds {
			o.Seed = uint64(s) + 1
			run, err := Simulate(o)
			if err != nil {
				return set, runs, fmt.Errorf("simulating %s: %w", o.Method, err)
			}
			res.runs++
			set.row.add(run)
			runs = append(runs, run)
			if run.AbandonRate > base.Target {
				set.compliant = false
				if !full {
					break
				}
			}
		}
		return set, runs, nil
	}
	for _, level := range f.levels {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		set, runs, err := run(level)
		if err != nil {
			return res, err
		}
		res.setups = append(res.setups, set)
		if full {
			continue
		}
		if !set.compliant {
			break
		}
		if f.method != pacing.Ratio && sameRuns(prev, runs) {
			break
		}
		prev = runs
	}
	// Between the last setting within the target and the first over it, two halvings find the
	// boundary closer than the grid's step, as an administrator tuning by hand would.
	for i := 1; i < len(res.setups); i++ {
		if !res.setups[i-1].compliant || res.setups[i].compliant {
			continue
		}
		lo, hi := res.setups[i-1].level, res.setups[i].level
		for range refineSteps {
			mid := math.Round((lo+hi)/2*20) / 20
			if mid <= lo || mid >= hi {
				break
			}
			set, _, err := run(mid)
			if err != nil {
				return res, err
			}
			res.setups = append(res.setups, set)
			if set.compliant {
				lo = mid
			} else {
				hi = mid
			}
		}
		break
	}
	return res, nil
}

// refineSteps is how many halvings refine a family's boundary between grid settings.
const refineSteps = 2

func sameRuns(a, b []SimRun) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Figures != b[i].Figures {
			return false
		}
	}
	return true
}

// bestSetup is the compliant setup with the most talk per agent-hour (the first in grid order
// on a tie), with the count of compliant setups and of setups run.
func bestSetup(families []gridResult) (best *gridSetup, compliant, run int) {
	for i := range families {
		for j := range families[i].setups {
			s := &families[i].setups[j]
			run++
			if !s.compliant {
				continue
			}
			compliant++
			if best == nil || s.row.talkPerAgentHour() > best.row.talkPerAgentHour() {
				best = s
			}
		}
	}
	return best, compliant, run
}

func gridNote(grid, full bool, tuned [][]gridResult) string {
	if !grid {
		return "off"
	}
	runs := 0
	for _, w := range tuned {
		for _, f := range w {
			runs += f.runs
		}
	}
	walk := "each family walked upward to its first setting over the target"
	if full {
		walk = "every setting run"
	}
	return fmt.Sprintf("of %d settings (%s; %d runs)", gridSize(), walk, runs)
}
