package ingest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// An insert is not all or nothing in ClickHouse: a block spanning two months is written as one
// part per month, one after the other, and the materialised views are filled after the fact
// table. So when an insert failed, or a new owner of a partition finds rows above the committed
// offset (the previous owner's last insert, in doubt), ingest repairs instead of trusting a
// single row: it inserts exactly the fact rows that are missing, then compares each derived
// table with an aggregate of its facts for the partition and the time buckets the rows touch,
// and inserts the difference. Only the partition's owner writes those rows, so the comparison
// is race-free, and every step only adds what is missing, so a repair cut short by another fault
// is completed by the next one.

// span is the Kafka and time extent of one partition's rows in a record.
type span struct {
	tp         position
	lo, hi     int64  // offsets
	tmin, tmax uint32 // occurred_at, unix seconds
}

// recordSpans returns the extent of a record's rows per partition.
func recordSpans(s *tableSchema, rec arrow.RecordBatch) []span {
	k := len(s.columns) - len(positionColumns)
	topics := rec.Column(k).(*array.String)
	parts := rec.Column(k + 1).(*array.Int64)
	offs := rec.Column(k + 2).(*array.Int64)
	at := rec.Column(1).(*array.Timestamp)
	idx := map[position]int{}
	var out []span
	for i := 0; i < int(rec.NumRows()); i++ {
		tp := position{Topic: topics.Value(i), Partition: int(parts.Value(i))}
		o, t := offs.Value(i), uint32(max(int64(at.Value(i)), 0))
		j, ok := idx[tp]
		if !ok {
			idx[tp] = len(out)
			out = append(out, span{tp: tp, lo: o, hi: o, tmin: t, tmax: t})
			continue
		}
		sp := &out[j]
		sp.lo, sp.hi = min(sp.lo, o), max(sp.hi, o)
		sp.tmin, sp.tmax = min(sp.tmin, t), max(sp.tmax, t)
	}
	return out
}

// missingRows returns the rows of rec that table does not hold yet (by Kafka position), as a new
// record, or nil when it holds them all.
func missingRows(ctx context.Context, conn driver.Conn, mem memory.Allocator, s *tableSchema, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	present := map[position]bool{}
	for _, sp := range recordSpans(s, rec) {
		rows, err := conn.Query(ctx, "SELECT kafka_offset FROM "+s.table+
			" WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset BETWEEN ? AND ? AND toUInt32(occurred_at) BETWEEN ? AND ?",
			sp.tp.Topic, uint16(sp.tp.Partition), uint64(sp.lo), uint64(sp.hi), sp.tmin, sp.tmax)
		if err != nil {
			return nil, fmt.Errorf("reading stored rows of %s: %w", s.table, err)
		}
		for rows.Next() {
			var off uint64
			if err := rows.Scan(&off); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading stored rows of %s: %w", s.table, err)
			}
			present[position{Topic: sp.tp.Topic, Partition: sp.tp.Partition, Offset: int64(off)}] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading stored rows of %s: %w", s.table, err)
		}
	}
	k := len(s.columns) - len(positionColumns)
	topics := rec.Column(k).(*array.String)
	parts := rec.Column(k + 1).(*array.Int64)
	offs := rec.Column(k + 2).(*array.Int64)
	keep := make([]bool, rec.NumRows())
	n := 0
	for i := range keep {
		keep[i] = !present[position{Topic: topics.Value(i), Partition: int(parts.Value(i)), Offset: offs.Value(i)}]
		if keep[i] {
			n++
		}
	}
	switch n {
	case 0:
		return nil, nil
	case len(keep):
		rec.Retain()
		return rec, nil
	}
	return filterRecord(mem, rec, keep)
}

// filterRecord keeps the rows of rec marked in keep, as runs of slices put back together.
func filterRecord(mem memory.Allocator, rec arrow.RecordBatch, keep []bool) (arrow.RecordBatch, error) {
	var runs [][2]int64
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(keep) && keep[j] {
			j++
		}
		runs = append(runs, [2]int64{int64(i), int64(j)})
		i = j
	}
	cols := make([]arrow.Array, rec.NumCols())
	var rows int64
	for c := range cols {
		pieces := make([]arrow.Array, len(runs))
		for r, run := range runs {
			pieces[r] = array.NewSlice(rec.Column(c), run[0], run[1])
		}
		col, err := array.Concatenate(pieces, mem)
		for _, p := range pieces {
			p.Release()
		}
		if err != nil {
			for _, done := range cols[:c] {
				done.Release()
			}
			return nil, fmt.Errorf("selecting missing rows: %w", err)
		}
		cols[c] = col
		rows = int64(col.Len())
	}
	out := array.NewRecordBatch(rec.Schema(), cols, rows)
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// derivedKind is how a derived table is compared with its facts.
type derivedKind int

const (
	// sums: counters per key and time bucket (SummingMergeTree); the difference per key is
	// inserted as one row.
	sums derivedKind = iota
	// rows: one row per fact row; the fact rows whose match key the table lacks are inserted.
	rows
)

// derivedTable is a table a materialised view fills from a fact table, as ingest repairs it.
// The SQL mirrors the view's (migrations 0103, 0201); TestDerivedSpecsMatchViews checks that a
// clean ingest leaves nothing to repair.
type derivedTable struct {
	table, source string
	kind          derivedKind
	// sums: the source's time column, the view's bucket expression over it, its width in
	// seconds (UTC-aligned), the target's bucket column; keys and counters as "expr AS col".
	timeCol, bucketExpr, bucketCol string
	bucketSec                      int64
	keys                           []string
	counters                       []string
	// filter is the view's WHERE condition on the source ("" none).
	filter string
	// rows: the facts query (partition, first and last offset as arguments), the target query
	// (same arguments) returning the match columns, and the columns the match is on; unique when
	// the match names one fact row, so the table holds exactly one row per fact row.
	factsSQL, targetSQL string
	match               []string
	unique              bool
}

var callCounters = []string{
	"countIf(direction = 'inbound') AS inbound",
	"countIf(direction = 'outbound') AS outbound",
	"count() AS total",
	"countIf(direction = 'inbound' AND isNotNull(ivr_ended_at)) AS ivr_entered",
	"countIf(direction = 'inbound' AND outcome = 'self_served') AS self_served",
	"countIf(direction = 'inbound' AND isNotNull(queued_at)) AS offered_all",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS answered",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned') AS abandoned_all",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec < 5) AS short_abandoned",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered' AND wait_sec <= 20) AS answered_within",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec > 20) AS abandoned_after",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec >= 5 AND wait_sec <= 20) AS abandoned_within_long",
	"sumIf(wait_sec, direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS wait_answered",
	"sumIf(talk_sec + hold_sec + acw_sec, direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS handle",
	"countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered' AND transferred = 1) AS transferred",
}

// derivedTables are the tables the views of migrations 0103 and 0201 fill from the fact tables
// ingest writes.
var derivedTables = []derivedTable{
	{table: "call_rollup_15m", source: "call_records", kind: sums, timeCol: "arrived_at", bucketExpr: "toStartOfFifteenMinutes(arrived_at)", bucketCol: "ts", bucketSec: 900,
		keys: []string{"tenant", "direction", "queue", "business_line", "agent_id", "campaign_id"}, counters: callCounters},
	{table: "call_queue_rollup_15m", source: "call_records", kind: sums, timeCol: "arrived_at", bucketExpr: "toStartOfFifteenMinutes(arrived_at)", bucketCol: "ts", bucketSec: 900,
		keys: []string{"tenant", "direction", "queue", "business_line", "campaign_id"}, counters: callCounters},
	{table: "dial_rollup_15m", source: "dial_attempts", kind: sums, timeCol: "dialed_at", bucketExpr: "toStartOfFifteenMinutes(dialed_at)", bucketCol: "ts", bucketSec: 900,
		keys: []string{"tenant", "campaign_id", "campaign_type"}, counters: []string{
			"countIf(outcome != 'blocked') AS attempts", "countIf(outcome = 'blocked') AS blocked",
			"countIf(outcome IN ('connected', 'dropped')) AS contacts", "countIf(outcome = 'connected') AS connected",
			"countIf(outcome = 'dropped') AS dropped"}},
	{table: "sms_rollup_15m", source: "sms_messages", kind: sums, timeCol: "occurred_at", bucketExpr: "toStartOfFifteenMinutes(occurred_at)", bucketCol: "ts", bucketSec: 900,
		keys: []string{"tenant", "campaign_id"}, filter: "direction = 'outbound'", counters: []string{
			"countIf(status = 'sent') AS sent", "countIf(status = 'delivered') AS delivered", "countIf(status = 'failed') AS failed"}},
	{table: "campaign_agent_days", source: "agent_states", kind: sums, timeCol: "occurred_at", bucketExpr: "toDateTime(intDiv(toUInt32(occurred_at), 86400) * 86400)", bucketCol: "day", bucketSec: 86400,
		keys: []string{"tenant", "agent_id"}, filter: "direction = 'outbound'", counters: []string{"count() AS states"}},
	{table: "answered_waits", source: "call_records", kind: rows,
		factsSQL: "SELECT tenant, arrived_at, queue, business_line, agent_id, campaign_id, wait_sec, kafka_partition, kafka_offset FROM call_records " +
			"WHERE kafka_partition = ? AND kafka_offset BETWEEN ? AND ? AND direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered'",
		targetSQL: "SELECT kafka_partition, kafka_offset FROM answered_waits WHERE kafka_partition = ? AND kafka_offset BETWEEN ? AND ?",
		match:     []string{"kafka_partition", "kafka_offset"}, unique: true},
	// policy_current keeps the newest version per policy (ReplacingMergeTree): a version is
	// missing if no row has its update time; an older version put back is replaced again.
	{table: "policy_current", source: "policies", kind: rows,
		factsSQL: "SELECT tenant, policy_id, customer_id, status, toUInt64(occurred_at) * 1000 + occurred_ms AS updated_ms FROM policies " +
			"WHERE kafka_partition = ? AND kafka_offset BETWEEN ? AND ?",
		targetSQL: "SELECT policy_id, updated_ms FROM policy_current WHERE policy_id IN (SELECT policy_id FROM policies " +
			"WHERE kafka_partition = ? AND kafka_offset BETWEEN ? AND ?)",
		match: []string{"policy_id", "updated_ms"}},
}

// derivedOf returns the derived tables fed by a fact table.
func derivedOf(source string) []derivedTable {
	var out []derivedTable
	for _, d := range derivedTables {
		if d.source == source {
			out = append(out, d)
		}
	}
	return out
}

// alias is the column name of "expr AS name", or the expression itself.
func alias(e string) string {
	if i := strings.LastIndex(e, " AS "); i >= 0 {
		return e[i+4:]
	}
	return e
}

// repairSpan makes the derived table hold exactly what its facts give for one partition: for
// sums over the given buckets (unix seconds of their starts), for rows over the offset range.
// It returns how many rows it inserted.
func (d derivedTable) repairSpan(ctx, insertCtx context.Context, conn driver.Conn, part int, buckets []uint32, lo, hi int64) (int, error) {
	diff, err := d.diffSpan(ctx, conn, part, buckets, lo, hi)
	if err != nil {
		return 0, err
	}
	return len(diff.add), insertRows(insertCtx, conn, d.table, diff.cols, diff.add)
}

// spanDiff is what a derived table lacks against its facts (rows to add, in cols), and how many
// of its rows or keys the facts do not account for (which adding cannot repair).
type spanDiff struct {
	cols  []string
	add   [][]any
	extra int
}

// diffSpan compares the derived table with its facts for one partition.
func (d derivedTable) diffSpan(ctx context.Context, conn driver.Conn, part int, buckets []uint32, lo, hi int64) (spanDiff, error) {
	var factsSQL, targetSQL string
	var args []any
	nkeys := 0
	switch d.kind {
	case sums:
		if len(buckets) == 0 {
			return spanDiff{}, nil
		}
		set := make([]any, len(buckets))
		tmin, tmax := buckets[0], buckets[0]
		for i, b := range buckets {
			set[i] = b
			tmin, tmax = min(tmin, b), max(tmax, b)
		}
		keys := append(append([]string{}, d.keys...), d.bucketCol, "kafka_partition")
		nkeys = len(keys)
		where := fmt.Sprintf("kafka_partition = ? AND toUInt32(%s) >= ? AND toUInt32(%s) < ? AND toUInt32(%s) IN ?", d.timeCol, d.timeCol, d.bucketExpr)
		if d.filter != "" {
			where += " AND " + d.filter
		}
		factsSQL = fmt.Sprintf("SELECT %s, %s AS %s, kafka_partition, %s FROM %s WHERE %s GROUP BY %s",
			strings.Join(d.keys, ", "), d.bucketExpr, d.bucketCol, strings.Join(d.counters, ", "), d.source, where, strings.Join(keys, ", "))
		var sumsSQL []string
		for _, c := range d.counters {
			sumsSQL = append(sumsSQL, "sum("+alias(c)+")")
		}
		targetSQL = fmt.Sprintf("SELECT %s, %s FROM %s WHERE kafka_partition = ? AND toUInt32(%s) IN ? GROUP BY %s",
			strings.Join(keys, ", "), strings.Join(sumsSQL, ", "), d.table, d.bucketCol, strings.Join(keys, ", "))
		args = []any{uint16(part), tmin, tmax + uint32(d.bucketSec), clickhouse.GroupSet{Value: set}}
		target, _, err := queryRows(ctx, conn, targetSQL, uint16(part), clickhouse.GroupSet{Value: set})
		if err != nil {
			return spanDiff{}, fmt.Errorf("reading %s: %w", d.table, err)
		}
		facts, cols, err := queryRows(ctx, conn, factsSQL, args...)
		if err != nil {
			return spanDiff{}, fmt.Errorf("aggregating %s for %s: %w", d.source, d.table, err)
		}
		have := map[string][]any{}
		for _, r := range target {
			have[rowKey(r[:nkeys])] = r[nkeys:]
		}
		out := spanDiff{cols: cols, extra: len(have)}
		for _, f := range facts {
			k := rowKey(f[:nkeys])
			if _, ok := have[k]; ok {
				out.extra--
			}
			diff, err := subtract(f[nkeys:], have[k])
			if err != nil {
				return spanDiff{}, fmt.Errorf("%s partition %d %v: %w", d.table, part, f[:nkeys], err)
			}
			if diff != nil {
				out.add = append(out.add, append(append([]any{}, f[:nkeys]...), diff...))
			}
		}
		return out, nil
	default:
		args = []any{uint16(part), uint64(lo), uint64(hi)}
		target, _, err := queryRows(ctx, conn, d.targetSQL, args...)
		if err != nil {
			return spanDiff{}, fmt.Errorf("reading %s: %w", d.table, err)
		}
		facts, cols, err := queryRows(ctx, conn, d.factsSQL, args...)
		if err != nil {
			return spanDiff{}, fmt.Errorf("reading %s for %s: %w", d.source, d.table, err)
		}
		have := map[string]int{}
		for _, r := range target {
			have[rowKey(r)]++
		}
		out := spanDiff{cols: cols}
		if d.unique {
			out.extra = len(target)
		}
		at := make([]int, len(d.match))
		for i, m := range d.match {
			for j, c := range cols {
				if c == m {
					at[i] = j
				}
			}
		}
		for _, f := range facts {
			key := make([]any, len(at))
			for i, j := range at {
				key[i] = f[j]
			}
			n := have[rowKey(key)]
			if n == 0 {
				out.add = append(out.add, f)
			} else if d.unique {
				out.extra--
			}
		}
		return out, nil
	}
}

// subtract returns facts minus target, counter by counter, or nil when they agree. Every row of
// the facts adds to some count, so equal counts mean the same rows were summed and any float
// difference is rounding.
func subtract(facts, target []any) ([]any, error) {
	out := make([]any, len(facts))
	differ := false
	for i, f := range facts {
		switch fv := f.(type) {
		case uint64:
			var tv uint64
			if target != nil {
				tv = target[i].(uint64)
			}
			if tv > fv {
				return nil, fmt.Errorf("holds more than its facts (%d > %d): not repairable by adding", tv, fv)
			}
			out[i] = fv - tv
			differ = differ || fv != tv
		case float64:
			var tv float64
			if target != nil {
				tv = target[i].(float64)
			}
			out[i] = fv - tv
		default:
			return nil, fmt.Errorf("counter of type %T", f)
		}
	}
	if !differ {
		return nil, nil
	}
	for i, v := range out {
		if f, ok := v.(float64); ok && math.Abs(f) < 1e-9 {
			out[i] = 0.0
		}
	}
	return out, nil
}

// queryRows runs a query and returns its rows as Go values, and its column names.
func queryRows(ctx context.Context, conn driver.Conn, sql string, args ...any) ([][]any, []string, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var out [][]any
	for rows.Next() {
		ptrs := make([]any, len(types))
		for i, t := range types {
			ptrs[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		vals := make([]any, len(ptrs))
		for i, p := range ptrs {
			vals[i] = reflect.ValueOf(p).Elem().Interface()
		}
		out = append(out, vals)
	}
	return out, rows.Columns(), rows.Err()
}

func rowKey(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		fmt.Fprint(&b, v)
		b.WriteByte(0)
	}
	return b.String()
}

// insertRows inserts rows of Go values into the named columns.
func insertRows(ctx context.Context, conn driver.Conn, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+")")
	if err != nil {
		return fmt.Errorf("preparing repair of %s: %w", table, err)
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			batch.Abort()
			return fmt.Errorf("appending repair of %s: %w", table, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("repairing %s with %d rows: %w", table, len(rows), err)
	}
	return nil
}

// bucketsOf returns the distinct bucket starts (unix seconds) of a time column of rec for each
// partition, for a bucket width in seconds.
func bucketsOf(s *tableSchema, rec arrow.RecordBatch, col string, width int64) (map[int][]uint32, error) {
	ci := -1
	for i, c := range s.columns {
		if c.Name == col {
			ci = i
		}
	}
	if ci < 0 {
		return nil, fmt.Errorf("table %s has no column %s", s.table, col)
	}
	ts, ok := rec.Column(ci).(*array.Timestamp)
	if !ok {
		return nil, fmt.Errorf("table %s column %s is not a time", s.table, col)
	}
	parts := rec.Column(len(s.columns) - 2).(*array.Int64)
	seen := map[int]map[uint32]bool{}
	out := map[int][]uint32{}
	for i := 0; i < ts.Len(); i++ {
		p := int(parts.Value(i))
		b := uint32(max(int64(ts.Value(i)), 0) / width * width)
		if seen[p] == nil {
			seen[p] = map[uint32]bool{}
		}
		if !seen[p][b] {
			seen[p][b] = true
			out[p] = append(out[p], b)
		}
	}
	return out, nil
}

// missingDeadLetters returns the dead letters the dead-letter table does not hold yet.
func missingDeadLetters(ctx context.Context, conn driver.Conn, dead []deadLetter) ([]deadLetter, error) {
	spans := map[position][2]int64{}
	for _, d := range dead {
		tp := position{Topic: d.pos.Topic, Partition: d.pos.Partition}
		sp, ok := spans[tp]
		if !ok {
			sp = [2]int64{d.pos.Offset, d.pos.Offset}
		}
		spans[tp] = [2]int64{min(sp[0], d.pos.Offset), max(sp[1], d.pos.Offset)}
	}
	present := map[position]bool{}
	for tp, sp := range spans {
		rows, _, err := queryRows(ctx, conn, "SELECT kafka_offset FROM "+DeadLetterTable+
			" WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset BETWEEN ? AND ?", tp.Topic, uint16(tp.Partition), uint64(sp[0]), uint64(sp[1]))
		if err != nil {
			return nil, fmt.Errorf("reading stored dead letters: %w", err)
		}
		for _, r := range rows {
			present[position{Topic: tp.Topic, Partition: tp.Partition, Offset: int64(r[0].(uint64))}] = true
		}
	}
	var out []deadLetter
	for _, d := range dead {
		if !present[d.pos] {
			out = append(out, d)
		}
	}
	return out, nil
}
