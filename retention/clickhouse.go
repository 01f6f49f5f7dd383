package retention

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// blank is personal data in one ClickHouse table that is blanked once older than the policy's
// personal_data period. Rows stay, so every count, duration and KPI over them is unchanged;
// only the columns that identify or describe a person become ”.
type blank struct {
	table, at string   // the table and its time column
	cols      []string // blanked
	// keep selects rows never blanked: the proof of a customer's objection, which the dialer
	// reads back after a restart and must honour for good (do-not-call, wrong number, opt-out
	// texts: Compliance.Restore); a customer's newest version (the book of business).
	keep string
}

var blanks = []blank{
	{table: "call_records", at: "arrived_at", cols: []string{"phone"}},
	{table: "callback_requests", at: "occurred_at", cols: []string{"phone"}},
	{table: "dial_attempts", at: "dialed_at", cols: []string{"phone"},
		keep: "disposition IN ('do_not_call', 'wrong_number')"},
	{table: "sms_messages", at: "occurred_at", cols: []string{"phone", "body"},
		keep: "direction = 'inbound' AND length(body) <= 32"},
	{table: "survey_responses", at: "occurred_at", cols: []string{"comment"}},
	{table: "customers", at: "occurred_at", cols: []string{"name", "phone"},
		keep: "(tenant, customer_id, updated_ms) IN (SELECT tenant, customer_id, max(updated_ms) FROM customers GROUP BY tenant, customer_id)"},
}

// where selects the rows of b older than before that still hold something to blank.
func (b blank) where(before time.Time) string {
	var set []string
	for _, c := range b.cols {
		set = append(set, c+" != ''")
	}
	w := fmt.Sprintf("%s < toDateTime(%d) AND (%s)", b.at, before.Unix(), strings.Join(set, " OR "))
	if b.keep != "" {
		w += " AND NOT (" + b.keep + ")"
	}
	return w
}

// Removed is what one step removed (or, in a dry run, would remove).
type Removed struct {
	What  string `json:"what"`  // "call_records.phone", "audit_log"
	Rows  int64  `json:"rows"`  // rows blanked or deleted
	Scope string `json:"scope"` // which ones: "older than 2024-12-01"
}

// BlankPersonalData blanks the personal data of rows older than before in every table that holds
// it, and deletes dead letters (raw messages) older than before. It counts first and changes
// only tables with something to change, so a second run changes nothing; with dryRun it only
// counts. Each change is a ClickHouse mutation (ALTER TABLE … UPDATE / DELETE, which 18.16 and
// current releases run alike); it waits for them to finish, so the counts are what is gone.
func BlankPersonalData(ctx context.Context, conn driver.Conn, before time.Time, dryRun bool) ([]Removed, error) {
	scope := "older than " + before.UTC().Format(time.DateOnly)
	var out []Removed
	for _, b := range blanks {
		where := b.where(before)
		n, err := count(ctx, conn, b.table, where)
		if err != nil {
			return out, err
		}
		if n > 0 && !dryRun {
			var set []string
			for _, c := range b.cols {
				set = append(set, c+" = ''")
			}
			if err := mutate(ctx, conn, b.table, fmt.Sprintf("ALTER TABLE %s UPDATE %s WHERE %s", b.table, strings.Join(set, ", "), where)); err != nil {
				return out, err
			}
		}
		out = append(out, Removed{What: b.table + "." + strings.Join(b.cols, "+"), Rows: int64(n), Scope: scope})
	}
	where := fmt.Sprintf("failed_at < toDateTime(%d)", before.Unix())
	n, err := count(ctx, conn, "dead_letters", where)
	if err != nil {
		return out, err
	}
	if n > 0 && !dryRun {
		if err := mutate(ctx, conn, "dead_letters", "ALTER TABLE dead_letters DELETE WHERE "+where); err != nil {
			return out, err
		}
	}
	return append(out, Removed{What: "dead_letters", Rows: int64(n), Scope: scope}), nil
}

func count(ctx context.Context, conn driver.Conn, table, where string) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE "+where).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting old personal data in %s: %w", table, err)
	}
	return n, nil
}

// mutate runs an ALTER … UPDATE/DELETE and waits until ClickHouse has applied it to every part.
func mutate(ctx context.Context, conn driver.Conn, table, stmt string) error {
	if err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("removing old personal data from %s: %w", table, err)
	}
	for {
		var pending uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = ? AND is_done = 0", table).Scan(&pending); err != nil {
			return fmt.Errorf("waiting for the removal from %s: %w", table, err)
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the removal from %s: %w", table, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
