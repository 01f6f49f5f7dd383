package analytics

import (
	"fmt"
	"strings"
)

// QA coverage (docs/kpi.md): evaluated calls / answered calls, per agent per week (group by agent,
// bucket by week). A call counts as evaluated in the period its regular evaluation was made,
// whatever the evaluation's status (a disputed evaluation still looked at the call); scored
// twice it counts once. Calibration evaluations do not count. Calls are told apart by a 64-bit
// hash of their id (cheaper to count than strings; a collision among millions is ~1e-7 likely).
func init() {
	def(Metric{Name: "qa_evaluated_calls", Title: "Calls evaluated", Unit: UnitCount, Family: "qa_coverage",
		expr: func(c func(string) string, s Settings) string { return c("evaluated") }})
	def(Metric{Name: "qa_coverage", Title: "QA coverage", Unit: UnitRatio, Family: "qa_coverage",
		expr: func(c func(string) string, s Settings) string { return ratio(c("evaluated"), c("answered")) }})
}

// qaCoverageFamilies puts regular evaluations and answered inbound calls side by side, the calls
// from the records (raw) or from the agent-level rollup (answered needs no threshold).
func qaCoverageFamilies() []*family {
	dims := map[Dim]string{DimTenant: "tenant", DimAgent: "agent_id", DimLine: "business_line"}
	mk := func(name, calls, callTime string) *family {
		return &family{
			name: name, timeCol: "ts", dims: dims,
			groups: []string{"tenant", "agent_id", "business_line"},
			source: func(d Dialect, s Settings) string {
				return fmt.Sprintf(`(SELECT tenant, agent_id, business_line, occurred_at AS ts, cityHash64(call_id) AS call_h, toUInt64(0) AS answered_n
    FROM qa_evaluations WHERE kind = 'regular' AND call_id != '' AND %s AND %s
  UNION ALL
  %s)`,
					d.TimeFilter("occurred_at"), dimConds(d, dims), strings.NewReplacer("{time}", d.TimeFilter(callTime), "{conds}", dimConds(d, dims)).Replace(calls))
			},
			counter: map[string]func(Settings) string{
				"evaluated": fixed("uniqExactIf(call_h, call_h != 0)"),
				"answered":  fixed("sum(answered_n)"),
			},
		}
	}
	// call_records holds plain String categories and qa_evaluations LowCardinality ones; 18.16
	// finds no common type for the two in a UNION, so the records side is cast.
	raw := mk("qa_coverage", "SELECT toLowCardinality(tenant) AS tenant, toLowCardinality(agent_id) AS agent_id, toLowCardinality(business_line) AS business_line,\n"+
		"    arrived_at AS ts, toUInt64(0) AS call_h, toUInt64(1) AS answered_n\n    FROM call_records WHERE "+condAnswered+" AND {time} AND {conds}", "arrived_at")
	roll := mk("qa_coverage_rollup", "SELECT tenant, agent_id, business_line, ts, toUInt64(0) AS call_h, answered AS answered_n\n    FROM call_rollup_15m WHERE answered > 0 AND {time} AND {conds}", "ts")
	raw.rollups = []string{roll.name}
	return []*family{raw, roll}
}
