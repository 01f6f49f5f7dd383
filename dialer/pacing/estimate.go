package pacing

import (
	"slices"
	"time"
)

// empirical is a sliding sample of durations with a sorted copy for quantiles and CDF look-ups.
// A few prior samples stand in until real ones arrive and drop out as the window fills, or,
// with priorLife set, once that many real ones have arrived.
type empirical struct {
	cap       int
	priors    int // prior samples still at the front of window
	priorLife int
	window    []float64 // seconds, oldest first
	sorted    []float64
	dirty     int // samples added since sorted was rebuilt
	every     int // rebuild after this many
	gen       int // bumps on every rebuild, so tables derived from it know they are stale
}

func newEmpirical(capacity, rebuildEvery int, prior ...float64) *empirical {
	e := &empirical{cap: capacity, every: rebuildEvery, priors: len(prior)}
	e.window = append(e.window, prior...)
	e.rebuild()
	return e
}

func (e *empirical) add(d time.Duration) {
	e.window = append(e.window, d.Seconds())
	if e.priorLife > 0 && e.priors > 0 && len(e.window)-e.priors >= e.priorLife {
		e.window = e.window[e.priors:]
		e.priors = 0
		e.dirty = e.every // rebuild now
	}
	if len(e.window) > e.cap {
		e.window = e.window[len(e.window)-e.cap:]
		e.priors = max(0, e.priors-1)
	}
	e.dirty++
	// Rebuild often while the sample is young, then every `every` samples.
	if e.dirty >= e.every || len(e.window) < 4*e.every && e.dirty >= max(1, len(e.window)/8) {
		e.rebuild()
	}
}

func (e *empirical) rebuild() {
	e.sorted = append(e.sorted[:0], e.window...)
	slices.Sort(e.sorted)
	e.dirty = 0
	e.gen++
}

// cdf is P(X <= x).
func (e *empirical) cdf(x float64) float64 {
	n := len(e.sorted)
	if n == 0 {
		return 0
	}
	i, _ := slices.BinarySearch(e.sorted, x)
	for i < n && e.sorted[i] <= x {
		i++
	}
	return float64(i) / float64(n)
}

// quantile is the q-th quantile, q in [0, 1].
func (e *empirical) quantile(q float64) float64 {
	n := len(e.sorted)
	if n == 0 {
		return 0
	}
	i := int(q * float64(n-1))
	return e.sorted[i]
}

func (e *empirical) mean() float64 {
	if len(e.window) == 0 {
		return 0
	}
	var t float64
	for _, x := range e.window {
		t += x
	}
	return t / float64(len(e.window))
}
