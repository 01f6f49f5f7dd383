package ingest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

// benchKafkaEngine runs the peer users would otherwise pick: a Kafka engine table reading the
// same topic, and a materialised view parsing each JSON message into a copy of call_records.
// 18.16 has no raw-string input format, so each message is read as a one-column TabSeparated
// row: the JSON carries no tabs or newlines, and the escapes TSV undoes (\u003e in ivr_path)
// change no column the benchmark counts.
// It returns the time from attaching the view until every row is visible.
func benchKafkaEngine(ctx context.Context, conn driver.Conn, brokers []string, topic string, partitions int, want uint64) (time.Duration, uint64, error) {
	group := topic + ".kafka-engine"
	// librdkafka in ClickHouse 18.16 starts a new group at the end of the topic; committing
	// offset 0 first makes it read the data already there, as hotline's group does.
	if err := commitZero(ctx, brokers, group, topic, partitions); err != nil {
		return 0, 0, err
	}
	cols, err := describe(ctx, conn, "call_records")
	if err != nil {
		return 0, 0, err
	}
	var exprs []string
	for _, c := range cols {
		e := jsonExtract(c)
		if c.Name == "ingested_at" { // 18.16 wants every column of the target from the view
			e = "now()"
		}
		exprs = append(exprs, e+" AS "+c.Name)
	}
	consumers := min(partitions, runtime.NumCPU())
	stmts := []string{
		"CREATE TABLE call_records_kafka_engine AS call_records",
		fmt.Sprintf("CREATE TABLE kafka_calls (raw String) ENGINE = Kafka SETTINGS kafka_broker_list = '%s', kafka_topic_list = '%s', "+
			"kafka_group_name = '%s', kafka_format = 'TabSeparated', kafka_row_delimiter = '\\n', kafka_num_consumers = %d", strings.Join(brokers, ","), topic, group, consumers),
	}
	sv, err := conn.ServerVersion()
	if err != nil {
		return 0, 0, fmt.Errorf("reading server version: %w", err)
	}
	ddl := chdb.DDLContext(ctx, sv.Version.Major)
	for _, s := range stmts {
		if err := conn.Exec(ddl, s); err != nil {
			return 0, 0, fmt.Errorf("setting up the kafka engine: %w", err)
		}
	}
	defer func() {
		for _, t := range []string{"kafka_calls_mv", "kafka_calls", "call_records_kafka_engine"} {
			conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+t)
		}
	}()
	start := time.Now()
	if err := conn.Exec(ddl, "CREATE MATERIALIZED VIEW kafka_calls_mv TO call_records_kafka_engine AS SELECT "+strings.Join(exprs, ", ")+" FROM kafka_calls"); err != nil {
		return 0, 0, fmt.Errorf("attaching the kafka engine view: %w", err)
	}
	var n, last uint64
	lastProgress := time.Now()
	for {
		if n, err = countRows(ctx, conn, "call_records_kafka_engine"); err != nil {
			return 0, 0, err
		}
		if n >= want {
			return time.Since(start), n, nil
		}
		if n > last {
			last, lastProgress = n, time.Now()
		}
		// The engine reports its errors only to the server log: a minute without progress is
		// a failure, not something to wait out.
		if time.Since(lastProgress) > time.Minute {
			return 0, n, fmt.Errorf("stalled at %d of %d rows for a minute (see the clickhouse-server error log)", n, want)
		}
		select {
		case <-ctx.Done():
			return 0, n, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// jsonExtract is the SQL that pulls a column's value out of the raw event JSON, with the
// JSON functions ClickHouse 18.16 has (the visitParam family finds a key at any depth).
func jsonExtract(c ColumnInfo) string {
	t := parseCHType(c.Type)
	str := fmt.Sprintf("visitParamExtractString(raw, '%s')", c.Name)
	var e string
	switch t.base {
	case "String":
		e = str
	case "UUID":
		e = "toUUID(" + str + ")"
	case "DateTime":
		e = "parseDateTimeBestEffort(" + str + ")"
	case "Float64":
		e = fmt.Sprintf("visitParamExtractFloat(raw, '%s')", c.Name)
	case "UInt8":
		e = fmt.Sprintf("toUInt8(visitParamExtractBool(raw, '%s'))", c.Name)
	default:
		e = fmt.Sprintf("to%s(visitParamExtractInt(raw, '%s'))", t.base, c.Name)
	}
	switch c.Name {
	case "kafka_topic":
		e = "''"
	case "kafka_partition":
		return "toUInt16(0)"
	case "kafka_offset":
		return "toUInt64(0)"
	case "occurred_ms":
		return "toUInt16(toUInt32OrZero(substring(visitParamExtractString(raw, 'occurred_at'), 21, 3)))"
	}
	if t.nullable {
		return fmt.Sprintf("if(visitParamHas(raw, '%s'), toNullable(%s), NULL)", c.Name, e)
	}
	if t.lowCard { // 18.16 does not convert String to LowCardinality when pushing to a view
		return "toLowCardinality(" + e + ")"
	}
	return e
}

func commitZero(ctx context.Context, brokers []string, group, topic string, partitions int) error {
	commits := make([]kafka.OffsetCommit, partitions)
	for p := range commits {
		commits[p] = kafka.OffsetCommit{Partition: p, Offset: 0}
	}
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	resp, err := client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{
		GroupID: group, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{topic: commits},
	})
	if err != nil {
		return fmt.Errorf("committing start offsets for the kafka engine: %w", err)
	}
	for _, parts := range resp.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return fmt.Errorf("committing start offsets for the kafka engine: partition %d: %w", p.Partition, p.Error)
			}
		}
	}
	return nil
}
