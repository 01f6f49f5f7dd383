package qa

import (
	"math"
	"sort"
)

// Metric is a Krippendorff difference function δ²(a, b).
type Metric func(a, b float64) float64

// NominalMetric: values agree or they do not.
func NominalMetric(a, b float64) float64 {
	if a == b {
		return 0
	}
	return 1
}

// IntervalMetric: squared difference.
func IntervalMetric(a, b float64) float64 { return (a - b) * (a - b) }

// KrippendorffAlpha is the agreement coefficient of reliability data: units[u] holds the values
// the coders gave unit u, NaN where a coder gave none. Units with fewer than two values carry
// no information about agreement and are left out. alpha = 1 - Do/De with
//
//	Do = 1/n · Σ_u 1/(m_u - 1) · Σ_{i≠j in u} δ²(v_i, v_j)
//	De = 1/(n(n-1)) · Σ_{i≠j over all pairable values} δ²(v_i, v_j)
//
// (n pairable values, m_u values in unit u). It is 1 for perfect agreement, 0 for agreement at
// chance level; NaN when there is nothing to compare or every value is the same (De = 0).
func KrippendorffAlpha(units [][]float64, d Metric) float64 {
	var n float64
	var do float64
	counts := map[float64]float64{} // value → how many pairable values have it
	for _, u := range units {
		var vals []float64
		for _, v := range u {
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		m := float64(len(vals))
		if m < 2 {
			continue
		}
		n += m
		var s float64
		for i := range vals {
			counts[vals[i]]++
			for j := range vals {
				if i != j {
					s += d(vals[i], vals[j])
				}
			}
		}
		do += s / (m - 1)
	}
	if n < 2 {
		return math.NaN()
	}
	do /= n
	vals := make([]float64, 0, len(counts))
	for v := range counts {
		vals = append(vals, v)
	}
	sort.Float64s(vals) // a fixed order keeps the float sum reproducible
	var de float64
	for _, a := range vals {
		for _, b := range vals {
			de += counts[a] * counts[b] * d(a, b)
		}
	}
	de /= n * (n - 1)
	if de == 0 {
		return math.NaN()
	}
	return 1 - do/de
}
