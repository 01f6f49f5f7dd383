package retention_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/retention"
)

// Personal data older than the cut-off is blanked in ClickHouse, recent rows and the proof of
// an objection keep theirs, the counts and the dashboards' rollups do not change, a dry run
// changes nothing, and a second run finds nothing to do.
func TestBlankPersonalData(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	old, recent := now.AddDate(-3, 0, 0), now.AddDate(0, -1, 0)
	cut := now.AddDate(-2, 0, 0)
	load(t, conn, old, recent)

	kpis := func() string {
		var calls, answered uint64
		var talk float64
		if err := conn.QueryRow(ctx, "SELECT count(), countIf(outcome = 'answered'), sum(talk_sec) FROM call_records").Scan(&calls, &answered, &talk); err != nil {
			t.Fatal(err)
		}
		var rolled, rolledAnswered uint64
		var handle float64
		if err := conn.QueryRow(ctx, "SELECT sum(total), sum(answered), sum(handle) FROM call_rollup_15m").Scan(&rolled, &rolledAnswered, &handle); err != nil {
			t.Fatal(err)
		}
		var attempts, dialCustomers uint64
		if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(customer_id) FROM dial_attempts").Scan(&attempts, &dialCustomers); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("calls %d answered %d talk %.0f | rollup %d %d %.0f | attempts %d customers %d", calls, answered, talk, rolled, rolledAnswered, handle, attempts, dialCustomers)
	}
	before := kpis()

	want := map[string]int64{
		"call_records.phone": 3, "callback_requests.phone": 1, "dial_attempts.phone": 1, "sms_messages.phone+body": 1,
		"survey_responses.comment": 1, "customers.name+phone": 1, "dead_letters": 1,
	}
	check := func(what string, got []retention.Removed, want map[string]int64) {
		t.Helper()
		if len(got) != 7 {
			t.Fatalf("%s: %d results, want 7: %+v", what, len(got), got)
		}
		for _, r := range got {
			if r.Rows != want[r.What] {
				t.Errorf("%s: %s %d rows, want %d", what, r.What, r.Rows, want[r.What])
			}
		}
	}
	dry, err := retention.BlankPersonalData(ctx, conn, cut, true)
	if err != nil {
		t.Fatal(err)
	}
	check("dry run", dry, want)
	if n := countPhones(t, conn); n != 12 {
		t.Fatalf("a dry run changed data: %d phones left, want 12", n)
	}

	done, err := retention.BlankPersonalData(ctx, conn, cut, false)
	if err != nil {
		t.Fatal(err)
	}
	check("run", done, want)
	if n := countPhones(t, conn); n != 5 {
		t.Errorf("%d phones left, want 5 (the recent call and attempt, the do-not-call attempt, the opt-out, the customer's newest version)", n)
	}

	// What stays: recent rows, the do-not-call and opt-out proof, each customer's newest version.
	for _, q := range []struct{ query, want string }{
		{"SELECT arrayStringConcat(groupArray(phone), ',') FROM (SELECT phone FROM call_records ORDER BY call_id)", ",,,13800000004"},
		{"SELECT arrayStringConcat(groupArray(phone), ',') FROM (SELECT phone FROM dial_attempts ORDER BY attempt_id)", ",13800000012,13800000013"},
		{"SELECT arrayStringConcat(groupArray(concat(phone, ':', body)), ',') FROM (SELECT phone, body FROM sms_messages ORDER BY message_id)", ":,13800000022:STOP"},
		{"SELECT arrayStringConcat(groupArray(concat(name, ':', phone)), ',') FROM (SELECT name, phone FROM customers ORDER BY updated_ms)", ":,Li Na:13800000031"},
		{"SELECT arrayStringConcat(groupArray(comment), ',') FROM (SELECT comment FROM survey_responses ORDER BY response_id)", ",quick and kind"},
		{"SELECT toString(count()) FROM dead_letters", "0"},
		{"SELECT arrayStringConcat(groupArray(phone), ',') FROM callback_requests", ""},
	} {
		var got string
		if err := conn.QueryRow(ctx, q.query).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != q.want {
			t.Errorf("%s\n got %q\nwant %q", q.query, got, q.want)
		}
	}
	if after := kpis(); after != before {
		t.Errorf("KPIs changed:\nbefore %s\n after %s", before, after)
	}

	again, err := retention.BlankPersonalData(ctx, conn, cut, false)
	if err != nil {
		t.Fatal(err)
	}
	check("second run", again, map[string]int64{})
}

func countPhones(t *testing.T, conn driver.Conn) uint64 {
	t.Helper()
	var n uint64
	err := conn.QueryRow(context.Background(), `SELECT
		(SELECT countIf(phone != '') FROM call_records) + (SELECT countIf(phone != '') FROM callback_requests) +
		(SELECT countIf(phone != '') FROM dial_attempts) + (SELECT countIf(phone != '') FROM sms_messages) +
		(SELECT countIf(phone != '') FROM customers)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// load writes rows before (old) and after (recent) the cut-off into every table with personal
// data: 4 calls (3 old), 3 dial attempts (old: one plain, one do-not-call; recent), 2 texts (old
// plain, old opt-out), 2 versions of a customer (old, newest also old), 2 surveys, a callback
// and a dead letter (old).
func load(t *testing.T, conn driver.Conn, old, recent time.Time) {
	t.Helper()
	ctx := context.Background()
	batch := func(stmt string, rows ...[]any) {
		t.Helper()
		b, err := conn.PrepareBatch(ctx, stmt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	env := "event_id, occurred_at, occurred_ms, tenant, source, schema_version, "
	e := func(at time.Time) []any { return []any{uuid.New(), at, uint16(0), "GD", "test", uint16(1)} }
	row := func(at time.Time, rest ...any) []any { return append(e(at), rest...) }
	call := func(id string, at time.Time, phone, outcome string, talk float64) []any {
		q := at.Add(10 * time.Second)
		return row(at, id, "inbound", "auto", "claims", "C1", phone, "A0001", at, &q, at.Add(5*time.Minute), 20.0, talk, outcome)
	}
	batch("INSERT INTO call_records ("+env+"call_id, direction, queue, business_line, customer_id, phone, agent_id, arrived_at, queued_at, ended_at, wait_sec, talk_sec, outcome)",
		call("c1", old, "13800000001", "answered", 100), call("c2", old.Add(time.Hour), "13800000002", "abandoned", 0),
		call("c3", old.Add(48*time.Hour), "13800000003", "answered", 200), call("c4", recent, "13800000004", "answered", 300))
	batch("INSERT INTO dial_attempts ("+env+"attempt_id, campaign_id, customer_id, phone, dialed_at, ended_at, disposition)",
		row(old, "d1", "renew", "C1", "13800000011", old, old, "refused"),
		row(old, "d2", "renew", "C2", "13800000012", old, old, "do_not_call"),
		row(recent, "d3", "renew", "C3", "13800000013", recent, recent, ""))
	batch("INSERT INTO sms_messages ("+env+"message_id, direction, phone, body)",
		row(old, "m1", "outbound", "13800000021", "Your renewal is due, call us on 95500"),
		row(old, "m2", "inbound", "13800000022", "STOP"))
	batch("INSERT INTO customers ("+env+"customer_id, name, phone)",
		row(old, "C1", "Li Na", "13800000030"), row(old.Add(time.Hour), "C1", "Li Na", "13800000031"))
	batch("INSERT INTO survey_responses ("+env+"response_id, comment)",
		row(old, "s1", "the agent Wang was rude"), row(recent, "s2", "quick and kind"))
	batch("INSERT INTO callback_requests ("+env+"callback_id, phone)", row(old, "b1", "13800000041"))
	batch("INSERT INTO dead_letters (failed_at, reason, message_key, message_value)",
		[]any{old, "bad", "k", `{"phone":"13800000051"}`})
}
