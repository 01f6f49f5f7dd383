package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Engine runs KPI queries against ClickHouse.
type Engine struct {
	Conn     driver.Conn
	Settings Settings
}

// Row is one output row: the bucket start (zero when not bucketed), group keys, the rolling
// window's label (with Query.Windows), metric values (nil when undefined, e.g. a rate with
// nothing offered).
type Row struct {
	Time   time.Time
	Keys   []string
	Window string
	Values []*float64
}

// Result is a query's output.
type Result struct {
	Query Query
	SQL   string
	Rows  []Row
}

// Value returns metric name's value in row i, NaN-free: ok false when undefined.
func (r *Result) Value(i int, name string) (float64, bool) {
	for j, m := range r.Query.Metrics {
		if m == name && r.Rows[i].Values[j] != nil {
			return *r.Rows[i].Values[j], true
		}
	}
	return 0, false
}

// Run builds the query for the period and runs it.
func (e *Engine) Run(ctx context.Context, p Period, q Query) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	sql, err := Build(p, e.Settings, q)
	if err != nil {
		return nil, err
	}
	rows, err := e.Conn.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("running %v: %w", q.Metrics, err)
	}
	defer rows.Close()
	res := &Result{Query: q, SQL: sql}
	for rows.Next() {
		var r Row
		dest := []any{}
		if q.Bucket {
			dest = append(dest, &r.Time)
		}
		r.Keys = make([]string, len(q.GroupBy))
		for i := range r.Keys {
			dest = append(dest, &r.Keys[i])
		}
		if len(q.Windows) > 0 {
			dest = append(dest, &r.Window)
		}
		r.Values = make([]*float64, len(q.Metrics))
		for i := range r.Values {
			dest = append(dest, &r.Values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("reading %v: %w", q.Metrics, err)
		}
		res.Rows = append(res.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %v: %w", q.Metrics, err)
	}
	return res, nil
}

// Totals runs the metrics over the whole period and returns name → value (absent = undefined).
func (e *Engine) Totals(ctx context.Context, p Period, names ...string) (map[string]float64, error) {
	out := map[string]float64{}
	// Metrics of different sources need separate queries.
	byFam := map[string][]string{}
	var order []string
	for _, n := range names {
		m, err := MetricByName(n)
		if err != nil {
			return nil, err
		}
		if _, ok := byFam[m.Family]; !ok {
			order = append(order, m.Family)
		}
		byFam[m.Family] = append(byFam[m.Family], n)
	}
	for _, f := range order {
		res, err := e.Run(ctx, p, Query{Metrics: byFam[f]})
		if err != nil {
			return nil, err
		}
		for _, n := range byFam[f] {
			if len(res.Rows) > 0 {
				if v, ok := res.Value(0, n); ok {
					out[n] = v
				}
			}
		}
	}
	return out, nil
}
