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
			"wait_p50":      fixed(PercentileSQL(0.5, "groupArrayIf(wait_sec, "+condAnswered+")")),
			"wait_p90":      fixed(PercentileSQL(0.9, "groupArrayIf(wait_sec, "+condAnswered+")")),
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
			"wait_p50":      fixed(PercentileSQL(0.5, "groupArray(wait_sec)")),
			"wait_p90":      fixed(PercentileSQL(0.9, "groupArray(wait_sec)")),
		},
	})

	register(&family{
		name: "agent_states", timeCol: "occurred_at", source: func(d Dialect, s Settings) string { return agentStatePiecesSQL(d, "1") },
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
		name: "complaints", timeCol: "registered_at",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimAgent: "against_agent_id"},
		groups: []string{"tenant", "category", "business_line", "department", "channel", "against_agent_id"},
		source: func(d Dialect, s Settings) string { return "(" + registeredComplaintsSQL(d) + ")" },
		counter: map[string]func(Settings) string{
			"complaints": fixed("count()"),
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

// PercentileSQL is the q-th percentile of the values an array aggregate collects, interpolated
// between the two nearest ranks as Excel's PERCENTILE.INC (and PERCENTILE) computes it: with
// the n values sorted x[0..n-1], h = (n-1)q, the value is x[floor h] + (h - floor h)
// (x[ceil h] - x[floor h]). The median of 10 s and 20 s is 15 s. NULL when there are none.
// Written out (no quantileExactInclusive on 18.16); ClickHouse sorts the array once, however
// often the expression names it.
func PercentileSQL(q float64, values string) string {
	a := "arraySort(" + values + ")"
	h := fmt.Sprintf("((length(%s) - 1) * %g)", a, q)
	lo := fmt.Sprintf("%s[toUInt64(floor(%s)) + 1]", a, h)
	hi := fmt.Sprintf("%s[toUInt64(ceil(%s)) + 1]", a, h)
	return fmt.Sprintf("if(length(%s) = 0, NULL, %s + (%s - floor(%s)) * (%s - %s))", a, lo, h, h, hi, lo)
}

func fixed(sql string) func(Settings) string { return func(Settings) string { return sql } }

// stateSlot is the span agent states are cut at (15 minutes, the finest bucket), and
// stateLookahead how far past the period's end states are read for one that began in it.
const (
	stateSlot      = 900
	stateLookahead = 8 * 86400
)

// agentStatePiecesSQL cuts every agent state that overlaps the period into pieces at the
// 15-minute boundaries and at the period's bounds: a state counts in each bucket for the time
// it spent there (a two-hour call is busy time in both hours), and in a period only for its
// part inside. A state runs from the previous event to its own (occurred_at and occurred_ms,
// minus previous_sec, in ms). Each piece is a row with the columns the agent-state counters
// read: occurred_at (the piece's start, for the period and bucket), previous_state and
// previous_sec (the piece's length). States ending up to stateLookahead after the period are
// read; a state longer than that which began in the period is not seen by it. where narrows
// the states read (e.g. to campaign agents).
func agentStatePiecesSQL(d Dialect, where string) string {
	return fmt.Sprintf(`(SELECT tenant, agent_id, queues, previous_state, toDateTime(intDiv(tupleElement(piece, 1), 1000)) AS occurred_at,
    (tupleElement(piece, 2) - tupleElement(piece, 1)) / 1000 AS previous_sec
  FROM (SELECT tenant, agent_id, queues, previous_state, s0, e0,
      arrayJoin(arrayMap(k -> (greatest(s0, k * %[1]d), least(e0, (k + 1) * %[1]d)), arrayMap(i -> intDiv(s0, %[1]d) + i, range(toUInt64(intDiv(e0 - 1, %[1]d) - intDiv(s0, %[1]d) + 1))))) AS piece
    FROM (SELECT tenant, agent_id, queues, previous_state,
        greatest(%[2]s - toUInt64(round(previous_sec * 1000)), toUInt64(%[3]s) * 1000) AS s0, least(%[2]s, toUInt64(%[4]s) * 1000) AS e0
      FROM agent_states
      WHERE occurred_at >= %[3]s AND occurred_at < toDateTime(toUInt32(%[4]s) + %[5]d) AND previous_state != 'logged_out' AND previous_sec > 0 AND %[6]s AND %[7]s)
    WHERE e0 > s0))`,
		stateSlot*1000, MillisSQL("occurred_at", "occurred_ms"), d.FromSQL(), d.ToSQL(), stateLookahead,
		dimConds(d, map[Dim]string{DimTenant: "tenant"}), where)
}

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

// complaintReregistration is how long after a complaint's first registration another
// registration event of it is still recognised as the same complaint (the same bound the
// deadlines read back).
const complaintReregistration = 120 * 86400

// registeredComplaintsSQL yields one row per complaint first registered in the period: a
// complaint may have more than one registration event (re-registered, or registered by two
// channels), and it counts once, at its first registration, with that registration's
// categories. The dimension filters apply to the complaints, as the dashboards' variables do.
func registeredComplaintsSQL(d Dialect) string {
	return fmt.Sprintf(`SELECT tenant, complaint_id, min(registered_) AS registered_at, argMin(category, registered_) AS category,
    argMin(business_line, registered_) AS business_line, argMin(department, registered_) AS department, argMin(channel, registered_) AS channel,
    argMin(against_agent_id, registered_) AS against_agent_id
  FROM (SELECT tenant, complaint_id, registered_at AS registered_, category, business_line, department, channel, against_agent_id
    FROM complaints WHERE stage = 'registered' AND registered_at >= toDateTime(toUInt32(%s) - %d) AND registered_at < %s AND %s)
  GROUP BY tenant, complaint_id`, d.FromSQL(), complaintReregistration, d.ToSQL(), dimConds(d, map[Dim]string{DimTenant: "tenant"}))
}

// complaintRateFamily puts complaints (each once, registeredComplaintsSQL) and answered
// inbound calls side by side, each row with the policies in force at the end of its UTC day.
// answered holds no threshold, so the rollup variant always stands in unless Raw.
func complaintRateFamily(name, calls string) *family {
	f := &family{
		name: name, timeCol: "ts",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line"},
		groups: []string{"tenant", "business_line"},
		source: func(d Dialect, s Settings) string {
			lc := map[Dim]string{DimTenant: "tenant", DimLine: "business_line"}
			return fmt.Sprintf(`(SELECT tenant, business_line, ts, is_complaint, is_answered, in_force
  FROM (SELECT tenant, business_line, ts, is_complaint, is_answered, %s AS day_end
    FROM (SELECT toLowCardinality(toString(tenant)) AS tenant, toLowCardinality(toString(business_line)) AS business_line, registered_at AS ts,
        toUInt64(1) AS is_complaint, toUInt64(0) AS is_answered
      FROM (%s) WHERE %s
    UNION ALL
    %s)) AS rate_rows
  ANY LEFT JOIN (%s) AS in_force_days USING day_end)`,
				dayInForceSQL(d), registeredComplaintsSQL(d), dimConds(d, lc), strings.ReplaceAll(calls, "{conds}", dimConds(d, lc)), inForceByDaySQL(d))
		},
		counter: map[string]func(Settings) string{
			"rate_complaints":   fixed("sum(is_complaint)"),
			"rate_answered":     fixed("sum(is_answered)"),
			"policies_in_force": fixed("argMax(in_force, ts)"),
		},
	}
	return f
}

func complaintRateFamilies() []*family {
	// call_records holds plain String categories and the complaints LowCardinality ones; 18.16
	// finds no common type for the two in a UNION, so every side is cast to LowCardinality.
	raw := complaintRateFamily("complaint_rate", "SELECT toLowCardinality(tenant) AS tenant, toLowCardinality(business_line) AS business_line, arrived_at AS ts, toUInt64(0) AS is_complaint, toUInt64(1) AS is_answered\n"+
		"    FROM call_records WHERE "+condAnswered+" AND {time} AND {conds}")
	roll := complaintRateFamily("complaint_rate_rollup", "SELECT toLowCardinality(toString(tenant)) AS tenant, toLowCardinality(toString(business_line)) AS business_line, ts, toUInt64(0) AS is_complaint, answered AS is_answered\n"+
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

// MillisSQL is the instant of a DateTime column and its millisecond companion (migration 0250;
// occurred_ms for occurred_at) in ms since the epoch, as UInt64. Windows compare these, so
// "within 24 h" is to the millisecond whatever the column holds. A Nullable column reads 0
// when NULL.
func MillisSQL(col, ms string) string {
	return fmt.Sprintf("(toUInt64(assumeNotNull(%s)) * 1000 + %s)", col, ms)
}

// callbackFamily yields one row per closed claim with its first callback attempt and first
// successful contact (connected to an agent, and not a wrong number: a person answered, but not
// the claimant), in ms, bucketed by the end of the coverage window. Only claim versions from
// the window before the period are read: a claim closed at X has its closing version at or
// after X, and only claims closed after From - window can end their window in the period.
// Windows are closed at both ends: a contact exactly 72 h after closing counts, one 1 ms later
// does not.
func callbackFamily() *family {
	return &family{
		name: "callbacks", timeCol: "window_end",
		dims:   map[Dim]string{DimTenant: "tenant"},
		groups: []string{"tenant"},
		source: func(d Dialect, s Settings) string {
			w := secs(s.CallbackWindow)
			return fmt.Sprintf(`(SELECT tenant, claim_id, closed_ms, toDateTime(intDiv(closed_ms, 1000) + %d) AS window_end, first_attempt, first_contact
  FROM (SELECT tenant, claim_id, toUInt64(assumeNotNull(closed_)) * 1000 + closed_ms_ AS closed_ms
      FROM (SELECT tenant, claim_id, argMax(status, updated_ms) AS status_, argMax(closed_at, updated_ms) AS closed_, argMax(closed_ms, updated_ms) AS closed_ms_
        FROM claims WHERE occurred_at >= toDateTime(toUInt32(%s) - %d) AND %s GROUP BY tenant, claim_id)
      WHERE status_ = 'closed' AND isNotNull(closed_)) AS closed_claims
  ANY LEFT JOIN (SELECT claim_id, min(%s) AS first_attempt,
      minIf(%s, outcome = 'connected' AND disposition != 'wrong_number' AND isNotNull(connected_at)) AS first_contact
      FROM dial_attempts WHERE campaign_type = 'claim_callback' AND claim_id != '' AND outcome != 'blocked'
        AND dialed_at >= %s - %d AND dialed_at < %s AND %s
      GROUP BY claim_id) AS callback_attempts USING claim_id)`,
				w, d.FromSQL(), w, dimConds(d, map[Dim]string{DimTenant: "tenant"}), MillisSQL("dialed_at", "dialed_ms"), MillisSQL("connected_at", "connected_ms"),
				d.FromSQL(), 2*w, d.ToSQL(), dimConds(d, map[Dim]string{DimTenant: "tenant"}))
		},
		counter: map[string]func(Settings) string{
			"closed_claims": fixed("count()"),
			"covered": func(s Settings) string {
				return fmt.Sprintf("countIf(first_contact > 0 AND first_contact >= closed_ms AND first_contact <= closed_ms + %d)", s.CallbackWindow.Milliseconds())
			},
			"first_attempt_ok": func(s Settings) string {
				return fmt.Sprintf("countIf(first_attempt > 0 AND first_attempt >= closed_ms AND first_attempt <= closed_ms + %d)", s.FirstAttemptLimit.Milliseconds())
			},
		},
	}
}

// feedbackFamily yields one row per survey response that raised an issue, with whether a later
// version of the same response (the dialer republishes it when the issue is closed) marked it
// resolved within the feedback window, to the millisecond (after the issue was raised, up to
// and including raised + window).
func feedbackFamily() *family {
	return &family{
		name: "feedback", timeCol: "raised_at",
		dims:   map[Dim]string{DimTenant: "tenant", DimLine: "business_line", DimCampaign: "campaign_id", DimAgent: "agent_id"},
		groups: []string{"tenant", "business_line", "campaign_id", "agent_id"},
		source: func(d Dialect, s Settings) string {
			w := secs(s.FeedbackWindow)
			at := MillisSQL("occurred_at", "occurred_ms")
			return fmt.Sprintf(`(SELECT tenant_ AS tenant, line_ AS business_line, campaign_ AS campaign_id, agent_ AS agent_id, toDateTime(intDiv(raised_ms, 1000)) AS raised_at,
    toUInt8(arrayExists(t -> t > raised_ms AND t <= raised_ms + %d, resolved_ts)) AS resolved_in_time
  FROM (SELECT any(tenant) AS tenant_, any(business_line) AS line_, any(campaign_id) AS campaign_, any(agent_id) AS agent_,
      minIf(%s, issue != '') AS raised_ms, groupArrayIf(%s, ifNull(resolved, 0) = 1) AS resolved_ts
    FROM survey_responses WHERE (issue != '' OR ifNull(resolved, 0) = 1) AND occurred_at >= %s AND occurred_at < %s + %d AND %s
    GROUP BY response_id HAVING countIf(issue != '') > 0))`,
				s.FeedbackWindow.Milliseconds(), at, at, d.FromSQL(), d.ToSQL(), w, dimConds(d, map[Dim]string{DimTenant: "tenant"}))
		},
		counter: map[string]func(Settings) string{
			"issues":          fixed("count()"),
			"issues_resolved": fixed("countIf(resolved_in_time = 1)"),
		},
	}
}
