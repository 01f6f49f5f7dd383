package ingest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/seed-1c4692e8/hotline/events"
)

// position is where a message sits in Kafka.
type position struct {
	Topic     string
	Partition int
	Offset    int64
}

// tableSchema is how one event type lands in its table: columns in insert order (envelope,
// payload, Kafka position) and, for payload columns, how each value is appended.
type tableSchema struct {
	table   string
	typ     events.Type
	columns []ColumnInfo
	types   []chType
	fields  []fieldAppender // aligned with the payload columns only
	// payloadType is the Go type of the payload.
	payloadType reflect.Type
}

// loadSchemas reads every fact table's columns from the server and matches them to the event
// contract, failing start-up on any mismatch rather than dropping data later.
func loadSchemas(ctx context.Context, conn driver.Conn) (map[events.Type]*tableSchema, error) {
	out := map[events.Type]*tableSchema{}
	for _, t := range events.Types() {
		table := TableOf(t)
		cols, err := describe(ctx, conn, table)
		if err != nil {
			return nil, err
		}
		s, err := newTableSchema(table, t, cols)
		if err != nil {
			return nil, err
		}
		out[t] = s
	}
	return out, nil
}

// newTableSchema matches a table's columns, as the server describes them, to event type t.
func newTableSchema(table string, t events.Type, cols []ColumnInfo) (*tableSchema, error) {
	zero, ok := events.Zero(t)
	if !ok {
		return nil, fmt.Errorf("event type %s has no payload", t)
	}
	payloadType := reflect.TypeOf(zero)
	if !storedIndirectly(payloadType) {
		return nil, fmt.Errorf("event type %s: payload %s must be a struct of more than one word", t, payloadType)
	}
	pcols, paths, err := matchPayload(table, t, payloadType, cols)
	if err != nil {
		return nil, err
	}
	s := &tableSchema{table: table, typ: t, payloadType: payloadType}
	byName := map[string]ColumnInfo{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	for _, n := range envelopeColumns {
		s.columns = append(s.columns, byName[n])
	}
	s.columns = append(s.columns, pcols...)
	for _, n := range positionColumns {
		s.columns = append(s.columns, byName[n])
	}
	for _, c := range s.columns {
		ct := parseCHType(c.Type)
		if _, err := arrowType(ct.base); err != nil {
			return nil, fmt.Errorf("table %s column %s: %w", table, c.Name, err)
		}
		s.types = append(s.types, ct)
	}
	for i, p := range paths {
		app, err := newFieldAppender(payloadType, p, s.types[len(envelopeColumns)+i])
		if err != nil {
			return nil, fmt.Errorf("table %s column %s: %w", table, pcols[i].Name, err)
		}
		s.fields = append(s.fields, app)
	}
	return s, nil
}

func describe(ctx context.Context, conn driver.Conn, table string) ([]ColumnInfo, error) {
	rows, err := conn.Query(ctx, "SELECT name, type, default_kind FROM system.columns WHERE database = currentDatabase() AND table = ?", table)
	if err != nil {
		return nil, fmt.Errorf("describing table %s: %w", table, err)
	}
	defer rows.Close()
	var cols []ColumnInfo
	for rows.Next() {
		var c ColumnInfo
		var kind string
		if err := rows.Scan(&c.Name, &c.Type, &kind); err != nil {
			return nil, fmt.Errorf("describing table %s: %w", table, err)
		}
		// DEFAULT and MATERIALIZED columns the contract does not carry (ingested_at, updated_ms)
		// are left to the server.
		c.Computed = kind != ""
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("describing table %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s does not exist: run `hotline migrate`", table)
	}
	return cols, nil
}

// tableBatch accumulates one table's rows as Arrow columns.
type tableBatch struct {
	schema   *tableSchema
	builders []array.Builder
	rows     int
	// repair is set when a row may be stored already: a previous owner's last insert was in
	// doubt, so storing checks what is missing instead of inserting blindly.
	repair bool
}

func newTableBatch(mem memory.Allocator, s *tableSchema) *tableBatch {
	b := &tableBatch{schema: s}
	for _, t := range s.types {
		bl, err := newBuilder(mem, t)
		if err != nil {
			panic(err) // checked in loadSchemas
		}
		b.builders = append(b.builders, bl)
	}
	return b
}

func (b *tableBatch) append(ev events.Event, pos position) {
	bl := b.builders
	id := ev.EventID
	bl[0].(*array.FixedSizeBinaryBuilder).Append(id[:])
	bl[1].(*array.TimestampBuilder).Append(arrow.Timestamp(ev.OccurredAt.Unix()))
	bl[2].(*array.Int64Builder).Append(int64(ev.OccurredAt.Nanosecond() / int(time.Millisecond)))
	bl[3].(*array.StringBuilder).Append(ev.Tenant)
	bl[4].(*array.StringBuilder).Append(ev.Source)
	bl[5].(*array.Int64Builder).Append(int64(ev.SchemaVersion))
	if reflect.TypeOf(ev.Payload) != b.schema.payloadType {
		panic(fmt.Sprintf("ingest: %s event carries a %T payload", ev.Type, ev.Payload))
	}
	base := payloadData(ev.Payload)
	n := len(envelopeColumns)
	for i, app := range b.schema.fields {
		app(base, bl[n+i])
	}
	k := n + len(b.schema.fields)
	bl[k].(*array.StringBuilder).Append(pos.Topic)
	bl[k+1].(*array.Int64Builder).Append(int64(pos.Partition))
	bl[k+2].(*array.Int64Builder).Append(pos.Offset)
	b.rows++
}

// record hands over the rows built so far as an Arrow record batch and resets the builders.
func (b *tableBatch) record() arrow.RecordBatch {
	fields := make([]arrow.Field, len(b.builders))
	cols := make([]arrow.Array, len(b.builders))
	for i, bl := range b.builders {
		cols[i] = bl.NewArray()
		fields[i] = arrow.Field{Name: b.schema.columns[i].Name, Type: cols[i].DataType(), Nullable: b.schema.types[i].nullable}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(b.rows))
	for _, c := range cols {
		c.Release()
	}
	// The next batch is likely as big as this one: reserve now rather than grow by copying.
	for _, bl := range b.builders {
		bl.Reserve(b.rows)
	}
	b.rows = 0
	return rec
}

// insertRecord writes an Arrow record batch to its table with one columnar native insert. It is
// not atomic (one part per month, views after the table): a failed one is repaired (reconcile.go).
func insertRecord(ctx context.Context, conn driver.Conn, s *tableSchema, rec arrow.RecordBatch) error {
	batch, err := prepareRecord(ctx, conn, s, rec)
	if err != nil {
		return err
	}
	defer batch.Close()
	return sendRecord(batch, s, rec)
}

// prepareRecord opens the insert of a record batch and hands clickhouse-go its columns; the
// rows reach ClickHouse only at sendRecord.
func prepareRecord(ctx context.Context, conn driver.Conn, s *tableSchema, rec arrow.RecordBatch) (driver.Batch, error) {
	names := make([]string, len(s.columns))
	for i, c := range s.columns {
		names[i] = c.Name
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+s.table+" ("+strings.Join(names, ", ")+")")
	if err != nil {
		return nil, fmt.Errorf("preparing insert into %s: %w", s.table, err)
	}
	for i := range s.columns {
		col, err := toColumn(rec.Column(i), s.types[i])
		if err == nil {
			err = batch.Column(i).Append(col)
		}
		if err != nil {
			batch.Abort()
			return nil, fmt.Errorf("appending %s.%s: %w", s.table, s.columns[i].Name, err)
		}
	}
	return batch, nil
}

func sendRecord(batch driver.Batch, s *tableSchema, rec arrow.RecordBatch) error {
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting %d rows into %s: %w", rec.NumRows(), s.table, err)
	}
	return nil
}
