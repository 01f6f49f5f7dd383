package analytics

import (
	"fmt"
	"sort"
)

// Units of metric values, as Grafana names them.
const (
	UnitRatio   = "percentunit" // 0..1
	UnitSeconds = "s"
	UnitCount   = "short"
	UnitScore   = "none"
)

// Target is a seed-document target a metric is shown against.
type Target struct {
	Value float64
	Above bool   // good when the value is at or above Value (else at or below)
	Note  string // where the target comes from
}

// Metric is one KPI: a SQL expression over its family's counters.
type Metric struct {
	Name   string
	Title  string
	Unit   string
	Family string
	Target *Target
	expr   func(c func(string) string, s Settings) string
}

var metrics = map[string]*Metric{}

func def(m Metric) {
	if _, dup := metrics[m.Name]; dup {
		panic("analytics: metric defined twice: " + m.Name)
	}
	mm := m
	metrics[m.Name] = &mm
}

// MetricByName returns the metric, or an error naming the known ones.
func MetricByName(name string) (*Metric, error) {
	m, ok := metrics[name]
	if !ok {
		return nil, fmt.Errorf("unknown metric %q (known: %v)", name, MetricNames())
	}
	return m, nil
}

// MetricNames lists every metric, sorted.
func MetricNames() []string {
	out := make([]string, 0, len(metrics))
	for n := range metrics {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Targets the centre is held to, which dashboards and reports show against the actuals
// (docs/kpi.md gives each beside its KPI).
var (
	TargetConnectionRate   = &Target{Value: 0.80, Above: true, Note: "connection rate above 80%"}
	TargetPostClaimCSAT    = &Target{Value: 0.85, Above: true, Note: "satisfaction after a claim above 85%"}
	TargetCallback72h      = &Target{Value: 0.90, Above: true, Note: "callback coverage above 90% within 72 h"}
	TargetFeedback48h      = &Target{Value: 0.70, Above: true, Note: "70% of callback feedback resolved within 48 h"}
	TargetComplaintOnTime  = &Target{Value: 1.00, Above: true, Note: "complaints answered within 7 working days"}
	TargetServiceLevel     = &Target{Value: 0.80, Above: true, Note: "80/20 service level (industry default, no seed target)"}
	TargetOutboundAbandon  = &Target{Value: 0.03, Above: false, Note: "regulators' 3% outbound abandon limit"}
	TargetComplaintRateCut = 0.15 // complaint rate down 15% year on year
)

// shortExcluded says whether short abandons leave offered and abandoned.
func shortExcluded(s Settings) bool { return s.ShortAbandon == ShortAbandonExclude }

func offeredSQL(c func(string) string, s Settings) string {
	if shortExcluded(s) {
		return "(" + c("offered_all") + " - " + c("short_abandoned") + ")"
	}
	return c("offered_all")
}

func abandonedSQL(c func(string) string, s Settings) string {
	if shortExcluded(s) {
		return "(" + c("abandoned_all") + " - " + c("short_abandoned") + ")"
	}
	return c("abandoned_all")
}

// occupancySQL is occupancy over agent-state counters: busy / (busy + available).
func occupancySQL(c func(string) string, s Settings) string {
	return ratio(c("busy"), c("busy")+" + "+c("available"))
}

// ServiceLevelSQL is the service level for a variant, over the call counters.
func serviceLevelSQL(c func(string) string, s Settings, variant string) string {
	within, answered := c("answered_within"), c("answered")
	switch variant {
	case SLIgnoreAbandons:
		return ratio(within, answered)
	case SLAllAbandons:
		return ratio(within, answered+" + "+abandonedSQL(c, s))
	case SLAbandonsWithinGood:
		abWithin := c("abandoned_within_long")
		if !shortExcluded(s) {
			abWithin = "(" + abWithin + " + " + c("short_abandoned") + ")"
		}
		return ratio(within+" + "+abWithin, answered+" + "+abandonedSQL(c, s))
	default:
		return ratio(within, answered+" + "+c("abandoned_after"))
	}
}

func init() {
	calls := func(name, title, unit string, t *Target, e func(c func(string) string, s Settings) string) {
		def(Metric{Name: name, Title: title, Unit: unit, Family: "calls", Target: t, expr: e})
	}
	counter := func(n string) func(c func(string) string, s Settings) string {
		return func(c func(string) string, s Settings) string { return c(n) }
	}
	calls("inbound", "Inbound calls", UnitCount, nil, counter("inbound"))
	calls("outbound", "Outbound calls", UnitCount, nil, counter("outbound"))
	calls("total", "All calls", UnitCount, nil, counter("total"))
	calls("offered", "Offered", UnitCount, nil, offeredSQL)
	calls("answered", "Answered", UnitCount, nil, counter("answered"))
	calls("abandoned", "Abandoned", UnitCount, nil, abandonedSQL)
	calls("short_abandoned", "Short abandons", UnitCount, nil, counter("short_abandoned"))
	calls("self_served", "Self-served in the IVR", UnitCount, nil, counter("self_served"))
	calls("connection_rate", "Connection rate", UnitRatio, TargetConnectionRate, func(c func(string) string, s Settings) string {
		return ratio(c("answered"), offeredSQL(c, s))
	})
	calls("abandon_rate", "Abandon rate", UnitRatio, nil, func(c func(string) string, s Settings) string {
		return ratio(abandonedSQL(c, s), offeredSQL(c, s))
	})
	calls("service_level", "Service level", UnitRatio, TargetServiceLevel, func(c func(string) string, s Settings) string {
		return serviceLevelSQL(c, s, s.SLVariant)
	})
	for _, v := range SLVariants {
		v := v
		calls("service_level_"+v, "Service level ("+v+")", UnitRatio, TargetServiceLevel, func(c func(string) string, s Settings) string {
			return serviceLevelSQL(c, s, v)
		})
	}
	calls("self_service_rate", "Self-service rate", UnitRatio, nil, func(c func(string) string, s Settings) string {
		return ratio(c("self_served"), c("ivr_entered"))
	})
	calls("asa", "Average speed of answer", UnitSeconds, nil, func(c func(string) string, s Settings) string {
		return ratio(c("wait_answered"), c("answered"))
	})
	calls("wait_p50", "Wait p50 (answered)", UnitSeconds, nil, counter("wait_p50"))
	calls("wait_p90", "Wait p90 (answered)", UnitSeconds, nil, counter("wait_p90"))
	calls("aht", "Average handle time", UnitSeconds, nil, func(c func(string) string, s Settings) string {
		return ratio(c("handle"), c("answered"))
	})
	calls("transfer_rate", "Transfer rate", UnitRatio, nil, func(c func(string) string, s Settings) string {
		return ratio(c("transferred"), c("answered"))
	})

	def(Metric{Name: "occupancy", Title: "Occupancy", Unit: UnitRatio, Family: "agent_states", expr: occupancySQL})
	def(Metric{Name: "effective_talk_ratio", Title: "Effective talk ratio", Unit: UnitRatio, Family: "agent_states",
		expr: func(c func(string) string, s Settings) string { return ratio(c("talk"), c("logged_in")) }})
	def(Metric{Name: "logged_in_hours", Title: "Logged-in hours", Unit: UnitCount, Family: "agent_states",
		expr: func(c func(string) string, s Settings) string { return c("logged_in") + " / 3600" }})

	def(Metric{Name: "fcr", Title: "First-call resolution", Unit: UnitRatio, Family: "fcr",
		expr: func(c func(string) string, s Settings) string { return ratio(c("fcr_resolved"), c("fcr_answered")) }})

	surveys := func(name, title, unit string, t *Target, e func(c func(string) string, s Settings) string) {
		def(Metric{Name: name, Title: title, Unit: unit, Family: "surveys", Target: t, expr: e})
	}
	surveys("survey_responses", "Survey responses", UnitCount, nil, counter("responses"))
	surveys("csat", "CSAT (top-two box)", UnitRatio, nil, func(c func(string) string, s Settings) string {
		return ratio(c("csat_top2"), c("csat_n"))
	})
	surveys("csat_mean", "CSAT mean score", UnitScore, nil, func(c func(string) string, s Settings) string {
		return ratio(c("csat_sum"), c("csat_n"))
	})
	surveys("nps", "NPS", UnitScore, nil, func(c func(string) string, s Settings) string {
		return ratio("100 * ("+c("promoters")+" - "+c("detractors")+")", c("nps_n"))
	})
	surveys("post_claim_csat", "Satisfaction after a claim", UnitRatio, TargetPostClaimCSAT, func(c func(string) string, s Settings) string {
		return ratio(c("pc_csat_top2"), c("pc_csat_n"))
	})
	surveys("post_claim_nps", "NPS after a claim", UnitScore, nil, func(c func(string) string, s Settings) string {
		return ratio("100 * ("+c("pc_promoters")+" - "+c("pc_detractors")+")", c("pc_nps_n"))
	})

	dial := func(name, title, unit string, t *Target, e func(c func(string) string, s Settings) string) {
		def(Metric{Name: name, Title: title, Unit: unit, Family: "dial_attempts", Target: t, expr: e})
	}
	dial("attempts", "Dial attempts", UnitCount, nil, counter("attempts"))
	dial("contacts", "Contacts (person answered)", UnitCount, nil, counter("contacts"))
	dial("outbound_connected", "Connected to an agent", UnitCount, nil, counter("connected"))
	dial("contact_rate", "Contact rate", UnitRatio, nil, func(c func(string) string, s Settings) string {
		return ratio(c("contacts"), c("attempts"))
	})
	dial("outbound_abandon_rate", "Outbound abandon rate", UnitRatio, TargetOutboundAbandon, func(c func(string) string, s Settings) string {
		return ratio(c("dropped"), c("contacts"))
	})

	def(Metric{Name: "qa_score", Title: "QA score", Unit: UnitScore, Family: "qa",
		expr: func(c func(string) string, s Settings) string { return ratio(c("qa_sum"), c("evaluations")) }})
	def(Metric{Name: "qa_evaluations", Title: "QA evaluations", Unit: UnitCount, Family: "qa", expr: counter("evaluations")})

	def(Metric{Name: "complaints", Title: "Complaints registered", Unit: UnitCount, Family: "complaints", expr: counter("complaints")})
	def(Metric{Name: "complaints_due", Title: "Complaints due", Unit: UnitCount, Family: "complaint_deadlines", expr: counter("due")})
	def(Metric{Name: "complaint_timeliness", Title: "Complaints answered within 7 working days", Unit: UnitRatio, Family: "complaint_deadlines",
		Target: TargetComplaintOnTime,
		expr:   func(c func(string) string, s Settings) string { return ratio(c("on_time"), c("due")) }})
	def(Metric{Name: "complaints_overdue_open", Title: "Overdue open complaints", Unit: UnitCount, Family: "complaint_deadlines", expr: counter("overdue_open")})
	def(Metric{Name: "complaints_per_answered_call", Title: "Complaints per answered call", Unit: UnitScore, Family: "complaint_rate",
		expr: func(c func(string) string, s Settings) string { return ratio(c("rate_complaints"), c("rate_answered")) }})
	def(Metric{Name: "complaints_per_10k_policies", Title: "Complaints per 10,000 policies in force", Unit: UnitScore, Family: "complaint_rate",
		expr: func(c func(string) string, s Settings) string {
			return ratio("10000 * "+c("rate_complaints"), c("policies_in_force"))
		}})

	def(Metric{Name: "closed_claims", Title: "Closed claims (72 h window ended)", Unit: UnitCount, Family: "callbacks", expr: counter("closed_claims")})
	def(Metric{Name: "callback_coverage_72h", Title: "Callback coverage within 72 h", Unit: UnitRatio, Family: "callbacks", Target: TargetCallback72h,
		expr: func(c func(string) string, s Settings) string { return ratio(c("covered"), c("closed_claims")) }})
	def(Metric{Name: "callback_first_attempt_24h", Title: "First callback attempt within 24 h", Unit: UnitRatio, Family: "callbacks",
		expr: func(c func(string) string, s Settings) string {
			return ratio(c("first_attempt_ok"), c("closed_claims"))
		}})
	def(Metric{Name: "feedback_issues", Title: "Issues raised in callbacks", Unit: UnitCount, Family: "feedback", expr: counter("issues")})
	def(Metric{Name: "feedback_resolution_48h", Title: "Feedback resolved within 48 h", Unit: UnitRatio, Family: "feedback", Target: TargetFeedback48h,
		expr: func(c func(string) string, s Settings) string { return ratio(c("issues_resolved"), c("issues")) }})
}
