package dashboards

import (
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// Panel kinds (Grafana panel plugin ids).
const (
	Timeseries = "timeseries"
	Stat       = "stat"
	Table      = "table"
	Barchart   = "barchart"
)

// PanelSpec is one panel: a KPI query from the analytics layer and how to show it.
type PanelSpec struct {
	Title string
	Kind  string
	Query analytics.Query
	Width int // grid columns of 24; 0 = 8
	// Custom, when set, gives the panel's SQL from an analytics query that is not a metric
	// series (segmentation); XField names its category column.
	Custom func(analytics.Dialect, analytics.Settings) string
	XField string
	// MinInterval is the smallest time bucket Grafana may use ("1h"); "" lets it choose.
	MinInterval string
}

// Spec is one dashboard.
type Spec struct {
	UID, Title string
	Tags       []string
	Live       bool // refreshes every 30 s over the last 6 hours
	Panels     []PanelSpec
}

func series(title string, ms ...string) PanelSpec {
	return PanelSpec{Title: title, Kind: Timeseries, Query: analytics.Query{Metrics: ms, Bucket: true}, Width: 12}
}
func stat(title string, ms ...string) PanelSpec {
	return PanelSpec{Title: title, Kind: Stat, Query: analytics.Query{Metrics: ms}, Width: 6}
}
func table(title, by string, ms ...string) PanelSpec {
	return PanelSpec{Title: title, Kind: Table, Query: analytics.Query{Metrics: ms, GroupBy: []string{by}, OrderBy: ms[0], Desc: true, Limit: 50}, Width: 12}
}
func bars(title, by string, ms ...string) PanelSpec {
	return PanelSpec{Title: title, Kind: Barchart, Query: analytics.Query{Metrics: ms, GroupBy: []string{by}, OrderBy: ms[0], Desc: true, Limit: 20}, Width: 12}
}

// Specs lists every dashboard hotline ships.
func Specs() []Spec {
	return []Spec{
		{UID: "hotline-overview", Title: "Hotline: operations overview", Tags: []string{"hotline", "live"}, Live: true, Panels: []PanelSpec{
			stat("Connection rate", "connection_rate"), stat("Service level", "service_level"), stat("ASA", "asa"), stat("Abandon rate", "abandon_rate"),
			series("Offered, answered, abandoned", "offered", "answered", "abandoned"), series("Connection rate and service level", "connection_rate", "service_level"),
			stat("Occupancy", "occupancy"), stat("Satisfaction after a claim", "post_claim_csat"), stat("Callback coverage 72 h", "callback_coverage_72h"), stat("Open complaints overdue", "complaints_overdue_open"),
		}},
		{UID: "hotline-service", Title: "Hotline: service quality", Tags: []string{"hotline"}, Panels: []PanelSpec{
			series("Connection rate", "connection_rate"), series("Service level", "service_level"),
			series("Speed of answer", "asa", "wait_p50", "wait_p90"), series("Abandonment", "abandon_rate"),
			series("Occupancy", "occupancy"), series("Average handle time", "aht"),
			table("By queue", "queue", "offered", "connection_rate", "service_level", "asa", "abandon_rate", "aht", "transfer_rate"),
			series("First-call resolution", "fcr"), series("Self-service rate", "self_service_rate"),
		}},
		{UID: "hotline-volume", Title: "Hotline: volume and peaks", Tags: []string{"hotline"}, Panels: []PanelSpec{
			stat("Inbound", "inbound"), stat("Outbound", "outbound"), stat("Total", "total"), stat("Self-served", "self_served"),
			series("Inbound and outbound", "inbound", "outbound"), bars("By business line", "business_line", "inbound", "outbound"),
			table("By queue", "queue", "offered", "answered", "abandoned", "short_abandoned"),
		}},
		{UID: "hotline-satisfaction", Title: "Hotline: satisfaction and complaints", Tags: []string{"hotline"}, Panels: []PanelSpec{
			stat("CSAT", "csat"), stat("NPS", "nps"), stat("Satisfaction after a claim", "post_claim_csat"), stat("Complaints answered on time", "complaint_timeliness"),
			series("CSAT and mean score", "csat", "csat_mean"), series("Complaints registered", "complaints"),
			bars("Complaints by category", "category", "complaints"), bars("Complaints by department", "department", "complaints"),
			bars("Complaints by channel", "channel", "complaints"), bars("Complaints by business line", "business_line", "complaints"),
			series("Complaint timeliness", "complaint_timeliness", "complaints_due"),
			series("Complaint rate", "complaints_per_answered_call", "complaints_per_10k_policies"),
		}},
		{UID: "hotline-callbacks", Title: "Hotline: callbacks and surveys", Tags: []string{"hotline"}, Panels: []PanelSpec{
			stat("Callback coverage 72 h", "callback_coverage_72h"), stat("First attempt within 24 h", "callback_first_attempt_24h"),
			stat("Feedback resolved within 48 h", "feedback_resolution_48h"), stat("NPS after a claim", "post_claim_nps"),
			series("Callback coverage", "callback_coverage_72h", "callback_first_attempt_24h"), series("Feedback resolution", "feedback_resolution_48h", "feedback_issues"),
			series("Survey responses", "survey_responses"), bars("Responses by kind", "kind", "survey_responses", "csat"),
		}},
		{UID: "hotline-campaigns", Title: "Hotline: campaigns and pacing", Tags: []string{"hotline"}, Panels: []PanelSpec{
			stat("Contact rate", "contact_rate"), stat("Outbound abandon rate", "outbound_abandon_rate"), stat("Attempts", "attempts"), stat("Contacts", "contacts"),
			series("Attempts and contacts", "attempts", "contacts"), series("Outbound abandon rate", "outbound_abandon_rate"),
			table("By campaign", "campaign_id", "attempts", "contacts", "contact_rate", "outbound_abandon_rate"),
			{Title: "Attempts per hour by outcome", Kind: Timeseries, Width: 12, MinInterval: "1h",
				Query: analytics.Query{Metrics: []string{"attempts"}, Bucket: true, GroupBy: []string{"outcome"}}},
			{Title: "Outbound abandon rate, rolling 24 h and 30 d, by campaign (limit 3%)", Kind: Table, Width: 12,
				Query: analytics.Query{Metrics: []string{"outbound_abandon_rate", "contacts"}, GroupBy: []string{"campaign_id"}, Windows: []time.Duration{24 * time.Hour, 30 * 24 * time.Hour}}},
			stat("Occupancy of campaign agents", "outbound_occupancy"), stat("Answering machines (AMD)", "amd_machine_share"),
			stat("List penetration", "list_penetration"), stat("SMS delivered", "sms_delivery_rate"),
			table("List penetration by campaign", "campaign_id", "list_penetration", "list_contacts", "list_contacts_finished"),
			bars("Blocked attempts by rule", "blocked_rule", "blocked_attempts"),
			series("Occupancy of campaign agents", "outbound_occupancy"), series("Answering machines (AMD)", "amd_machine_share"),
			series("SMS delivery", "sms_delivery_rate", "sms_failure_rate"), table("SMS by campaign", "campaign_id", "sms_sent", "sms_delivery_rate", "sms_failure_rate"),
		}},
		{UID: "hotline-qa", Title: "Hotline: quality assurance", Tags: []string{"hotline"}, Panels: []PanelSpec{
			stat("QA score", "qa_score"), stat("Evaluations", "qa_evaluations"),
			series("QA score", "qa_score"), table("By agent", "agent_id", "qa_score", "qa_evaluations"),
			table("By evaluator", "evaluator_id", "qa_evaluations", "qa_score"),
			stat("QA coverage", "qa_coverage"), stat("Calls evaluated", "qa_evaluated_calls"),
			{Title: "QA coverage per week", Kind: Timeseries, Width: 12, MinInterval: "7d",
				Query: analytics.Query{Metrics: []string{"qa_coverage"}, Bucket: true}},
			table("QA coverage by agent", "agent_id", "qa_coverage", "qa_evaluated_calls"),
		}},
		{UID: "hotline-segments", Title: "Hotline: segmentation", Tags: []string{"hotline"}, Panels: []PanelSpec{
			{Title: "Customers per quadrant (latest snapshot)", Kind: Barchart, Custom: analytics.SnapshotSizesSQL, XField: "quadrant", Width: 12},
			{Title: "Flags and scores per quadrant", Kind: Table, Custom: analytics.SnapshotFlagsSQL, Width: 12},
			{Title: "Quadrant sizes over time", Kind: Timeseries, Custom: analytics.SnapshotTrendSQL, Width: 12},
			{Title: "Movements between quadrants over the range", Kind: Table, Custom: analytics.SnapshotMovementsSQL, Width: 12},
			bars("Surveys by channel", "channel", "survey_responses", "csat", "nps"),
			bars("Complaints by customer-facing line", "business_line", "complaints"),
			table("CSAT by campaign", "campaign_id", "survey_responses", "csat", "nps"),
		}},
		{UID: "hotline-agents", Title: "Hotline: agent performance", Tags: []string{"hotline"}, Panels: []PanelSpec{
			table("Volume and handle time by agent", "agent_id", "answered", "aht", "service_level", "transfer_rate"),
			table("Occupancy and talk ratio by agent", "agent_id", "occupancy", "effective_talk_ratio", "logged_in_hours"),
			table("Outbound contacts by agent", "agent_id", "outbound_connected", "contacts"),
			table("Complaints against agents", "against_agent_id", "complaints"),
			series("Occupancy", "occupancy", "effective_talk_ratio"),
		}},
	}
}
