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

// gridSetup is one grid setting's runs, one per seed run (a walk stops a setting at its first
// seed over the target).
type gridSetup[R any] struct {
	name      string
	level     float64
	runs      []R
	compliant bool // abandonment within the target in every seed
}

// gridResult is one family walked on one workload.
type gridResult[R any] struct {
	setups []gridSetup[R]
	runs   int // simulations run
}

// gridTrial runs one seed of a workload with a pacer; abandon and same read its outcome.
type gridTrial[R any] struct {
	target  float64
	seeds   int
	full    bool
	run     func(newPacer func(start, end time.Time) (pacing.Pacer, error), name string, seed uint64) (R, error)
	abandon func(R) float64
	same    func(a, b R) bool
}

// walkFamily runs a family's levels upward on every seed. Abandonment grows with the level, so
// unless full is set the walk stops at the first setting over the target in a seed (the rest of
// that setting's seeds are not run either), and, for the ADAPT methods, at a maximum level the
// loop never reached (every higher one repeats it exactly). Then two halvings between the last
// setting within the target and the first over it find the boundary closer than the grid's
// step, as an administrator tuning by hand would.
func walkFamily[R any](ctx context.Context, f gridFamily, t gridTrial[R]) (gridResult[R], error) {
	var res gridResult[R]
	try := func(level float64) (gridSetup[R], error) {
		cfg := f.config(level, t.target)
		set := gridSetup[R]{name: f.name(level), level: level, compliant: true}
		newPacer := func(start, end time.Time) (pacing.Pacer, error) {
			c := cfg
			if c.Method == pacing.AdaptTapered {
				c.LatestServerTime = latestServerTime(start, end)
			}
			return pacing.NewVICIdial(c)
		}
		for s := range t.seeds {
			r, err := t.run(newPacer, set.name, uint64(s)+1)
			if err != nil {
				return set, fmt.Errorf("simulating %s: %w", set.name, err)
			}
			res.runs++
			set.runs = append(set.runs, r)
			if t.abandon(r) > t.target {
				set.compliant = false
				if !t.full {
					break
				}
			}
		}
		return set, nil
	}
	for _, level := range f.levels {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		set, err := try(level)
		if err != nil {
			return res, err
		}
		res.setups = append(res.setups, set)
		if t.full {
			continue
		}
		if !set.compliant {
			break
		}
		if n := len(res.setups); f.method != pacing.Ratio && n > 1 && sameAll(res.setups[n-2].runs, set.runs, t.same) {
			break
		}
	}
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
			set, err := try(mid)
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

func sameAll[R any](a, b []R, same func(a, b R) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

// bestSetup is the compliant setup with the most of score (the first in grid order on a tie),
// with the count of compliant setups and of setups run.
func bestSetup[R any](families []gridResult[R], score func([]R) float64) (best *gridSetup[R], compliant, run int) {
	var bestScore float64
	for i := range families {
		for j := range families[i].setups {
			s := &families[i].setups[j]
			run++
			if !s.compliant {
				continue
			}
			compliant++
			if sc := score(s.runs); best == nil || sc > bestScore {
				best, bestScore = s, sc
			}
		}
	}
	return best, compliant, run
}

func gridNote[R any](grid, full bool, tuned [][]gridResult[R]) string {
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
