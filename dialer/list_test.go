package dialer

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

var base = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestRetryScheduling(t *testing.T) {
	p := RetryPolicy{MaxFailedCalls: 3}
	cb := base.Add(26 * time.Hour)
	tests := []struct {
		name            string
		r               Result
		attempts, fails int
		wantFinal       string
		wantRetry       time.Time
		wantFallback    bool
	}{
		{"busy: 10 minutes", Result{Outcome: events.AttemptBusy}, 1, 1, "", base.Add(10 * time.Minute), false},
		{"no answer: 2 hours", Result{Outcome: events.AttemptNoAnswer}, 1, 1, "", base.Add(2 * time.Hour), false},
		{"voicemail: 4 hours", Result{Outcome: events.AttemptMachine}, 1, 1, "", base.Add(4 * time.Hour), false},
		{"machine with early retry: 1 hour", Result{Outcome: events.AttemptMachine, Disposition: "machine_retry"}, 1, 1, "", base.Add(time.Hour), false},
		{"failed: a day", Result{Outcome: events.AttemptFailed}, 1, 1, "", base.Add(24 * time.Hour), false},
		{"dropped: not before the 72 h lockout", Result{Outcome: events.AttemptDropped}, 1, 1, "", base.Add(72 * time.Hour), false},
		{"callback requested at a time", Result{Outcome: events.AttemptConnected, Disposition: DispositionCallback, CallbackAt: cb}, 1, 0, "", cb, false},
		{"connected: reached", Result{Outcome: events.AttemptConnected, Disposition: "renewed"}, 1, 0, FinalReached, time.Time{}, false},
		{"last attempt fails: exhausted", Result{Outcome: events.AttemptNoAnswer}, 6, 6, FinalExhausted, time.Time{}, false},
		{"third failure: SMS fallback", Result{Outcome: events.AttemptNoAnswer}, 3, 3, "", base.Add(2 * time.Hour), true},
		{"calling window: try in an hour", Result{Outcome: events.AttemptBlocked, BlockedRule: RuleCallingWindow}, 0, 0, "", base.Add(time.Hour), false},
		{"abandon lockout: 72 h", Result{Outcome: events.AttemptBlocked, BlockedRule: RuleAbandonLockout}, 1, 1, "", base.Add(72 * time.Hour), false},
		{"do-not-call: final", Result{Outcome: events.AttemptBlocked, BlockedRule: RuleDNCNational}, 0, 0, FinalBlocked, time.Time{}, false},
		{"max attempts rule: exhausted", Result{Outcome: events.AttemptBlocked, BlockedRule: RuleMaxAttempts}, 6, 6, FinalExhausted, time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.At = base
			d := p.Decide(tc.r, tc.attempts, tc.fails, 6)
			if d.Final != tc.wantFinal || !d.RetryAt.Equal(tc.wantRetry) || d.Fallback != tc.wantFallback {
				t.Errorf("Decide = %+v, want final %q retry %s fallback %v", d, tc.wantFinal, tc.wantRetry, tc.wantFallback)
			}
		})
	}
}

func contact(id, phone string, prio int, due time.Time) Contact {
	return Contact{ID: id, CustomerID: "C" + id, Phone: phone, CampaignID: "r1", CampaignType: events.CampaignRenewal, Priority: prio, Due: due}
}

func TestContactListOrderAndDedupe(t *testing.T) {
	l := NewContactList(RetryPolicy{}, nil)
	n := l.Add(
		contact("a", "+8613800000001", 1, base),
		contact("b", "+8613800000002", 5, base.Add(time.Minute)),
		contact("c", "+8613800000003", 3, base),
		contact("a2", "+8613800000001", 9, base), // same number as a: merged, priority raised
		contact("d", "+8613800000004", 9, base.Add(time.Hour)),
	)
	if n != 4 {
		t.Errorf("added %d, want 4 (one duplicate number)", n)
	}
	var got []string
	for {
		c, ok := l.Next(base.Add(2 * time.Minute))
		if !ok {
			break
		}
		got = append(got, c.ID)
	}
	want := []string{"a", "b", "c"} // d is not due yet; a carries the duplicate's priority 9
	if len(got) != len(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestContactListRetriesToFinal(t *testing.T) {
	var fallbacks []string
	l := NewContactList(RetryPolicy{MaxFailedCalls: 2}, func(Contact) int { return 3 })
	l.OnFallback(func(c Contact) { fallbacks = append(fallbacks, c.ID) })
	l.Add(contact("a", "+8613800000001", 0, base))
	now := base
	outcomes := []string{events.AttemptBusy, events.AttemptNoAnswer, events.AttemptNoAnswer}
	for i, o := range outcomes {
		c, ok := l.Next(now)
		if !ok {
			t.Fatalf("attempt %d: contact not due at %s", i+1, now)
		}
		if c.Attempt != i+1 {
			t.Errorf("attempt number %d, want %d", c.Attempt, i+1)
		}
		final, retry := l.Report(Result{Contact: c, At: now, Outcome: o})
		if i < 2 && (final || retry.IsZero()) {
			t.Fatalf("attempt %d: final=%v retry=%s", i+1, final, retry)
		}
		if i == 2 && !final {
			t.Fatalf("third failed attempt of 3 did not close the contact")
		}
		if _, ok := l.Next(now); ok && i < 2 {
			t.Fatalf("contact due again before its retry time")
		}
		now = retry
	}
	if len(fallbacks) != 1 {
		t.Errorf("SMS fallback fired %d times, want once after the 2nd failure", len(fallbacks))
	}
	p := l.Progress()
	if p.Final[FinalExhausted] != 1 || p.Penetration != 1 {
		t.Errorf("progress %+v, want one exhausted contact and full penetration", p)
	}
}

func TestContactListCoverage(t *testing.T) {
	l := NewContactList(RetryPolicy{}, nil)
	l.Add(contact("a", "+8613800000001", 0, base), contact("b", "+8613800000002", 0, base))
	c, _ := l.Next(base.Add(time.Hour))
	l.Report(Result{Contact: c, At: base.Add(time.Hour), Outcome: events.AttemptConnected})
	c, _ = l.Next(base.Add(30 * time.Hour))
	l.Report(Result{Contact: c, At: base.Add(30 * time.Hour), Outcome: events.AttemptNoAnswer})
	first, reach, n := l.Coverage(base, base.Add(time.Minute), 24*time.Hour, 72*time.Hour)
	if n != 2 || first != 0.5 || reach != 0.5 {
		t.Errorf("coverage first=%v reach=%v n=%d, want 0.5, 0.5, 2", first, reach, n)
	}
}

func TestContactListSecondPolicyOfACalledNumber(t *testing.T) {
	l := NewContactList(RetryPolicy{}, nil)
	l.Add(contact("p1", "+8613800000001", 0, base))
	c, _ := l.Next(base)
	l.Report(Result{Contact: c, At: base, Outcome: events.AttemptConnected, Disposition: "renewed"})
	// Same policy again (a list refresh): ignored. Another policy of the same customer: a new contact.
	if n := l.Add(contact("p1", "+8613800000001", 0, base)); n != 0 {
		t.Errorf("the same policy was added again")
	}
	if n := l.Add(contact("p2", "+8613800000001", 0, base.Add(24*time.Hour))); n != 1 {
		t.Errorf("a second policy of a reached number was not added")
	}
	if n := l.Prune(base.Add(time.Hour)); n != 1 {
		t.Errorf("pruned %d, want the one closed contact", n)
	}
	if p := l.Progress(); p.Contacts != 1 || p.Open != 1 {
		t.Errorf("after pruning: %+v", p)
	}
}

// TestListReturn: a contact handed out and returned undialled is due again at once with its
// attempt count unchanged; returning one that is not in flight changes nothing.
func TestListReturn(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := NewContactList(RetryPolicy{}, nil)
	l.Add(Contact{ID: "1", Phone: "+8613800000001", Priority: 5}, Contact{ID: "2", Phone: "+8613800000002", Priority: 1})
	c, ok := l.Next(now)
	if !ok || c.ID != "1" {
		t.Fatalf("first Next %+v %v", c, ok)
	}
	l.Return(c)
	l.Return(c) // twice: still one entry due
	for i, want := range []string{"1", "2"} {
		got, ok := l.Next(now)
		if !ok || got.ID != want || got.Attempt != 1 {
			t.Fatalf("Next %d after Return: %+v %v, want contact %s attempt 1", i, got, ok, want)
		}
	}
	if _, ok := l.Next(now); ok {
		t.Fatal("a returned contact came back twice")
	}
}
