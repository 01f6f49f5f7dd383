package qa

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/clock"
)

func TestWeekStart(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-05-04T00:00:00Z", "2026-05-04"}, // Monday
		{"2026-05-10T23:59:59Z", "2026-05-04"}, // Sunday
		{"2026-05-06T12:00:00Z", "2026-05-04"},
		{"2027-01-01T08:00:00Z", "2026-12-28"}, // across a year
	} {
		at, _ := time.Parse(time.RFC3339, c.in)
		if got := weekStart(at).Format(time.DateOnly); got != c.want {
			t.Errorf("weekStart(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// Run applies retention at once (and then on its schedule) and returns when the context ends.
func TestServiceRunRetention(t *testing.T) {
	sink := &collect{}
	svc, err := NewService(DefaultConfig(t.TempDir()), sink, clock.Real{}, "GD", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := synthFile(t, Timeline{{SegAgent, time.Second}}, 8000, 1)
	f.Seek(0, 0)
	old := time.Now().Add(-3 * Year)
	if _, err := svc.Store.Put(context.Background(), f, RecordingMeta{CallID: "c1", RecordedAt: old}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for (len(sink.ofType("recording.deleted")) == 0 || len(svc.Store.List()) > 0) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(svc.Store.List()); n != 0 {
		t.Errorf("%d recordings left past their retention", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
