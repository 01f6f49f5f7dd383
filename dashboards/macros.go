package dashboards

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Expand does what the grafana-clickhouse-datasource plugin (4.x) does to a panel's SQL before
// sending it: $__timeFilter(col), $__fromTime/$__toTime, $__interval_s, template variables
// (${v:singlequote}, $v) and $__conditionalAll(cond, $v). vars maps a variable to its selected
// values; a missing or empty entry means "All". Tests and the benchmark use it to run panel SQL
// the way Grafana would.
func Expand(sql string, from, to time.Time, interval time.Duration, vars map[string][]string) string {
	f, t := fmt.Sprintf("toDateTime(%d)", from.Unix()), fmt.Sprintf("toDateTime(%d)", to.Unix())
	sql = timeFilterRe.ReplaceAllString(sql, "($1 >= "+f+" AND $1 <= "+t+")")
	sql = strings.ReplaceAll(sql, "$__fromTime", f)
	sql = strings.ReplaceAll(sql, "$__toTime", t)
	sec := int(interval.Seconds())
	if sec < 1 {
		sec = 1
	}
	sql = strings.ReplaceAll(sql, "$__interval_s", fmt.Sprint(sec))
	// $__conditionalAll(cond, $v): cond when v is narrowed, else 1=1.
	const ca = "$__conditionalAll("
	for {
		at := strings.Index(sql, ca)
		if at < 0 {
			break
		}
		open := at + len(ca)
		depth, end := 1, len(sql)-1
		for i := open; i < len(sql); i++ {
			if sql[i] == '(' {
				depth++
			} else if sql[i] == ')' {
				depth--
				if depth == 0 {
					end = i
					break
				}
			}
		}
		inner := sql[open:end]
		cut := strings.LastIndex(inner, ", $")
		cond, name := inner[:cut], inner[cut+3:]
		repl := "1=1"
		if len(vars[name]) > 0 {
			repl = "(" + cond + ")"
		}
		sql = sql[:at] + repl + sql[end+1:]
	}
	for name, vals := range vars {
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
		}
		sql = strings.ReplaceAll(sql, "${"+name+":singlequote}", strings.Join(q, ","))
	}
	return sql
}

var (
	timeFilterRe = regexp.MustCompile(`\$__timeFilter\(([^()]+)\)`)
)
