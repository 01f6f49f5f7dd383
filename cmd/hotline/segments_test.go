package main

import (
	"context"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
)

// TestSegmentContactsQueriesAnalytics: the resolver `hotline run` gives the dialer turns a
// quadrant name into that quadrant's customers (blacklisted left out), and refuses a name that
// is not a quadrant.
func TestSegmentContactsQueriesAnalytics(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(11)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}
	r := segmentContacts{engine: e}
	c := dialer.Campaign{ID: "winback", Type: events.CampaignSatisfaction}
	want, err := e.Segment(ctx, f.End, "", analytics.SegmentFilter{Quadrant: analytics.QuadrantHostage})
	if err != nil || len(want) == 0 {
		t.Fatalf("segment: %v (%d customers)", err, len(want))
	}
	got, err := r.Contacts(ctx, analytics.QuadrantHostage, c, f.End)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d contacts, want the hostage quadrant's %d customers", len(got), len(want))
	}
	for i, ct := range got {
		if ct.CustomerID != want[i].Customer || ct.Phone == "" || ct.CampaignID != "winback" {
			t.Fatalf("contact %d %+v, want customer %s of campaign winback", i, ct, want[i].Customer)
		}
	}
	if _, err := r.Contacts(ctx, "vip", c, f.End); err == nil || !strings.Contains(err.Error(), "vip") {
		t.Fatalf("unknown segment: error %v", err)
	}
}
