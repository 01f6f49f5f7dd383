package dialer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// quadrants is a Segments with fixed members per segment name.
type quadrants struct {
	members map[string][]string // segment → customer ids
	asked   []string
}

func (q *quadrants) Contacts(_ context.Context, name string, c Campaign, due time.Time) ([]Contact, error) {
	q.asked = append(q.asked, name)
	ids, ok := q.members[name]
	if !ok {
		return nil, fmt.Errorf("no segment %q", name)
	}
	var out []Contact
	for _, id := range ids {
		out = append(out, Contact{ID: c.ID + ":" + id, CustomerID: id, Phone: "+86139" + id[1:] + "0000", Due: due})
	}
	return out, nil
}

func TestSegmentCampaignFromYAML(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
	seg := &quadrants{members: map[string][]string{"at_risk": {"C0001", "C0002", "C0003"}, "loyal": {"C0004"}}}
	newSvc := func(segs Segments) *Service {
		t.Helper()
		svc, err := NewService(ServiceConfig{Campaigns: []Campaign{}, Seed: 1},
			Deps{Clock: clock.NewSim(start), Book: newFakeBook(10, start), Sink: &memSink{}, Segments: segs, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(); err != nil {
			t.Fatal(err)
		}
		return svc
	}
	c, err := ParseCampaign("winback.yaml", []byte("id: winback\ntype: satisfaction_survey\nscript: WB-1\npriority: 4\nlist:\n  segment: at_risk\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.List.Source != "segment" {
		t.Fatalf("list source %q, want segment", c.List.Source)
	}
	svc := newSvc(seg)
	if err := svc.Create(c); err != nil {
		t.Fatal(err)
	}
	svc.deps.Clock.(*clock.Sim).Advance(svc.cfg.StatusEvery) // the next tick starts it
	if len(seg.asked) != 1 || seg.asked[0] != "at_risk" {
		t.Fatalf("segments asked %v, want [at_risk]", seg.asked)
	}
	r := svc.runs["winback"]
	if p := r.list.Progress(); p.Contacts != 3 {
		t.Fatalf("list has %d contacts, want the segment's 3", p.Contacts)
	}
	svc.deps.Clock.(*clock.Sim).Advance(30 * time.Minute) // every call attempted and ended
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	for _, ev := range svc.deps.Sink.(*memSink).evs {
		if d, ok := ev.Payload.(events.DialAttempt); ok && d.Campaign == "winback" && d.CampaignTyp == events.CampaignSatisfaction {
			called[d.Customer] = true
		}
	}
	if len(called) != 3 || !called["C0001"] || !called["C0002"] || !called["C0003"] {
		t.Fatalf("customers called %v, want the at_risk segment's C0001..C0003", called)
	}

	// A list that cannot be read is the creation's error, and leaves no campaign behind.
	bad := c
	bad.ID, bad.List.Segment = "nowhere", "vip"
	if err := svc.Create(bad); err == nil || !strings.Contains(err.Error(), `list.segment "vip"`) {
		t.Fatalf("unknown segment: error %v", err)
	}
	svc.deps.Clock.(*clock.Sim).Advance(svc.cfg.StatusEvery)
	if st, ok := svc.Status("nowhere"); ok || svc.runs["nowhere"] != nil {
		t.Fatalf("a campaign whose segment failed is listed: %+v", st)
	}
	if err := newSvc(nil).Create(c); err == nil || !strings.Contains(err.Error(), "no segment source") {
		t.Fatalf("no segment source: error %v", err)
	}
}
