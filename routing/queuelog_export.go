package routing

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// ReadQueueLog loads the call and agent history of [from, to) from ClickHouse (tenant "" for
// all) into a QueueLog. Kafka offsets order each call's and agent's events, as the producer
// wrote them.
func ReadQueueLog(ctx context.Context, conn driver.Conn, from, to time.Time, tenant string) (*QueueLog, error) {
	q := NewQueueLog()
	where := "occurred_at >= ? AND occurred_at < ? AND (? = '' OR tenant = ?)"
	args := []any{from.UTC(), to.UTC(), tenant, tenant}
	rows, err := conn.Query(ctx, `SELECT call_id, stage, direction, queue, agent_id, business_line, detail,
		toUInt64(toUnixTimestamp(occurred_at)) * 1000 + occurred_ms, kafka_offset FROM call_events WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading call events: %w", err)
	}
	for rows.Next() {
		var l events.CallLifecycle
		var ms, off uint64
		if err := rows.Scan(&l.CallID, &l.Stage, &l.Direction, &l.Queue, &l.Agent, &l.Line, &l.Detail, &ms, &off); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading call events: %w", err)
		}
		q.Add(int64(ms), off, l)
	}
	rows.Close()
	rows, err = conn.Query(ctx, `SELECT agent_id, state, reason, previous_state, queues,
		toUInt64(toUnixTimestamp(occurred_at)) * 1000 + occurred_ms, kafka_offset FROM agent_states WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading agent states: %w", err)
	}
	for rows.Next() {
		var s events.AgentState
		var ms, off uint64
		if err := rows.Scan(&s.Agent, &s.State, &s.Reason, &s.Previous, &s.Queues, &ms, &off); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading agent states: %w", err)
		}
		q.Add(int64(ms), off, s)
	}
	rows.Close()
	// Caller ids come from the records; a call's record is written after its last event, so
	// allow a day past the window.
	rows, err = conn.Query(ctx, `SELECT call_id, phone FROM call_records WHERE arrived_at >= ? AND arrived_at < ? AND (? = '' OR tenant = ?)`,
		from.UTC().Add(-24*time.Hour), to.UTC().Add(24*time.Hour), tenant, tenant)
	if err != nil {
		return nil, fmt.Errorf("reading call records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r events.CallRecord
		if err := rows.Scan(&r.CallID, &r.Phone); err != nil {
			return nil, fmt.Errorf("reading call records: %w", err)
		}
		q.Add(0, 0, r)
	}
	return q, rows.Err()
}

// ExportQueueLogCommand is `hotline routing export-queue-log`.
func ExportQueueLogCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("export-queue-log", stdout, "hotline routing export-queue-log [flags]",
		"Writes the call and agent history stored in ClickHouse as an Asterisk queue_log\n"+
			"(epoch|callid|queue|agent|event|data...), for queue-analytics tools that read it.")
	addr := fs.String("clickhouse-addr", envOr("HOTLINE_CLICKHOUSE_ADDR", "127.0.0.1:9000"), "ClickHouse native host:port")
	db := fs.String("database", envOr("HOTLINE_CLICKHOUSE_DATABASE", "hotline"), "database holding hotline's tables")
	user := fs.String("user", os.Getenv("HOTLINE_CLICKHOUSE_USER"), "ClickHouse user")
	password := fs.String("password", os.Getenv("HOTLINE_CLICKHOUSE_PASSWORD"), "ClickHouse password")
	fromS := fs.String("from", "", "start of the window, RFC 3339 or YYYY-MM-DD (UTC); default: 24 hours ago")
	toS := fs.String("to", "", "end of the window (exclusive); default: now")
	tenant := fs.String("tenant", "", "only this call centre (default: all)")
	out := fs.String("out", "", "file to write (default: standard output)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	to := time.Now().UTC()
	from := to.Add(-24 * time.Hour)
	var err error
	if *fromS != "" {
		if from, err = parseWhen(*fromS); err != nil {
			return fmt.Errorf("export-queue-log: --from: %w", err)
		}
	}
	if *toS != "" {
		if to, err = parseWhen(*toS); err != nil {
			return fmt.Errorf("export-queue-log: --to: %w", err)
		}
	}
	if !to.After(from) {
		return fmt.Errorf("export-queue-log: --to %s is not after --from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	conn, err := chdb.Open(ctx, chdb.Options{Addr: *addr, Database: *db, User: *user, Password: *password})
	if err != nil {
		return fmt.Errorf("export-queue-log: %w", err)
	}
	defer conn.Close()
	q, err := ReadQueueLog(ctx, conn, from, to, *tenant)
	if err != nil {
		return fmt.Errorf("export-queue-log: %w", err)
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("export-queue-log: %w", err)
		}
		defer f.Close()
		w = f
	}
	if _, err := q.WriteTo(w); err != nil {
		return fmt.Errorf("export-queue-log: writing: %w", err)
	}
	return nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
