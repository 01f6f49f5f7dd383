package analytics

import (
	"fmt"
	"strings"
)

// Inbound conditions on call_records, each written once.
const (
	condInbound  = "direction = 'inbound'"
	condOffered  = "direction = 'inbound' AND isNotNull(queued_at)"
	condAnswered = condOffered + " AND outcome = 'answered'"
	condAbandon  = condOffered + " AND outcome = 'abandoned'"
)

var callDims = map[Dim]string{DimTenant: "tenant", DimQueue: "queue", DimLine: "business_line", DimCampaign: "campaign_id", DimAgent: "agent_id"}

func init() {
	register(&family{
		name: "calls", timeCol: "arrived_at", dims: callDims, source: table("call_records"), rollups: []string{"calls_queue_rollup", "calls_rollup", "answered_waits"},
		groups: []string{"tenant", "direction", "queue", "business_line", "agent_id", "campaign_id", "outcome"},
		counter: map[string]func(Settings) string{
			"inbound":       fixed("countIf(" + condInbound + ")"),
			"outbound":      fixed("countIf(direction = 'outbound')"),
			"total":         fixed("count()"),
			"ivr_entered":   fixed("countIf(" + condInbound + " AND isNotNull(ivr_ended_at))"),
			"self_served":   fixed("countIf(" + condInbound + " AND outcome = 'self_served')"),
			"offered_all":   fixed("countIf(" + condOffered + ")"),
			"answered":      fixed("countIf(" + condAnswered + ")"),
			"abandoned_all": fixed("countIf(" + condAbandon + ")"),
			"short_abandoned": func(s Settings) string {
				return fmt.Sprintf("countIf(%s AND wait_sec < %d)", condAbandon, s.ShortAbandonSec)
			},
			"answered_within": func(s Settings) string {
				return fmt.Sprintf("countIf(%s AND wait_sec <= %d)", condAnswered, s.SLThresholdSec)
			},
			"abandoned_after": func(s Settings) string {
				return fmt.Sprintf("countIf(%s AND wait_sec > %d)", condAbandon, s.SLThresholdSec)
			},
			"abandoned_within_long": func(s Settings) string {
				return fmt.Sprintf("countIf(%s AND wait_sec >= %d AND wait_sec <= %d)", condAbandon, s.ShortAbandonSec, s.SLThresholdSec)
			},
			"wait_answered": fixed("sumIf(wait_sec, " + condAnswered + ")"),
			"handle":        fixed("sumIf(talk_sec + hold_sec + acw_sec, " + condAnswered + ")"),
			"transferred":   fixed("countIf(" + condAnswered + " AND transferred = 1)"),
			// One aggregate for both levels: ClickHouse computes an expression used twice once.
			"wait_p50": fixed("quantilesExactIf(0.5, 0.9)(wait_sec, " + condAnswered + ")[1]"),
			"wait_p90": fixed("quantilesExactIf(0.5, 0.9)(wait_sec, " + condAnswered + ")[2]"),
		},
	})
	// The rollup (migration 0100) holds the same counters per 15 minutes, built with T=20 s and
	// S=5 s; the query layer uses it only when the settings match.
	rollupCounters := map[string]func(Settings) string{}
	for _, c := range []string{"inbound", "outbound", "total", "ivr_entered", "self_served", "offered_all", "answered",
		"abandoned_all", "short_abandoned", "answered_within", "abandoned_after", "abandoned_within_long", "wait_answered", "handle", "transferred"} {
		rollupCounters[c] = fixed("sum(" + c + ")")
	}
	register(&family{
		name: "calls_rollup", timeCol: "ts", dims: callDims, source: table("call_rollup_15m"),
		groups:  []string{"tenant", "direction", "queue", "business_line", "agent_id", "campaign_id"},
		counter: rollupCounters,
	})
	// The queue rollup (migration 0101) has no agent: preferred whenever the query does not
	// group by agent and the dialect does not narrow to one. On dashboards the agent variable
	// therefore narrows the agent-level panels, not the queue-level ones.
	queueDims := map[Dim]string{DimTenant: "tenant", DimQueue: "queue", DimLine: "business_line", DimCampaign: "campaign_id"}
	register(&family{
		name: "calls_queue_rollup", timeCol: "ts", dims: queueDims, source: table("call_queue_rollup_15m"),
		groups:  []string{"tenant", "direction", "queue", "business_line", "campaign_id"},
		counter: rollupCounters,
	})

	// The waits of answered calls (migration 0108): the wait percentiles and ASA without
	// reading every call record.
	register(&family{
		name: "answered_waits", timeCol: "arrived_at", dims: callDims, source: table("answered_waits"),
		groups: []string{"tenant", "queue", "business_line", "agent_id", "campaign_id"},
		counter: map[string]func(Settings) string{
			"answered":      fixed("count()"),
			"wait_answered": fixed("sum(wait_sec)"),
			"wait_p50":      fixed("quantilesExact(0.5, 0.9)(wait_sec)[1]"),
			"wait_p90":      fixed("quantilesExact(0.5, 0.9)(wait_sec)[2]"),
		},
	})

	register(&family{
		name: "agent_states", timeCol: "occurred_at", source: table("agent_states"),
		dims:   map[Dim]string{DimTenant: "tenant", DimAgent: "agent_id", DimQueue: "queues"},
		arrays: map[Dim]bool{DimQueue: true},
		groups: []string{"tenant", "agent_id"},
		counter: map[string]func(Settings) string{
			"busy":      fixed("sumIf(previous_sec, previous_state IN ('on_call', 'hold', 'acw'))"),
			"available": fixed("sumIf(previous_sec, previous_state = 'available')"),
			"talk":      fixed("sumIf(previous_sec, previous_state = 'on_call')"),
			"logged_in": fixed("sumIf(previous_sec, previous_state != 'logged_out')"),
		},
	})

	register(&family{
		name: "surveys", timeCol: "occurred_at", source: table("survey_responses"),
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimCampaign: "campaign_id", DimAgent: "agent_id"},
		groups: []string{"tenant", "kind", "channel", "business_line", "agent_id", "campaign_id"},
		counter: map[string]func(Settings) string{
			"csat_n":        fixed("countIf(isNotNull(csat))"),
			"csat_top2":     fixed("countIf(isNotNull(csat) AND ifNull(csat, 0) >= 4)"),
			"csat_sum":      fixed("sum(ifNull(csat, 0))"),
			"nps_n":         fixed("countIf(isNotNull(nps))"),
			"promoters":     fixed("countIf(isNotNull(nps) AND ifNull(nps, 0) >= 9)"),
			"detractors":    fixed("countIf(isNotNull(nps) AND ifNull(nps, 10) <= 6)"),
			"pc_csat_n":     fixed("countIf(kind = 'post_claim' AND isNotNull(csat))"),
			"pc_csat_top2":  fixed("countIf(kind = 'post_claim' AND isNotNull(csat) AND ifNull(csat, 0) >= 4)"),
			"pc_nps_n":      fixed("countIf(kind = 'post_claim' AND isNotNull(nps))"),
			"pc_promoters":  fixed("countIf(kind = 'post_claim' AND isNotNull(nps) AND ifNull(nps, 0) >= 9)"),
			"pc_detractors": fixed("countIf(kind = 'post_claim' AND isNotNull(nps) AND ifNull(nps, 10) <= 6)"),
			"responses":     fixed("count()"),
		},
	})

	register(&family{
		name: "dial_rollup", timeCol: "ts", source: table("dial_rollup_15m"),
		dims:   map[Dim]string{DimTenant: "tenant", DimCampaign: "campaign_id"},
		groups: []string{"tenant", "campaign_id", "campaign_type"},
		counter: map[string]func(Settings) string{
			"attempts": fixed("sum(attempts)"), "blocked": fixed("sum(blocked)"), "contacts": fixed("sum(contacts)"),
			"connected": fixed("sum(connected)"), "dropped": fixed("sum(dropped)"),
		},
	})
	register(&family{
		name: "dial_attempts", timeCol: "dialed_at", source: table("dial_attempts"), rollups: []string{"dial_rollup"},
		dims:   map[Dim]string{DimTenant: "tenant", DimCampaign: "campaign_id", DimAgent: "agent_id"},
		groups: []string{"tenant", "campaign_id", "campaign_type", "agent_id", "outcome", "blocked_rule", "amd"},
		counter: map[string]func(Settings) string{
			"attempts":    fixed("countIf(outcome != 'blocked')"),
			"blocked":     fixed("countIf(outcome = 'blocked')"),
			"contacts":    fixed("countIf(outcome IN ('connected', 'dropped'))"),
			"connected":   fixed("countIf(outcome = 'connected')"),
			"dropped":     fixed("countIf(outcome = 'dropped')"),
			"amd_machine": fixed("countIf(amd = 'machine')"),
			"amd_judged":  fixed("countIf(amd != '')"),
			// A contact's first try has attempt_no 1 and the try that closes it final 1: counts
			// of contacts without counting distinct ids.
			"contacts_started":  fixed("countIf(attempt_no = 1)"),
			"contacts_finished": fixed("countIf(final = 1)"),
		},
	})

	register(&family{
		name: "qa", timeCol: "occurred_at", source: table("qa_evaluations"),
		dims:   map[Dim]string{DimTenant: "tenant", DimAgent: "agent_id", DimLine: "business_line"},
		where:  "kind = 'regular' AND status != 'disputed'",
		groups: []string{"tenant", "agent_id", "evaluator_id", "scorecard_id", "business_line"},
		counter: map[string]func(Settings) string{
			"evaluations": fixed("count()"),
			"qa_sum":      fixed("sum(score)"),
			"critical":    fixed("countIf(critical_failed = 1)"),
		},
	})

	register(&family{
		name: "complaints", timeCol: "registered_at", source: table("complaints"),
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimAgent: "against_agent_id"},
		where:  "stage = 'registered'",
		groups: []string{"tenant", "category", "business_line", "department", "channel", "against_agent_id"},
		counter: map[string]func(Settings) string{
			"complaints": fixed("uniqExact(complaint_id)"),
		},
	})

	register(campaignAgentsFamily())
	register(dialBlockedFamily())
	for _, f := range qaCoverageFamilies() {
		register(f)
	}
	for _, f := range smsFamilies() {
		register(f)
	}
	register(fcrFamily())
	register(fcrClosedFamily())
	register(deadlineFamily())
	for _, f := range complaintRateFamilies() {
		register(f)
	}
	register(callbackFamily())
	register(feedbackFamily())
}

func fixed(sql string) func(Settings) string { return func(Settings) string { return sql } }

// deadlineFamily yields one row per complaint with its deadline by the working-day calendar,
// bucketed by the deadline: timeliness is judged on the complaints due in the period.
func deadlineFamily() *family {
	return &family{
		name: "complaint_deadlines", timeCol: "due_time",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimAgent: "agent_id"},
		groups: []string{"tenant", "category", "business_line", "department", "channel"},
		source: func(d Dialect, s Settings) string {
			return "(" + complaintDeadlinesSQL(d, s, fmt.Sprintf("registered_at >= %s - %d AND registered_at < %s", d.FromSQL(), 120*86400, d.ToSQL())) + ")"
		},
		counter: map[string]func(Settings) string{
			"due":          fixed("count()"),
			"on_time":      fixed("countIf(answered = 1 AND answered_at < due_end)"),
			"overdue_open": fixed("countIf(answered = 0 AND due_end <= now())"),
		},
	}
}

// complaintDeadlinesSQL is the per-complaint table: registration, first answer, deadline.
func complaintDeadlinesSQL(d Dialect, s Settings, where string) string {
	return fmt.Sprintf(`SELECT tenant_ AS tenant, complaint_id, customer_ AS customer_id, category_ AS category, line_ AS business_line,
    department_ AS department, channel_ AS channel, agent_ AS agent_id, registered_ AS registered_at,
    answered_at_ AS answered_at, answered_ AS answered, due_date, toDateTime(due_date) AS due_time, toDateTime(due_date + 1) AS due_end
  FROM (SELECT any(tenant) AS tenant_, complaint_id, any(customer_id) AS customer_, any(category) AS category_,
      any(business_line) AS line_, any(department) AS department_, any(channel) AS channel_,
      any(against_agent_id) AS agent_, min(registered_at) AS registered_,
      minIf(occurred_at, stage IN ('answered', 'closed')) AS answered_at_,
      toUInt8(countIf(stage IN ('answered', 'closed')) > 0) AS answered_,
      %s AS due_date
    FROM complaints WHERE %s AND %s
    GROUP BY complaint_id)`, deadlineSQL(s.Calendar, "registered_", s.ComplaintWorkdays), where,
		dimConds(d, map[Dim]string{DimTenant: "tenant", DimLine: "business_line"}))
}

// complaintRateFamily puts registered complaints and answered inbound calls side by side.
// answered holds no threshold, so the rollup variant always stands in unless Raw.
func complaintRateFamily(name, calls string) *family {
	f := &family{
		name: name, timeCol: "ts",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line"},
		groups: []string{"tenant", "business_line"},
		source: func(d Dialect, s Settings) string {
			lc := map[Dim]string{DimTenant: "tenant", DimLine: "business_line"}
			return fmt.Sprintf(`(SELECT toString(tenant) AS tenant, toString(business_line) AS business_line, registered_at AS ts,
      toUInt64(1) AS is_complaint, toUInt64(0) AS is_answered
    FROM complaints WHERE stage = 'registered' AND %s AND %s
  UNION ALL
  %s)`, d.TimeFilter("registered_at"), dimConds(d, lc), strings.ReplaceAll(calls, "{conds}", dimConds(d, lc)))
		},
		counter: map[string]func(Settings) string{
			"rate_complaints": fixed("sum(is_complaint)"),
			"rate_answered":   fixed("sum(is_answered)"),
		},
	}
	return f
}

func complaintRateFamilies() []*family {
	// call_records holds plain String categories and the complaints LowCardinality ones; 18.16
	// finds no common type for the two in a UNION, so the calls side is cast.
	raw := complaintRateFamily("complaint_rate", "SELECT toLowCardinality(tenant) AS tenant, toLowCardinality(business_line) AS business_line, arrived_at AS ts, toUInt64(0) AS is_complaint, toUInt64(1) AS is_answered\n"+
		"    FROM call_records WHERE "+condAnswered+" AND {time} AND {conds}")
	roll := complaintRateFamily("complaint_rate_rollup", "SELECT toString(tenant) AS tenant, toString(business_line) AS business_line, ts, toUInt64(0) AS is_complaint, answered AS is_answered\n"+
		"    FROM call_queue_rollup_15m WHERE answered > 0 AND {time} AND {conds}")
	raw.rollups = []string{roll.name}
	for _, f := range []*family{raw, roll} {
		src, col := f.source, map[*family]string{raw: "arrived_at", roll: "ts"}[f]
		f.source = func(d Dialect, s Settings) string {
			return strings.ReplaceAll(src(d, s), "{time}", d.TimeFilter(col))
		}
	}
	return []*family{raw, roll}
}

// callbackFamily yields one row per closed claim with its first callback attempt and first
// successful contact (connected to an agent, and not a wrong number: a person answered, but not
// the claimant), bucketed by the end of the coverage window. Only claim versions from
// the window before the period are read: a claim closed at X has its closing version at or
// after X, and only claims closed after From - window can end their window in the period.
func callbackFamily() *family {
	return &family{
		name: "callbacks", timeCol: "window_end",
		dims:   map[Dim]string{DimTenant: "tenant"},
		groups: []string{"tenant"},
		source: func(d Dialect, s Settings) string {
			w := secs(s.CallbackWindow)
			return fmt.Sprintf(`(SELECT tenant, claim_id, closed_at, toDateTime(toUInt32(closed_at) + %d) AS window_end, first_attempt, first_contact
  FROM (SELECT tenant, claim_id, assumeNotNull(closed_) AS closed_at
      FROM (SELECT tenant, claim_id, argMax(status, updated_ms) AS status_, argMax(closed_at, updated_ms) AS closed_
        FROM claims WHERE occurred_at >= toDateTime(toUInt32(%s) - %d) AND %s GROUP BY tenant, claim_id)
      WHERE status_ = 'closed' AND isNotNull(closed_)) AS closed_claims
  ANY LEFT JOIN (SELECT claim_id, min(dialed_at) AS first_attempt,
      minIf(assumeNotNull(connected_at), outcome = 'connected' AND disposition != 'wrong_number' AND isNotNull(connected_at)) AS first_contact
      FROM dial_attempts WHERE campaign_type = 'claim_callback' AND claim_id != '' AND outcome != 'blocked'
        AND dialed_at >= %s - %d AND dialed_at < %s AND %s
      GROUP BY claim_id) AS callback_attempts USING claim_id)`,
				w, d.FromSQL(), w, dimConds(d, map[Dim]string{DimTenant: "tenant"}), d.FromSQL(), 2*w, d.ToSQL(), dimConds(d, map[Dim]string{DimTenant: "tenant"}))
		},
		counter: map[string]func(Settings) string{
			"closed_claims": fixed("count()"),
			"covered": func(s Settings) string {
				return fmt.Sprintf("countIf(toUInt32(first_contact) > 0 AND first_contact >= closed_at AND toUInt32(first_contact) <= toUInt32(closed_at) + %d)", secs(s.CallbackWindow))
			},
			"first_attempt_ok": func(s Settings) string {
				return fmt.Sprintf("countIf(toUInt32(first_attempt) > 0 AND first_attempt >= closed_at AND toUInt32(first_attempt) <= toUInt32(closed_at) + %d)", secs(s.FirstAttemptLimit))
			},
		},
	}
}

// feedbackFamily yields one row per survey response that raised an issue, with whether a later
// version of the same response (the dialer republishes it when the issue is closed) marked it
// resolved within the feedback window.
func feedbackFamily() *family {
	return &family{
		name: "feedback", timeCol: "raised_at",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimCampaign: "campaign_id", DimAgent: "agent_id"},
		groups: []string{"tenant", "business_line", "campaign_id", "agent_id"},
		source: func(d Dialect, s Settings) string {
			w := secs(s.FeedbackWindow)
			return fmt.Sprintf(`(SELECT tenant_ AS tenant, line_ AS business_line, campaign_ AS campaign_id, agent_ AS agent_id, raised_at,
    toUInt8(arrayExists(t -> t > toUInt32(raised_at) AND t <= toUInt32(raised_at) + %d, resolved_ts)) AS resolved_in_time
  FROM (SELECT any(tenant) AS tenant_, any(business_line) AS line_, any(campaign_id) AS campaign_, any(agent_id) AS agent_,
      minIf(occurred_at, issue != '') AS raised_at, groupArrayIf(toUInt32(occurred_at), ifNull(resolved, 0) = 1) AS resolved_ts
    FROM survey_responses WHERE (issue != '' OR ifNull(resolved, 0) = 1) AND occurred_at >= %s AND occurred_at < %s + %d AND %s
    GROUP BY response_id HAVING countIf(issue != '') > 0))`,
				w, d.FromSQL(), d.ToSQL(), w, dimConds(d, map[Dim]string{DimTenant: "tenant"}))
		},
		counter: map[string]func(Settings) string{
			"issues":          fixed("count()"),
			"issues_resolved": fixed("countIf(resolved_in_time = 1)"),
		},
	}
}
