package analytics

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Snapshot stores the segmentation as of the day of asOf (00:00 UTC of the next day, so the
// whole day counts) in segment_snapshots, unless that day is already there. It returns whether
// it wrote one.
func (e *Engine) Snapshot(ctx context.Context, asOf time.Time) (bool, error) {
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	var n uint64
	if err := e.Conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM segment_snapshots WHERE as_of = toDate('%s')", day.Format(time.DateOnly))).Scan(&n); err != nil {
		return false, fmt.Errorf("checking segment snapshot %s: %w", day.Format(time.DateOnly), err)
	}
	if n > 0 {
		return false, nil
	}
	sat, loy, err := e.Cuts(ctx, day.AddDate(0, 0, 1), "")
	if err != nil {
		return false, err
	}
	if err := e.Conn.Exec(ctx, SnapshotSQL(e.Settings.Segments, day, sat, loy)); err != nil {
		return false, fmt.Errorf("writing segment snapshot %s: %w", day.Format(time.DateOnly), err)
	}
	return true, nil
}

// SnapshotSQL is the INSERT … SELECT that stores the segmentation at the end of day.
func SnapshotSQL(s SegmentSettings, day time.Time, satCut, loyCut float64) string {
	return fmt.Sprintf(`INSERT INTO segment_snapshots (as_of, tenant, customer_id, quadrant, satisfaction, loyalty, blacklisted, frequent_claims, high_loss_ratio, taken_at)
SELECT toDate('%s'), tenant, customer_id, quadrant, satisfaction, loyalty, blacklisted, frequent_claims, high_loss_ratio, now()
FROM (%s)`, day.Format(time.DateOnly), SegmentSQL(s, day.AddDate(0, 0, 1), "", satCut, loyCut))
}

// Snapshotter takes a segmentation snapshot every day and drops months older than Keep: the
// long-running part of analytics for `hotline run`.
type Snapshotter struct {
	Engine *Engine
	Every  time.Duration // how often to check; default 1 h
	Keep   time.Duration // snapshot retention; default 400 days
	Now    func() time.Time
	Log    *slog.Logger
}

// Run snapshots yesterday (a complete day) at start and whenever a new day completes, until
// ctx ends.
func (s *Snapshotter) Run(ctx context.Context) error {
	every, keep, now, log := s.Every, s.Keep, s.Now, s.Log
	if every <= 0 {
		every = time.Hour
	}
	if keep <= 0 {
		keep = 400 * 24 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		day := now().UTC().AddDate(0, 0, -1)
		if wrote, err := s.Engine.Snapshot(ctx, day); err != nil {
			log.Error("segment snapshot", "day", day.Format(time.DateOnly), "error", err)
		} else if wrote {
			log.Info("segment snapshot taken", "day", day.Format(time.DateOnly))
		}
		old := now().UTC().Add(-keep)
		cut := old.Year()*100 + int(old.Month())
		if err := s.Engine.dropSnapshotsBefore(ctx, cut); err != nil {
			log.Error("dropping old segment snapshots", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// dropSnapshotsBefore drops whole months (partitions) older than yyyymm.
func (e *Engine) dropSnapshotsBefore(ctx context.Context, yyyymm int) error {
	for _, table := range []string{"segment_snapshots", "segment_sizes"} {
		rows, err := e.Conn.Query(ctx, fmt.Sprintf("SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = '%s' AND active", table))
		if err != nil {
			return err
		}
		var parts []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			parts = append(parts, p)
		}
		rows.Close()
		for _, p := range parts {
			var m int
			if _, err := fmt.Sscan(p, &m); err == nil && m < yyyymm {
				if err := e.Conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP PARTITION %d", table, m)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Dashboard SQL over the snapshots. "Latest" is the newest snapshot on or before the range's
// end; "first" the oldest on or after its start.
func latestSnapshot(d Dialect) string {
	return "(SELECT max(as_of) FROM segment_snapshots WHERE as_of <= toDate(" + d.ToSQL() + "))"
}

func firstSnapshot(d Dialect) string {
	return "(SELECT min(as_of) FROM segment_snapshots WHERE as_of >= toDate(" + d.FromSQL() + "))"
}

// SnapshotSizesSQL counts customers per quadrant in the latest snapshot of the range.
func SnapshotSizesSQL(d Dialect, s Settings) string {
	return "SELECT toString(quadrant) AS quadrant, sum(customers) AS `Customers` FROM segment_sizes WHERE as_of = " + latestSnapshot(d) +
		" AND " + dialectTenant(d) + " GROUP BY quadrant ORDER BY quadrant"
}

// SnapshotFlagsSQL gives flags and mean scores per quadrant in the latest snapshot.
func SnapshotFlagsSQL(d Dialect, s Settings) string {
	return "SELECT toString(quadrant) AS quadrant, sum(blacklisted) AS `Blacklisted`, sum(frequent_claims) AS `Frequent claims`, " +
		"sum(high_loss_ratio) AS `High loss ratio`, sum(satisfaction_sum) / sum(customers) AS `Mean satisfaction`, sum(loyalty_sum) / sum(customers) AS `Mean loyalty` " +
		"FROM segment_sizes WHERE as_of = " + latestSnapshot(d) + " AND " + dialectTenant(d) + " GROUP BY quadrant ORDER BY quadrant"
}

// SnapshotTrendSQL is quadrant sizes per snapshot day over the range.
func SnapshotTrendSQL(d Dialect, s Settings) string {
	return "SELECT toDateTime(as_of) AS time, sumIf(customers, quadrant = 'loyal') AS `Loyal`, sumIf(customers, quadrant = 'mercenary') AS `Mercenary`, " +
		"sumIf(customers, quadrant = 'hostage') AS `Hostage`, sumIf(customers, quadrant = 'at_risk') AS `At risk` FROM segment_sizes " +
		"WHERE as_of >= toDate(" + d.FromSQL() + ") AND as_of <= toDate(" + d.ToSQL() + ") AND " + dialectTenant(d) + " GROUP BY time ORDER BY time"
}

// SnapshotMovementsSQL counts customers moving between quadrants from the first to the latest
// snapshot of the range.
func SnapshotMovementsSQL(d Dialect, s Settings) string {
	tc := dialectTenant(d)
	return "SELECT q_from AS `From`, q_to AS `To`, count() AS `Customers` FROM " +
		"(SELECT customer_id, toString(quadrant) AS q_from FROM segment_snapshots WHERE as_of = " + firstSnapshot(d) + " AND " + tc + ") AS before " +
		"ALL INNER JOIN (SELECT customer_id, toString(quadrant) AS q_to FROM segment_snapshots WHERE as_of = " + latestSnapshot(d) + " AND " + tc + ") AS after " +
		"USING customer_id GROUP BY q_from, q_to ORDER BY q_from, q_to"
}
