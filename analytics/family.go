package analytics

import (
	"fmt"
	"strings"
)

// family is one source of rows a set of metrics aggregates over: a fact table, a rollup, or a
// subquery that first shapes the facts (one row per complaint, per claim, per answered call).
type family struct {
	name    string
	timeCol string         // DateTime column the period and the buckets apply to
	dims    map[Dim]string // filter column per dimension; absent = dimension does not apply
	arrays  map[Dim]bool   // dims whose column is an Array(String)
	where   string         // fixed condition, "" for none
	groups  []string       // columns a breakdown may group by
	source  func(d Dialect, s Settings) string
	counter map[string]func(s Settings) string // named aggregate expressions
	rollups []string                           // families that can stand in when settings allow, preferred first
}

func table(name string) func(Dialect, Settings) string {
	return func(Dialect, Settings) string { return name }
}

// conds renders the family's dimension filters, the time filter and the fixed condition.
func (f *family) conds(d Dialect) []string {
	out := []string{d.TimeFilter(f.timeCol)}
	if f.where != "" {
		out = append(out, f.where)
	}
	for _, dim := range Dims {
		col, ok := f.dims[dim]
		if !ok {
			continue
		}
		if c := d.Cond(dim, col, f.arrays[dim]); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// dimConds renders only the dimension filters for the given columns (used inside subqueries).
func dimConds(d Dialect, cols map[Dim]string) string {
	var out []string
	for _, dim := range Dims {
		col, ok := cols[dim]
		if !ok {
			continue
		}
		if c := d.Cond(dim, col, false); c != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "1"
	}
	return strings.Join(out, " AND ")
}

// ratio is n/d, NULL when there is nothing to divide by (a dashboard shows "no data", not 0%).
// The denominator appears once, so an expensive one (a scalar subquery) is evaluated once.
func ratio(n, d string) string {
	return fmt.Sprintf("(%s) / nullIf(%s, 0)", n, d)
}

func secs(d interface{ Seconds() float64 }) int64 { return int64(d.Seconds()) }

var families = map[string]*family{}

func register(f *family) *family {
	families[f.name] = f
	return f
}
