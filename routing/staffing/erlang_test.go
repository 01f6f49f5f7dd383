package staffing

import (
	"context"
	"math"
	"strings"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestErlangCPublishedValues(t *testing.T) {
	tests := []struct {
		name   string
		a      float64
		n      int
		wantPW float64
		tol    float64
	}{
		{"textbook exact A=1 N=2", 1, 2, 1.0 / 3, 1e-12},
		{"textbook exact A=2 N=3", 2, 3, 4.0 / 9, 1e-12},
		// callcentrehelper.com "Erlang C formula made simple": 100 calls / 30 min, AHT 180 s.
		{"A=10 N=14", 10, 14, 0.1741, 5e-5},
		{"A=10 N=11", 10, 11, 0.6821, 5e-5},
	}
	for _, tt := range tests {
		if got := ErlangC(tt.a, tt.n); !near(got, tt.wantPW, tt.tol) {
			t.Errorf("%s: P(wait) %.6f, want %.6f", tt.name, got, tt.wantPW)
		}
	}
	// Same example: SL(20 s) = 1 − Pw·e^{−(N−A)·t/AHT} and ASA = Pw·AHT/(N−A) from the published Pw.
	r, err := C(Load{CallsPerHour: 200, AHT: 180}, 14, 20)
	if err != nil {
		t.Fatal(err)
	}
	if wantSL, wantASA := 1-0.1741*math.Exp(-4*20.0/180), 0.1741*180/4; !near(r.SL, wantSL, 1e-4) || !near(r.ASA, wantASA, 0.01) {
		t.Errorf("SL %.4f ASA %.2f", r.SL, r.ASA)
	}
	got, err := AgentsFor(Load{CallsPerHour: 200, AHT: 180}, 0.8, 20, 0)
	if err != nil || got.Agents != 14 {
		t.Errorf("agents for 80/20: %+v %v", got, err)
	}
}

func TestErlangALimits(t *testing.T) {
	l := Load{CallsPerHour: 300, AHT: 240} // 20 Erlangs
	// Very patient callers: Erlang A tends to Erlang C.
	a, err := A(l, 24, 20, 1e7)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := C(l, 24, 20)
	if !near(a.PWait, c.PWait, 1e-3) || !near(a.SL, c.SL, 1e-3) || a.PAbandon > 1e-3 {
		t.Fatalf("patient Erlang A %+v vs Erlang C %+v", a, c)
	}
	// Impatient callers abandon more and wait less; fewer agents reach the same target.
	imp, _ := A(l, 24, 20, 60)
	if imp.PAbandon <= 0.001 || imp.PWait >= c.PWait || imp.ASA >= c.ASA {
		t.Fatalf("impatient %+v vs C %+v", imp, c)
	}
	// Overloaded: Erlang A stays finite, abandonment absorbs the excess λ − Nμ.
	over, _ := A(l, 15, 20, 120)
	lam, mu := 300.0/3600, 1/240.0
	if want := (lam - 15*mu) / lam; over.PAbandon < want*0.9 {
		t.Fatalf("overloaded abandon %.3f, at least about %.3f expected", over.PAbandon, want)
	}
	na, _ := AgentsFor(l, 0.8, 20, 90)
	nc, _ := AgentsFor(l, 0.8, 20, 0)
	if na.Agents > nc.Agents {
		t.Fatalf("Erlang A needs %d agents, more than Erlang C %d", na.Agents, nc.Agents)
	}
}

func TestCommand(t *testing.T) {
	var out strings.Builder
	if err := Command(context.Background(), []string{"--calls-per-hour", "200", "--aht", "180", "--sl", "80", "--patience", "120"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Erlang C: 14 agents") || !strings.Contains(out.String(), "Erlang A (patience 120 s)") {
		t.Fatalf("output:\n%s", out.String())
	}
	if err := Command(context.Background(), []string{"--aht", "180"}, &out); err == nil {
		t.Fatal("missing calls per hour accepted")
	}
}
