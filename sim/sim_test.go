package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

func TestProvinceDay(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)) // a Monday
	s, err := New(Options{Profile: Province(), Seed: 1, Start: start, NoBookEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.RunUntil(ctx, start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.Counts()
	var b = new(testWriter)
	c.Print(b)
	t.Log("\n" + b.String())
	if c.Records != c.Calls || c.DoubleEnded != 0 {
		t.Fatalf("%d calls, %d records, %d double-ended", c.Calls, c.Records, c.DoubleEnded)
	}
}

type testWriter struct{ b []byte }

func (w *testWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *testWriter) String() string              { return string(w.b) }

func TestDeterministic(t *testing.T) {
	run := func(seed uint64) (Counts, string) {
		start := time.Date(2026, 11, 3, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		k := &keep{}
		s, err := New(Options{Profile: Province(), Seed: seed, Start: start, Sink: k, Customers: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RunUntil(context.Background(), start.Add(12*time.Hour)); err != nil {
			t.Fatal(err)
		}
		h := fnv.New64a()
		for _, ev := range k.evs {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(b)
		}
		return s.Counts(), fmt.Sprintf("%x/%d", h.Sum64(), len(k.evs))
	}
	c1, h1 := run(5)
	c2, h2 := run(5)
	_, h3 := run(6)
	if h1 != h2 || c1.Calls != c2.Calls {
		t.Fatalf("same seed, different runs: %s vs %s", h1, h2)
	}
	if h1 == h3 {
		t.Fatal("different seeds, same events")
	}
}

func TestBookQueries(t *testing.T) {
	now := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	b := NewBook(1, 3000, now, "GD")
	exp := b.PoliciesExpiring(now, now.AddDate(0, 0, 30))
	if len(exp) == 0 {
		t.Fatal("no policies expiring within 30 days in a book of 3000 customers")
	}
	for i, p := range exp {
		if p.EndDate.Before(now) || !p.EndDate.Before(now.AddDate(0, 0, 30)) || (i > 0 && p.EndDate.Before(exp[i-1].EndDate)) {
			t.Fatalf("policy %s ends %s: outside the window or out of order", p.Policy, p.EndDate)
		}
	}
	closedBefore := len(b.ClaimsClosed(now.AddDate(-1, 0, 0), now.AddDate(0, 0, 1)))
	r := rand.New(rand.NewPCG(1, 1))
	later := now.Add(30 * 24 * time.Hour)
	changed := b.Advance(r, now, later)
	closed := b.ClaimsClosed(now.AddDate(-1, 0, 0), later.Add(time.Hour))
	if len(changed) == 0 || len(closed) <= closedBefore {
		t.Fatalf("advancing 30 days changed %d claims; closed %d → %d", len(changed), closedBefore, len(closed))
	}
	for _, c := range closed {
		if c.Status != "closed" || c.ClosedAt == nil {
			t.Fatalf("claim %+v listed as closed", c)
		}
	}
	// The directory side: a customer's number finds them, and their claim is visible.
	cu, _ := b.Customer("C00000001")
	ref, ok := b.CustomerByPhone(cu.Phone)
	if !ok || ref.ID != cu.Customer {
		t.Fatalf("phone lookup %v %v", ref, ok)
	}
	pop, ok := b.ScreenPop(cu.Customer, now)
	if !ok || len(pop.Policies) == 0 || pop.Customer.Customer != cu.Customer {
		t.Fatalf("screen pop %+v", pop)
	}
}

func TestPopulationAnswers(t *testing.T) {
	p := NewPopulation(9)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	count := func(h int) int {
		n := 0
		for i := 0; i < 2000; i++ {
			at := time.Date(2026, 11, 3, h, i%60, 0, 0, loc)
			if p.Answer(fmt.Sprintf("C%08d", i), at, 30*time.Second).Outcome == "answered" {
				n++
			}
		}
		return n
	}
	night, evening := count(3), count(19)
	if night*3 > evening {
		t.Fatalf("answered at 03:00 %d vs 19:00 %d of 2000", night, evening)
	}
	at := time.Date(2026, 11, 3, 19, 5, 0, 0, loc)
	if p.Answer("C00000042", at, 30*time.Second) != p.Answer("C00000042", at, 30*time.Second) {
		t.Fatal("same question, different answers")
	}
}

// TestProvinceWeekMatchesSeed: a simulated week of the province profile looks like the seed
// documents' provincial centre: about 700 calls a day, a peak day near 1,000, a peak hour near
// 90, and over 80% of queued calls connected with about 25 agents.
func TestProvinceWeekMatchesSeed(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	s, err := New(Options{Profile: Province(), Seed: 11, Start: start, NoBookEvents: true, Customers: 5000})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	busiest, prev := 0, 0
	for d := 1; d <= 7; d++ {
		if err := s.RunUntil(ctx, start.AddDate(0, 0, d)); err != nil {
			t.Fatal(err)
		}
		busiest = max(busiest, s.Counts().Calls-prev)
		prev = s.Counts().Calls
	}
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.Counts()
	sum := c.Summarise()
	agents := 0
	for _, sh := range Province().Shifts {
		agents += sh.Agents
	}
	t.Logf("week: %d calls (%.0f a day), busiest day %d, busiest hour %d, connection %.1f%%, %d agents",
		c.Calls, float64(c.Calls)/7, busiest, c.PeakHour, sum.ConnectionRate*100, agents)
	if avg := float64(c.Calls) / 7; avg < 600 || avg > 850 {
		t.Errorf("average %.0f calls a day, want about 700", avg)
	}
	if busiest < 850 || busiest > 1200 {
		t.Errorf("busiest day %d calls, want about 1,000", busiest)
	}
	if c.PeakHour < 70 || c.PeakHour > 120 {
		t.Errorf("busiest hour %d calls, want about 90", c.PeakHour)
	}
	if rec := s.Engine().Stats().Recovered; c.DesktopsLost == 0 || rec == 0 || rec > c.DesktopsLost {
		t.Errorf("%d desktops lost, %d agents recovered by lease expiry", c.DesktopsLost, rec)
	}
	if err := s.Engine().CheckInvariants(); err != nil {
		t.Error(err)
	}
	for _, ai := range s.Engine().Agents() {
		if ai.State != "logged_out" {
			t.Errorf("agent %s left %s after the drain", ai.Agent, ai.State)
		}
	}
	if sum.ConnectionRate < 0.8 || agents < 20 || agents > 30 {
		t.Errorf("connection rate %.3f with %d agents, want over 80%% with about 25", sum.ConnectionRate, agents)
	}
}

func TestSimulateCommand(t *testing.T) {
	var out strings.Builder
	ql := t.TempDir() + "/queue_log"
	if err := SimulateCommand(context.Background(), []string{"--profile", "province", "--start", "2026-11-05", "--customers", "2000", "--queue-log", ql}, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ql)
	if err != nil || !strings.Contains(string(b), "|ENTERQUEUE|") || !strings.Contains(string(b), "|CONNECT|") {
		t.Fatalf("queue_log %v: %.300s", err, b)
	}
	if !strings.Contains(out.String(), "connection rate") || !strings.Contains(out.String(), "calls with two records: 0") {
		t.Fatalf("output:\n%s", out.String())
	}
	if err := SimulateCommand(context.Background(), []string{"--profile", "atlantis"}, &out); err == nil {
		t.Fatal("unknown profile accepted")
	}
}
