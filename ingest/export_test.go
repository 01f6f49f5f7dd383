package ingest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// VerifyDerived compares every derived table with an aggregate of its facts, per partition and
// bucket and in total, and says where they differ.
func VerifyDerived(ctx context.Context, conn driver.Conn) error {
	var errs []error
	for _, d := range derivedTables {
		if err := verifyDerived(ctx, conn, d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.table, err))
		}
	}
	return errors.Join(errs...)
}

func verifyDerived(ctx context.Context, conn driver.Conn, d derivedTable) error {
	if d.kind == sums {
		parts, _, err := queryRows(ctx, conn, fmt.Sprintf("SELECT kafka_partition, groupUniqArray(toUInt32(intDiv(toUInt32(%s), %d) * %d)) FROM %s GROUP BY kafka_partition",
			d.timeCol, d.bucketSec, d.bucketSec, d.source))
		if err != nil {
			return err
		}
		for _, p := range parts {
			diff, err := d.diffSpan(ctx, conn, int(p[0].(uint16)), p[1].([]uint32), 0, 0)
			if err != nil {
				return err
			}
			if len(diff.add) > 0 || diff.extra > 0 {
				return fmt.Errorf("partition %d: %d keys short of the facts (first %v), %d not in them", p[0], len(diff.add), first(diff.add), diff.extra)
			}
		}
		// Totals catch rows in buckets the facts do not have.
		var sumsSQL []string
		for _, c := range d.counters {
			sumsSQL = append(sumsSQL, "sum("+alias(c)+")")
		}
		where := ""
		if d.filter != "" {
			where = " WHERE " + d.filter
		}
		facts, _, err := queryRows(ctx, conn, "SELECT "+strings.Join(d.counters, ", ")+" FROM "+d.source+where)
		if err != nil {
			return err
		}
		target, _, err := queryRows(ctx, conn, "SELECT "+strings.Join(sumsSQL, ", ")+" FROM "+d.table)
		if err != nil {
			return err
		}
		for i := range facts[0] {
			f, t := fmt.Sprint(facts[0][i]), fmt.Sprint(target[0][i])
			if fv, ok := facts[0][i].(float64); ok {
				if tv := target[0][i].(float64); math.Abs(fv-tv) <= 1e-6*math.Max(1, math.Abs(fv)) {
					continue
				}
			}
			if f != t {
				return fmt.Errorf("total %s: facts %s, table %s", alias(d.counters[i]), f, t)
			}
		}
		return nil
	}
	parts, _, err := queryRows(ctx, conn, "SELECT DISTINCT kafka_partition FROM "+d.source)
	if err != nil {
		return err
	}
	for _, p := range parts {
		diff, err := d.diffSpan(ctx, conn, int(p[0].(uint16)), nil, 0, math.MaxInt64)
		if err != nil {
			return err
		}
		if len(diff.add) > 0 || diff.extra > 0 {
			return fmt.Errorf("partition %d: %d rows missing (first %v), %d rows more than the facts", p[0], len(diff.add), first(diff.add), diff.extra)
		}
	}
	return nil
}

func first(rows [][]any) any {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}
