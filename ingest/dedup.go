package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/uuid"
)

// EventIDsTable is the idempotency index: the id of every event stored, per Kafka partition,
// written once the event and everything derived from it are complete.
const EventIDsTable = "event_ids"

// HorizonDays is how many days back (by occurred_at, UTC) the owner of a partition holds the
// ids of its stored events in memory. Older events are looked up in EventIDsTable, which keeps
// every id, so the guarantee itself has no horizon; only its cost does.
const HorizonDays = 7

// dayOf is the UTC day of an instant, in days since 1970 (events before 1970 count as day 0).
func dayOf(unix int64) uint16 {
	if unix < 0 {
		return 0
	}
	return uint16(unix / 86400)
}

// idIndex is what one generation knows of the events stored in its partitions: ids of the
// horizon's days loaded at assignment, and every id handed to the inserter since. An id in it is
// stored or on its way (jobs are stored in order and the generation ends if one fails), so a
// copy read later is a duplicate.
type idIndex struct {
	// cutoff is the first day held whole: ids of earlier days may be stored without being here.
	cutoff uint16
	parts  map[position]map[uint16]*dayIDs
	// job numbers the flush being built; a day's ids can be dropped once the job that last
	// added to it is stored (then ClickHouse answers for them).
	job uint64
}

type dayIDs struct {
	ids     map[uuid.UUID]struct{}
	lastJob uint64
}

func newIDIndex(now time.Time) *idIndex {
	return &idIndex{cutoff: horizonCutoff(now), parts: map[position]map[uint16]*dayIDs{}}
}

func horizonCutoff(now time.Time) uint16 {
	return dayOf(now.Unix()) - HorizonDays
}

func (x *idIndex) days(tp position) map[uint16]*dayIDs {
	d := x.parts[tp]
	if d == nil {
		d = map[uint16]*dayIDs{}
		x.parts[tp] = d
	}
	return d
}

// seen reports whether id (of day) is known in partition tp, and records it if not.
func (x *idIndex) seen(tp position, day uint16, id uuid.UUID) bool {
	return x.partition(tp).seen(day, id)
}

// partition is the index of one partition, for a run of its messages: the day's set of the
// last lookup is kept at hand, since consecutive events are mostly of one day.
func (x *idIndex) partition(tp position) *partIDs {
	return &partIDs{x: x, days: x.days(tp)}
}

type partIDs struct {
	x       *idIndex
	days    map[uint16]*dayIDs
	day     uint16
	current *dayIDs
}

func (p *partIDs) seen(day uint16, id uuid.UUID) bool {
	d := p.current
	if d == nil || day != p.day {
		d = p.days[day]
		if d == nil {
			d = &dayIDs{ids: map[uuid.UUID]struct{}{}}
			p.days[day] = d
		}
		p.day, p.current = day, d
	}
	if _, ok := d.ids[id]; ok {
		return true
	}
	d.ids[id] = struct{}{}
	d.lastJob = p.x.job
	return false
}

func (x *idIndex) has(tp position, day uint16, id uuid.UUID) bool {
	d := x.parts[tp][day]
	if d == nil {
		return false
	}
	_, ok := d.ids[id]
	return ok
}

// advance moves the horizon to now, dropping the days that left it once nothing of theirs is
// still on its way (storedJob is the last job stored).
func (x *idIndex) advance(now time.Time, storedJob uint64) {
	cutoff := horizonCutoff(now)
	if cutoff <= x.cutoff {
		return
	}
	x.cutoff = cutoff
	for _, days := range x.parts {
		for day, d := range days {
			if day < cutoff && d.lastJob <= storedJob {
				delete(days, day)
			}
		}
	}
}

// loadIDs fills the index with the ids of the horizon's days stored in the assigned partitions.
func loadIDs(ctx context.Context, conn driver.Conn, x *idIndex, assigned []position) error {
	byTopic := map[string][]any{}
	for _, p := range assigned {
		byTopic[p.Topic] = append(byTopic[p.Topic], uint16(p.Partition))
		x.days(position{Topic: p.Topic, Partition: p.Partition})
	}
	for topic, parts := range byTopic {
		rows, err := conn.Query(ctx, "SELECT kafka_partition, occurred_day, event_id FROM "+EventIDsTable+
			" WHERE kafka_topic = ? AND kafka_partition IN ? AND occurred_day >= ?", topic, clickhouse.GroupSet{Value: parts}, x.cutoff)
		if err != nil {
			return fmt.Errorf("loading stored event ids of %s: %w", topic, err)
		}
		for rows.Next() {
			var part, day uint16
			var id uuid.UUID
			if err := rows.Scan(&part, &day, &id); err != nil {
				rows.Close()
				return fmt.Errorf("loading stored event ids of %s: %w", topic, err)
			}
			x.seen(position{Topic: topic, Partition: int(part)}, day, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("loading stored event ids of %s: %w", topic, err)
		}
	}
	return nil
}

// oldID is an event older than the index's horizon, to be looked up in ClickHouse.
type oldID struct {
	day uint16
	id  uuid.UUID
}

// storedOldIDs returns which of the given events of partition tp EventIDsTable holds, looked up
// by their days (the table's key after the partition).
func storedOldIDs(ctx context.Context, conn driver.Conn, tp position, ids []oldID) (map[uuid.UUID]bool, error) {
	days := map[uint16]bool{}
	var dayList, idList []any
	for _, o := range ids {
		if !days[o.day] {
			days[o.day] = true
			dayList = append(dayList, o.day)
		}
		idList = append(idList, o.id.String())
	}
	rows, err := conn.Query(ctx, "SELECT event_id FROM "+EventIDsTable+
		" WHERE kafka_topic = ? AND kafka_partition = ? AND occurred_day IN ? AND toString(event_id) IN ?",
		tp.Topic, uint16(tp.Partition), clickhouse.GroupSet{Value: dayList}, clickhouse.GroupSet{Value: idList})
	if err != nil {
		return nil, fmt.Errorf("looking up old event ids: %w", err)
	}
	defer rows.Close()
	out := map[uuid.UUID]bool{}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("looking up old event ids: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// eventIDRows are a job's rows of EventIDsTable, taken from its fact records.
type eventIDRows struct {
	topics  []string
	parts   []uint16
	days    []uint16
	ids     []uuid.UUID
	offsets []uint64
}

func (e *eventIDRows) add(s *tableSchema, rec arrow.RecordBatch) {
	ids := rec.Column(0).(*array.FixedSizeBinary)
	at := rec.Column(1).(*array.Timestamp)
	k := len(s.columns) - len(positionColumns)
	topics := rec.Column(k).(*array.String)
	parts := rec.Column(k + 1).(*array.Int64)
	offs := rec.Column(k + 2).(*array.Int64)
	for i := 0; i < int(rec.NumRows()); i++ {
		e.topics = append(e.topics, topics.Value(i))
		e.parts = append(e.parts, uint16(parts.Value(i)))
		e.days = append(e.days, dayOf(int64(at.Value(i))))
		e.ids = append(e.ids, uuid.UUID(ids.Value(i)))
		e.offsets = append(e.offsets, uint64(offs.Value(i)))
	}
}

// insertEventIDs writes a job's ids in one insert. All rows share stored_at, so the insert is one
// part of one partition: all or nothing, which is what lets an id mean "fully stored".
func insertEventIDs(ctx context.Context, conn driver.Conn, e *eventIDRows, storedAt time.Time) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+EventIDsTable+" (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)")
	if err != nil {
		return fmt.Errorf("preparing insert into %s: %w", EventIDsTable, err)
	}
	at := make([]time.Time, len(e.ids))
	for i := range at {
		at[i] = storedAt
	}
	for i, col := range []any{e.topics, e.parts, e.days, e.ids, e.offsets, at} {
		if err := batch.Column(i).Append(col); err != nil {
			batch.Abort()
			return fmt.Errorf("appending %s column %d: %w", EventIDsTable, i, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting %d rows into %s: %w", len(e.ids), EventIDsTable, err)
	}
	return nil
}

// eventIDsStored reports whether a job's ids are in EventIDsTable: the insert is atomic, so its
// first row tells.
func eventIDsStored(ctx context.Context, conn driver.Conn, e *eventIDRows) (bool, error) {
	var n uint64
	err := conn.QueryRow(ctx, "SELECT count() FROM "+EventIDsTable+
		" WHERE kafka_topic = ? AND kafka_partition = ? AND occurred_day = ? AND event_id = toUUID(?) AND kafka_offset = ?",
		e.topics[0], e.parts[0], e.days[0], e.ids[0].String(), e.offsets[0]).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking whether %s holds the batch: %w", EventIDsTable, err)
	}
	return n > 0, nil
}
