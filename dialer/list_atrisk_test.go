package dialer

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// TestListAtRisk: a contact due now puts its list at risk when its deadline falls inside the
// horizon — a claim's first-attempt deadline only until it is called, a complaint's deadline
// until the person is reached — and never once the deadline has passed or before it is due.
func TestListAtRisk(t *testing.T) {
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, cst)
	riskBy := now.Add(12 * time.Hour)
	tests := []struct {
		name        string
		firstWithin time.Duration
		c           Contact
		called      string // outcome of one call placed before now, "" for none
		want        bool
	}{
		{name: "claim never called, deadline in 10 h", firstWithin: 24 * time.Hour, c: Contact{Due: now.Add(-14 * time.Hour)}, want: true},
		{name: "claim never called, deadline in 20 h", firstWithin: 24 * time.Hour, c: Contact{Due: now.Add(-4 * time.Hour)}},
		{name: "claim never called, deadline past", firstWithin: 24 * time.Hour, c: Contact{Due: now.Add(-25 * time.Hour)}},
		{name: "claim called once, retry due", firstWithin: 24 * time.Hour, c: Contact{Due: now.Add(-14 * time.Hour)}, called: events.AttemptNoAnswer},
		{name: "no first-attempt deadline on the list", c: Contact{Due: now.Add(-14 * time.Hour)}},
		{name: "complaint not reached, deadline in 6 h", c: Contact{Due: now.Add(-48 * time.Hour), Deadline: now.Add(6 * time.Hour)}, called: events.AttemptNoAnswer, want: true},
		{name: "complaint not due yet", c: Contact{Due: now.Add(time.Hour), Deadline: now.Add(6 * time.Hour)}},
		{name: "complaint deadline in 2 days", c: Contact{Due: now.Add(-time.Hour), Deadline: now.Add(48 * time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Retries are due at once, so a called contact is waiting again at now.
			l := NewContactList(RetryPolicy{Busy: time.Nanosecond, NoAnswer: time.Nanosecond, Machine: time.Nanosecond, Failed: time.Nanosecond}, nil)
			l.FirstAttemptWithin(tt.firstWithin)
			tt.c.ID, tt.c.Phone = "K1", "+8613800000001"
			l.Add(tt.c)
			if tt.called != "" {
				at := now.Add(-time.Hour)
				c, ok := l.Next(at)
				if !ok {
					t.Fatal("contact not due for its call")
				}
				if final, _ := l.Report(Result{Contact: c, At: at, Outcome: tt.called}); final {
					t.Fatal("one unanswered call closed the contact")
				}
			}
			if got := l.AtRisk(now, riskBy); got != tt.want {
				t.Errorf("AtRisk = %v, want %v", got, tt.want)
			}
		})
	}
}
