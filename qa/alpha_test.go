package qa

import (
	"math"
	"testing"
)

// Krippendorff's worked example ("Computing Krippendorff's Alpha-Reliability", 2011): four
// coders, twelve units, values 1..5, missing marked NaN. The paper gives alpha = 0.743 (nominal)
// and 0.849 (interval).
func TestKrippendorffAlphaPaperExample(t *testing.T) {
	x := math.NaN()
	coders := [][]float64{
		{1, 2, 3, 3, 2, 1, 4, 1, 2, x, x, x},
		{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, x, 3},
		{x, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, x},
		{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, x},
	}
	units := make([][]float64, 12)
	for u := range units {
		for _, c := range coders {
			units[u] = append(units[u], c[u])
		}
	}
	for _, c := range []struct {
		name string
		d    Metric
		want float64
	}{{"nominal", NominalMetric, 0.743}, {"interval", IntervalMetric, 0.849}} {
		if got := KrippendorffAlpha(units, c.d); math.Abs(got-c.want) > 0.0005 {
			t.Errorf("%s alpha %.4f, paper %.3f", c.name, got, c.want)
		}
	}
}

// A case small enough to work by hand: two coders, three binary units, one disagreement, and a
// fourth unit with a single value (not pairable, left out). Values: (1,1) (0,0) (1,0): n = 6.
// Do = 1/6 · (0 + 0 + 2/1) = 1/3. Pairable values: three 1s and three 0s: De = 2·3·3 / (6·5) =
// 0.6. alpha = 1 - (1/3)/0.6 = 4/9.
func TestKrippendorffAlphaByHand(t *testing.T) {
	got := KrippendorffAlpha([][]float64{{1, 1}, {0, 0}, {1, 0}, {1, math.NaN()}}, NominalMetric)
	if math.Abs(got-4.0/9) > 1e-12 {
		t.Errorf("alpha %v, want 4/9", got)
	}
	if got := KrippendorffAlpha([][]float64{{1, 1}, {1, 1}}, NominalMetric); !math.IsNaN(got) {
		t.Errorf("no variation: alpha %v, want NaN", got)
	}
	if got := KrippendorffAlpha([][]float64{{1, 1}, {0, 0}}, IntervalMetric); got != 1 {
		t.Errorf("perfect agreement: alpha %v", got)
	}
}
