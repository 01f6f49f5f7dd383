package dialer

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBenchPrintsEveryMethod(t *testing.T) {
	var out bytes.Buffer
	err := Bench(context.Background(), []string{"-agents", "5", "-contact", "0.3", "-talk", "90s", "-seeds", "1", "-hours", "0.5"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range append(Methods, MethodOracle) {
		if !strings.Contains(out.String(), " "+m+" ") {
			t.Errorf("table has no row for %s:\n%s", m, out.String())
		}
	}
	for _, col := range []string{"talk min/agent-h", "occupancy", "abandon %", "worst window %", "contacts/agent-h", "mean wait s", "B* setup", "H vs B*", "O talk", "G(O)", "G ≥ 1/3"} {
		if !strings.Contains(out.String(), col) {
			t.Errorf("table has no column %q", col)
		}
	}
}

// TestBenchIsDeterministic: two runs of a reduced benchmark, parallel, print the same tables
// (the elapsed time apart).
func TestBenchIsDeterministic(t *testing.T) {
	run := func() string {
		var out bytes.Buffer
		err := Bench(context.Background(), []string{"-agents", "5,20", "-contact", "0.3", "-talk", "90s", "-seeds", "2", "-hours", "0.25", "-parallel", "2"}, &out)
		if err != nil {
			t.Fatal(err)
		}
		return elapsed.ReplaceAllString(out.String(), "in <elapsed>;")
	}
	if a, b := run(), run(); a != b {
		t.Errorf("two runs differ:\n%s\n---\n%s", a, b)
	}
}

var elapsed = regexp.MustCompile(`in [0-9hms.µ]+;`)

func TestWorkloadCeiling(t *testing.T) {
	for _, tc := range []struct {
		w    Workload
		want float64
	}{
		{Workload{TalkMean: 90 * time.Second}, 60 * 90.0 / 110},
		{Workload{TalkMean: 300 * time.Second}, 60 * 300.0 / 320},
		{Workload{TalkMean: 60 * time.Second, WrapMean: 60 * time.Second}, 30},
	} {
		if got := tc.w.Ceiling(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s talk, %s wrap: ceiling %.3f, want %.3f", tc.w.TalkMean, tc.w.WrapMean, got, tc.want)
		}
	}
}

func TestBenchHelp(t *testing.T) {
	var out bytes.Buffer
	if err := Bench(context.Background(), []string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "-seeds") {
		t.Errorf("help does not list flags:\n%s", out.String())
	}
}

func BenchmarkSimulateHotline20Agents(b *testing.B) {
	for b.Loop() {
		if _, err := Simulate(SimOptions{Workload: Workload{Agents: 20, ContactRate: 0.3, TalkMean: 90 * time.Second}, Method: MethodHotline, Seed: 1, Hours: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSimulateVICIdial20Agents(b *testing.B) {
	for b.Loop() {
		if _, err := Simulate(SimOptions{Workload: Workload{Agents: 20, ContactRate: 0.3, TalkMean: 90 * time.Second}, Method: MethodTapered, Seed: 1, Hours: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
