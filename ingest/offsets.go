package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
)

// storedOffsets reads, for each table fed by the assigned partitions, the highest offset
// already stored per partition. Rows at or below it that the id index does not know are in
// doubt (the previous owner's last insert may have landed in part), so they are repaired.
func storedOffsets(ctx context.Context, conn driver.Conn, schemas map[events.Type]*tableSchema, assigned []position) (map[string]map[position]int64, error) {
	topics := map[string]bool{}
	for _, p := range assigned {
		topics[p.Topic] = true
	}
	var topicList []string
	for t := range topics {
		topicList = append(topicList, t)
	}
	tables := []string{DeadLetterTable}
	for _, s := range schemas {
		tables = append(tables, s.table)
	}
	out := map[string]map[position]int64{}
	for _, table := range tables {
		rows, err := conn.Query(ctx, "SELECT kafka_topic, kafka_partition, max(kafka_offset) FROM "+table+
			" WHERE has(?, kafka_topic) GROUP BY kafka_topic, kafka_partition", topicList)
		if err != nil {
			return nil, fmt.Errorf("reading stored offsets of %s: %w", table, err)
		}
		for rows.Next() {
			var topic string
			var part uint16
			var off uint64
			if err := rows.Scan(&topic, &part, &off); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading stored offsets of %s: %w", table, err)
			}
			if out[table] == nil {
				out[table] = map[position]int64{}
			}
			out[table][position{Topic: topic, Partition: int(part)}] = int64(off)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading stored offsets of %s: %w", table, err)
		}
	}
	return out, nil
}

// insertQueryPrefix starts the query id of every ingest insert: group, then instance.
func insertQueryPrefix(group string) string { return "hotline-ingest:" + group + ":" }

func (s *Service) insertContext(ctx context.Context) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithQueryID(insertQueryPrefix(s.cfg.GroupID)+s.instance+":"+uuid.NewString()))
}

// waitForInflightInserts waits until no insert of the group's members, this process's included,
// is running. A member that crashed mid-insert may have handed ClickHouse a whole block that is
// still being written, and so may this process: an insert its client gave up on (cancelled at the
// end of a generation, or failed on a broken connection) can go on in the server. Reading what is
// stored before it lands would store those rows a second time.
func waitForInflightInserts(ctx context.Context, conn driver.Conn, group string) error {
	prefix := insertQueryPrefix(group)
	for {
		var n uint64
		err := conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE position(query_id, ?) = 1", prefix).Scan(&n)
		if err != nil {
			return fmt.Errorf("looking for inserts still running: %w", err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
