package analytics

import (
	"context"
	"fmt"
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
	wrote := false
	if n == 0 {
		// Changes chain each snapshot to the one before: a day slipped in before a later
		// snapshot would leave that one's changes relative to the wrong day.
		var latest time.Time
		if err := e.Conn.QueryRow(ctx, "SELECT max(as_of) FROM segment_sizes").Scan(&latest); err != nil {
			return false, fmt.Errorf("checking segment snapshots: %w", err)
		}
		if latest.After(day) {
			return false, fmt.Errorf("segment snapshot %s: a later snapshot (%s) exists; snapshots are taken in day order", day.Format(time.DateOnly), latest.Format(time.DateOnly))
		}
		sat, loy, err := e.Cuts(ctx, day.AddDate(0, 0, 1), "")
		if err != nil {
			return false, err
		}
		if err := e.Conn.Exec(ctx, SnapshotSQL(e.Settings.Segments, day, sat, loy)); err != nil {
			return false, fmt.Errorf("writing segment snapshot %s: %w", day.Format(time.DateOnly), err)
		}
		wrote = true
	}
	return wrote, e.snapshotChanges(ctx, day)
}

// snapshotChanges writes the quadrant changes from the previous snapshot to day's, unless
// they are there (their marker row), e.g. after a crash between the two inserts.
func (e *Engine) snapshotChanges(ctx context.Context, day time.Time) error {
	d := day.Format(time.DateOnly)
	var marked uint64
	var prev time.Time
	if err := e.Conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM segment_changes WHERE as_of = toDate('%s') AND customer_id = ''", d)).Scan(&marked); err != nil {
		return fmt.Errorf("checking segment changes %s: %w", d, err)
	}
	if marked > 0 {
		return nil
	}
	if err := e.Conn.QueryRow(ctx, fmt.Sprintf("SELECT max(as_of) FROM segment_snapshots WHERE as_of < toDate('%s')", d)).Scan(&prev); err != nil {
		return fmt.Errorf("finding the snapshot before %s: %w", d, err)
	}
	if err := e.Conn.Exec(ctx, SnapshotChangesSQL(day, prev)); err != nil {
		return fmt.Errorf("writing segment changes %s: %w", d, err)
	}
	return nil
}

// SnapshotChangesSQL stores the customers whose quadrant differs between the snapshots of prev
// and day (” where absent), then the marker row. With no earlier snapshot (prev before 1971)
// only the marker is written: movements never start before the first snapshot.
func SnapshotChangesSQL(day, prev time.Time) string {
	d, p := day.Format(time.DateOnly), prev.Format(time.DateOnly)
	marker := fmt.Sprintf("SELECT toDate('%s'), toDate('%s'), '', '', '', ''", d, p)
	if prev.Year() < 1971 {
		return "INSERT INTO segment_changes (as_of, prev_as_of, tenant, customer_id, q_prev, q_new) " + marker
	}
	return fmt.Sprintf(`INSERT INTO segment_changes (as_of, prev_as_of, tenant, customer_id, q_prev, q_new)
SELECT toDate('%[1]s'), toDate('%[2]s'), t, customer_id, q_prev, q_new
FROM (SELECT CAST(tenant AS String) AS t, customer_id, anyIf(toString(quadrant), as_of = toDate('%[2]s')) AS q_prev,
    anyIf(toString(quadrant), as_of = toDate('%[1]s')) AS q_new
  FROM segment_snapshots WHERE as_of IN (toDate('%[2]s'), toDate('%[1]s')) GROUP BY t, customer_id)
WHERE q_prev != q_new
UNION ALL %[3]s`, d, p, marker)
}

// SnapshotSQL is the INSERT … SELECT that stores the segmentation at the end of day.
func SnapshotSQL(s SegmentSettings, day time.Time, satCut, loyCut float64) string {
	return fmt.Sprintf(`INSERT INTO segment_snapshots (as_of, tenant, customer_id, quadrant, satisfaction, loyalty, blacklisted, frequent_claims, high_loss_ratio, taken_at)
SELECT toDate('%s'), tenant, customer_id, quadrant, satisfaction, loyalty, blacklisted, frequent_claims, high_loss_ratio, now()
FROM (%s)`, day.Format(time.DateOnly), SegmentSQL(s, day.AddDate(0, 0, 1), "", satCut, loyCut))
}

// dropSnapshotsBefore drops whole months (partitions) older than yyyymm.
func (e *Engine) dropSnapshotsBefore(ctx context.Context, yyyymm int) error {
	for _, table := range []string{"segment_snapshots", "segment_sizes", "segment_changes"} {
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
	return "(SELECT max(as_of) FROM segment_sizes WHERE as_of <= toDate(" + d.ToSQL() + "))"
}

func firstSnapshot(d Dialect) string {
	return "(SELECT min(as_of) FROM segment_sizes WHERE as_of >= toDate(" + d.FromSQL() + "))"
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
// snapshot of the range, composed from the changes between consecutive snapshots: a customer
// who changed goes from the quadrant before their first change to the one after their last;
// everyone else in the first snapshot stayed where they were.
func SnapshotMovementsSQL(d Dialect, s Settings) string {
	tc := dialectTenant(d)
	first, latest := firstSnapshot(d), latestSnapshot(d)
	movers := fmt.Sprintf("(SELECT customer_id, argMin(q_prev, as_of) AS q_from, argMax(q_new, as_of) AS q_to FROM segment_changes "+
		"WHERE as_of > %s AND as_of <= %s AND customer_id != '' AND %s GROUP BY tenant, customer_id)", first, latest, tc)
	return fmt.Sprintf("SELECT q_from AS `From`, q_to AS `To`, toUInt64(sum(n)) AS `Customers` FROM ("+
		"SELECT q_from, q_to, toInt64(count()) AS n FROM %[1]s WHERE q_from != '' AND q_to != '' GROUP BY q_from, q_to "+
		"UNION ALL SELECT CAST(quadrant AS String) AS q_from, CAST(quadrant AS String) AS q_to, toInt64(sum(customers)) AS n FROM segment_sizes "+
		"WHERE as_of = %[2]s AND %[3]s GROUP BY quadrant "+
		"UNION ALL SELECT q_from, q_from AS q_to, -toInt64(count()) AS n FROM %[1]s WHERE q_from != '' GROUP BY q_from) "+
		"GROUP BY q_from, q_to HAVING sum(n) > 0 ORDER BY q_from, q_to", movers, first, tc)
}
