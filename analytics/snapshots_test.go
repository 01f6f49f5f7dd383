package analytics

import (
	"context"
	"sort"
	"testing"
	"time"
)

// Snapshots hold exactly what the live segmentation gives for their day, and the dashboard
// queries over them agree with the live sizes and movements.
func TestSnapshotsMatchLiveSegmentation(t *testing.T) {
	e, f := loaded(t, 31)
	ctx := context.Background()
	d1, d2 := f.Start, f.End.AddDate(0, 0, -1)
	for _, d := range []time.Time{d1, d2} {
		wrote, err := e.Snapshot(ctx, d)
		if err != nil || !wrote {
			t.Fatalf("snapshot %v: wrote %v, %v", d, wrote, err)
		}
		again, err := e.Snapshot(ctx, d)
		if err != nil || again {
			t.Fatalf("second snapshot of %v: wrote %v, %v", d, again, err)
		}
	}
	if _, err := e.Snapshot(ctx, d1.AddDate(0, 0, 1)); err == nil {
		t.Error("a snapshot before the latest one was taken: its successor's changes would be wrong")
	}
	live, err := e.Segment(ctx, d2.AddDate(0, 0, 1), "", SegmentFilter{IncludeBlacklist: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Conn.Query(ctx, "SELECT customer_id, toString(quadrant), satisfaction, loyalty FROM segment_snapshots WHERE as_of = toDate('"+d2.Format(time.DateOnly)+"') ORDER BY customer_id")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var id, q string
		var s, l float64
		if err := rows.Scan(&id, &q, &s, &l); err != nil {
			t.Fatal(err)
		}
		if i >= len(live) || live[i].Customer != id || live[i].Quadrant != q || !close(live[i].Satisfaction, s) || !close(live[i].Loyalty, l) {
			t.Fatalf("snapshot row %d: %s %s", i, id, q)
		}
		i++
	}
	rows.Close()
	if i != len(live) || i == 0 {
		t.Fatalf("snapshot has %d customers, live %d", i, len(live))
	}
	p := Period{From: d1, To: f.End}
	sizes, err := e.QuadrantSizes(ctx, d2.AddDate(0, 0, 1), "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	r2, err := e.Conn.Query(ctx, SnapshotSizesSQL(p, e.Settings))
	if err != nil {
		t.Fatal(err)
	}
	for r2.Next() {
		var q string
		var n uint64
		r2.Scan(&q, &n)
		got[q] = n
	}
	r2.Close()
	for q, n := range sizes {
		if got[q] != n {
			t.Errorf("quadrant %s: snapshot %d, live %d", q, got[q], n)
		}
	}
	moves, err := e.Movements(ctx, d1.AddDate(0, 0, 1), d2.AddDate(0, 0, 1), "")
	if err != nil {
		t.Fatal(err)
	}
	r3, err := e.Conn.Query(ctx, SnapshotMovementsSQL(p, e.Settings))
	if err != nil {
		t.Fatal(err)
	}
	var snap []Movement
	for r3.Next() {
		var m Movement
		r3.Scan(&m.From, &m.To, &m.Count)
		snap = append(snap, m)
	}
	r3.Close()
	sort.Slice(moves, func(i, j int) bool { return moves[i].From+moves[i].To < moves[j].From+moves[j].To })
	sort.Slice(snap, func(i, j int) bool { return snap[i].From+snap[i].To < snap[j].From+snap[j].To })
	if len(moves) == 0 || len(moves) != len(snap) {
		t.Fatalf("movements live %v, snapshots %v", moves, snap)
	}
	for i := range moves {
		if moves[i] != snap[i] {
			t.Errorf("movement %d: live %v, snapshots %v", i, moves[i], snap[i])
		}
	}
	// Trend: one row per snapshot day.
	r4, err := e.Conn.Query(ctx, SnapshotTrendSQL(p, e.Settings))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r4.Next() {
		n++
	}
	r4.Close()
	if n != 2 {
		t.Errorf("trend has %d days, want 2", n)
	}
}

// The daily jobs snapshot yesterday, drops months past retention, and returns when ctx ends.
func TestSnapshotterRun(t *testing.T) {
	e, f := loaded(t, 37)
	ctx, cancel := context.WithCancel(context.Background())
	old := f.Start.AddDate(0, -3, 0)
	if _, err := e.Snapshot(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	now := f.End.Add(6 * time.Hour)
	s := &DailyJobs{Engine: e, Every: time.Hour, Keep: 45 * 24 * time.Hour, Now: func() time.Time { return now }}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var days []time.Time
		rows, err := e.Conn.Query(context.Background(), "SELECT DISTINCT as_of FROM segment_snapshots ORDER BY as_of")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d time.Time
			rows.Scan(&d)
			days = append(days, d)
		}
		rows.Close()
		if len(days) == 1 && days[0].Format(time.DateOnly) == f.End.AddDate(0, 0, -1).Format(time.DateOnly) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshot days %v: want only %s (old month dropped)", days, f.End.AddDate(0, 0, -1).Format(time.DateOnly))
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
