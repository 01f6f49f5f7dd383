package dialer

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

var cst = time.FixedZone("CST", 8*3600)

func TestListDialsNearestDeadlineFirst(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
	l := NewContactList(RetryPolicy{}, nil)
	l.Add(
		Contact{ID: "none", Phone: "+861", Priority: 5, Due: now.Add(-3 * time.Hour)},
		Contact{ID: "late", Phone: "+862", Priority: 5, Due: now.Add(-2 * time.Hour), Deadline: now.Add(96 * time.Hour)},
		Contact{ID: "soon", Phone: "+863", Priority: 5, Due: now.Add(-time.Hour), Deadline: now.Add(20 * time.Hour)},
		Contact{ID: "vip", Phone: "+864", Priority: 9, Due: now.Add(-time.Hour)},
	)
	var got []string
	for {
		c, ok := l.Next(now)
		if !ok {
			break
		}
		got = append(got, c.ID)
	}
	want := []string{"vip", "soon", "late", "none"}
	if len(got) != len(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// TestComplaintDeadlinesOnTheAPI registers complaints of different ages and checks the
// campaign's status counts them as reached in time, overdue or at risk.
func TestComplaintDeadlinesOnTheAPI(t *testing.T) {
	now := time.Date(2026, 3, 4, 8, 0, 0, 0, cst) // Wednesday, before the calling window
	clk := clock.NewSim(now)
	book := newFakeBook(10, now)
	// C0001 answers; everyone else never does.
	far := FarEndFunc(func(c Contact, _ time.Time, maxRing time.Duration) FarEndAnswer {
		if c.CustomerID == "C0001" {
			return FarEndAnswer{Outcome: "person", Ring: 4 * time.Second, Talk: time.Minute}
		}
		return FarEndAnswer{Outcome: events.AttemptNoAnswer, Ring: maxRing}
	})
	var followup Campaign
	for _, c := range DefaultCampaigns() {
		if c.Type == events.CampaignComplaintFollowup {
			followup = c
		}
	}
	svc, err := NewService(ServiceConfig{Campaigns: []Campaign{followup}, Seed: 2, Home: cst},
		Deps{Clock: clk, Book: book, FarEnd: far, Sink: &memSink{}, Calendar: calendar.Calendar{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	register := func(id, customer string, at time.Time) {
		t.Helper()
		if !svc.AddComplaint(events.Complaint{ComplaintID: id, Stage: "registered", Customer: customer, RegisteredAt: at}) {
			t.Fatalf("complaint %s not taken", id)
		}
	}
	register("old", "C0002", time.Date(2026, 2, 20, 11, 0, 0, 0, cst))   // Fri: deadline end of Tue 3 Mar, passed
	register("risky", "C0003", time.Date(2026, 2, 24, 11, 0, 0, 0, cst)) // Tue: deadline end of Thu 5 Mar
	register("fresh", "C0004", time.Date(2026, 3, 3, 16, 0, 0, 0, cst))  // Tue: deadline end of Thu 12 Mar
	register("reached", "C0001", time.Date(2026, 3, 3, 9, 0, 0, 0, cst))
	if svc.AddComplaint(events.Complaint{ComplaintID: "closed", Stage: "closed", Customer: "C0005", RegisteredAt: now}) {
		t.Fatal("a closed complaint was put on the follow-up list")
	}
	clk.Advance(6 * time.Hour) // into the calling window: the reachable customer is called
	st, ok := svc.Status(followup.ID)
	if !ok || st.Deadlines == nil {
		t.Fatalf("status %+v has no deadlines", st)
	}
	want := DeadlineStatus{WithDeadline: 4, ReachedInTime: 1, Overdue: 1, AtRisk: 1}
	if *st.Deadlines != want {
		t.Fatalf("deadlines %+v, want %+v", *st.Deadlines, want)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	svc.Register(srv)
	code, body := do(t, srv, httpapi.RoleManager, "GET", "/api/campaigns/"+followup.ID, "")
	var got struct {
		Deadlines DeadlineStatus `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || got.Deadlines != want {
		t.Fatalf("GET /api/campaigns/%s = %d %s, want deadlines %+v", followup.ID, code, body, want)
	}
	// Friday: "fresh" is still not at risk (deadline next Thursday), "risky" is overdue now.
	clk.Advance(48 * time.Hour)
	st, _ = svc.Status(followup.ID)
	want = DeadlineStatus{WithDeadline: 4, ReachedInTime: 1, Overdue: 2}
	if *st.Deadlines != want {
		t.Fatalf("on Friday: deadlines %+v, want %+v", *st.Deadlines, want)
	}
}
