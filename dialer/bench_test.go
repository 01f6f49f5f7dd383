package dialer

import (
	"bytes"
	"context"
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
	for _, m := range Methods {
		if !strings.Contains(out.String(), " "+m+" ") {
			t.Errorf("table has no row for %s:\n%s", m, out.String())
		}
	}
	for _, col := range []string{"talk min/agent-h", "occupancy", "abandon %", "worst window %", "contacts/agent-h", "mean wait s"} {
		if !strings.Contains(out.String(), col) {
			t.Errorf("table has no column %q", col)
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
