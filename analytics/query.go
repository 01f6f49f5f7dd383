package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Query asks for metrics of one family, as a time series (Bucket), broken down by columns of
// the family (GroupBy), or as one total row.
type Query struct {
	Metrics []string
	Bucket  bool
	GroupBy []string
	// OrderBy is an output column or metric name, "time" by default for series; Desc reverses.
	OrderBy string
	Desc    bool
	Limit   int
	// Raw forbids the rollup (tests compare both).
	Raw bool
	// Windows, instead of the period, gives one row per rolling window ending at the period's
	// end (docs/kpi.md's outbound abandon rate "over rolling 24 h and 30 days"), labelled in the
	// column last ("24 h", "30 d"). Not with Bucket.
	Windows []time.Duration
	// Lang names the metric columns in a language of Languages ("" = English).
	Lang string
}

// windowDialect reads the longest of the rolling windows ending at the period's end.
type windowDialect struct {
	Dialect
	longest int64
}

func (w windowDialect) FromSQL() string {
	return fmt.Sprintf("(%s - %d)", w.Dialect.ToSQL(), w.longest)
}
func (w windowDialect) TimeFilter(col string) string {
	return fmt.Sprintf("%s >= %s AND %s < %s", col, w.FromSQL(), col, w.Dialect.ToSQL())
}

// windowLabel is how a window reads: "24 h", "30 d".
func windowLabel(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d d", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return d.String()
}

// windowsSQL labels a row with each window its time col falls in (a row in the last 24 h is
// also in the last 30 days: arrayJoin repeats it).
func windowsSQL(d Dialect, col string, ws []time.Duration) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("(%s, %d)", quote(windowLabel(w)), secs(w))
	}
	return fmt.Sprintf("tupleElement(arrayJoin(arrayFilter(w -> %s >= %s - tupleElement(w, 2), [%s])), 1)", col, d.ToSQL(), strings.Join(parts, ", "))
}

// Build renders the query's SQL for a dialect. The output columns are: time (when Bucket),
// the GroupBy columns as String, then each metric as Nullable(Float64).
func Build(d Dialect, s Settings, q Query) (string, error) {
	if len(q.Metrics) == 0 {
		return "", fmt.Errorf("query: no metrics")
	}
	var fam *family
	ms := make([]*Metric, len(q.Metrics))
	for i, n := range q.Metrics {
		m, err := MetricByName(n)
		if err != nil {
			return "", err
		}
		ms[i] = m
		f := families[m.Family]
		if fam != nil && f != fam {
			return "", fmt.Errorf("query: metrics %s (%s) and %s (%s) come from different sources", q.Metrics[0], fam.name, n, f.name)
		}
		fam = f
	}
	for _, g := range q.GroupBy {
		if !contains(fam.groups, g) {
			return "", fmt.Errorf("query: %s cannot be grouped by %q (can: %v)", fam.name, g, fam.groups)
		}
	}
	if !q.Raw {
		fam = pickRollup(fam, d, s, ms, q)
	}
	if len(q.Windows) > 0 {
		if q.Bucket {
			return "", fmt.Errorf("query: rolling windows and time buckets exclude each other")
		}
		var longest int64
		for _, w := range q.Windows {
			if w <= 0 {
				return "", fmt.Errorf("query: rolling window %s is not positive", w)
			}
			longest = max(longest, secs(w))
		}
		d = windowDialect{Dialect: d, longest: longest}
	}
	var missing error
	c := func(name string) string {
		f, ok := fam.counter[name]
		if !ok {
			missing = fmt.Errorf("query: %s has no counter %q", fam.name, name)
			return "0"
		}
		return f(s)
	}
	var cols, keys []string
	if q.Bucket {
		cols = append(cols, d.Bucket(fam.timeCol)+" AS time")
		keys = append(keys, "time")
	}
	for _, g := range q.GroupBy {
		cols = append(cols, "toString("+g+") AS "+g+"_key")
		keys = append(keys, g+"_key")
	}
	if len(q.Windows) > 0 {
		cols = append(cols, windowsSQL(d, fam.timeCol, q.Windows)+" AS last")
		keys = append(keys, "last")
	}
	for _, m := range ms {
		cols = append(cols, fmt.Sprintf("CAST(%s AS Nullable(Float64)) AS %s", m.expr(c, s), m.ColumnIn(q.Lang)))
	}
	if missing != nil {
		return "", missing
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s\nFROM %s\nWHERE %s", strings.Join(cols, ",\n  "), fam.source(d, s), strings.Join(fam.conds(d), " AND "))
	if len(keys) > 0 {
		fmt.Fprintf(&b, "\nGROUP BY %s", strings.Join(keys, ", "))
	}
	order := q.OrderBy
	if order == "" && len(keys) > 0 {
		order = strings.Join(keys, ", ")
	} else if order != "" && contains(q.GroupBy, order) {
		order += "_key"
	} else if m, err := MetricByName(order); err == nil {
		order = m.ColumnIn(q.Lang)
	}
	if order != "" {
		if q.Desc {
			order += " DESC"
		}
		// Ties break on the keys, so a LIMIT keeps the same rows on every server.
		for _, k := range keys {
			if !strings.HasPrefix(order, k) {
				order += ", " + k
			}
		}
		fmt.Fprintf(&b, "\nORDER BY %s", order)
	}
	if q.Limit > 0 {
		fmt.Fprintf(&b, "\nLIMIT %d", q.Limit)
	}
	return b.String(), nil
}

// computableFrom says whether every counter the metric needs exists in f.
func (m *Metric) computableFrom(f *family, s Settings) bool {
	ok := true
	m.expr(func(n string) string {
		if _, has := f.counter[n]; !has {
			ok = false
		}
		return "0"
	}, s)
	return ok
}

// MetricsOf lists the metrics of the same source as name (they can share one query).
func MetricsOf(family string) []string {
	var out []string
	for _, n := range MetricNames() {
		if metrics[n].Family == family {
			out = append(out, n)
		}
	}
	return out
}

// Column is the metric's output column: its title, quoted, so Grafana shows a readable name and
// no output alias can shadow a source column of the same name (ClickHouse substitutes aliases).
func (m *Metric) Column() string { return m.ColumnIn(LangEn) }

// ColumnIn is the metric's output column with its title in lang.
func (m *Metric) ColumnIn(lang string) string { return "`" + m.TitleIn(lang) + "`" }

// narrowsAgent reports whether a concrete period filters on one agent (Grafana's agent
// variable is applied only where the source has agents).
func narrowsAgent(d Dialect) bool {
	p, ok := d.(Period)
	return ok && p.Agent != ""
}

// pickRollup returns the first rollup of fam that has every counter, group column and
// filtered dimension the query needs, or fam itself. The call rollups hold the default
// thresholds only.
func pickRollup(fam *family, d Dialect, s Settings, ms []*Metric, q Query) *family {
next:
	for _, name := range fam.rollups {
		rf := families[name]
		if fam.name == "calls" && !s.rollupCompatible() {
			break
		}
		for _, m := range ms {
			if !m.computableFrom(rf, s) {
				continue next
			}
		}
		for _, g := range q.GroupBy {
			if !contains(rf.groups, g) {
				continue next
			}
		}
		if _, has := rf.dims[DimAgent]; !has && narrowsAgent(d) {
			continue
		}
		return rf
	}
	return fam
}
