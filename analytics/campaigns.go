package analytics

import "fmt"

// Outbound pacing KPIs beyond contact and abandon rates (docs/kpi.md, outbound):
// outcome and compliance breakdowns, AMD, list penetration, campaign agents' occupancy, SMS.
func init() {
	dial := func(name, title, unit string, e func(c func(string) string, s Settings) string) {
		def(Metric{Name: name, Title: title, Unit: unit, Family: "dial_attempts", expr: e})
	}
	counter := func(n string) func(c func(string) string, s Settings) string {
		return func(c func(string) string, s Settings) string { return c(n) }
	}
	def(Metric{Name: "blocked_attempts", Title: "Attempts blocked by a compliance rule", Unit: UnitCount, Family: "dial_blocked", expr: counter("blocked")})
	// AMD share: answered attempts the detector judged a machine, of all it judged.
	dial("amd_machine_share", "Answering machines (AMD)", UnitRatio, func(c func(string) string, s Settings) string {
		return ratio(c("amd_machine"), c("amd_judged"))
	})
	// List penetration: contacts with a final outcome / contacts in the list. ClickHouse sees a
	// list's contacts as they are dialled, so over a period it is the contacts that reached a
	// final outcome in it / the contacts first dialled in it (the whole list over a campaign's
	// life); additive, so a year costs a count, not a distinct count of every contact.
	dial("list_contacts", "Contacts started", UnitCount, counter("contacts_started"))
	dial("list_contacts_finished", "Contacts finished", UnitCount, counter("contacts_finished"))
	dial("list_penetration", "List penetration", UnitRatio, func(c func(string) string, s Settings) string {
		return ratio(c("contacts_finished"), c("contacts_started"))
	})

	def(Metric{Name: "outbound_occupancy", Title: "Occupancy of campaign agents", Unit: UnitRatio, Family: "campaign_agent_states", expr: occupancySQL})

	def(Metric{Name: "sms_sent", Title: "SMS sent", Unit: UnitCount, Family: "sms", expr: counter("sent")})
	// Delivery and failure rates: of the messages sent, those delivered or failed (smsFamilies).
	def(Metric{Name: "sms_delivery_rate", Title: "SMS delivered", Unit: UnitRatio, Family: "sms",
		expr: func(c func(string) string, s Settings) string { return ratio(c("delivered"), c("sent")) }})
	def(Metric{Name: "sms_failure_rate", Title: "SMS failed", Unit: UnitRatio, Family: "sms",
		expr: func(c func(string) string, s Settings) string { return ratio(c("failed"), c("sent")) }})
}

// dialBlockedFamily is the attempts a compliance rule stopped before dialling (no agent).
func dialBlockedFamily() *family {
	return &family{
		name: "dial_blocked", timeCol: "dialed_at", source: table("dial_attempts"), where: "outcome = 'blocked'",
		dims:    map[Dim]string{DimTenant: "tenant", DimCampaign: "campaign_id"},
		groups:  []string{"tenant", "campaign_id", "campaign_type", "blocked_rule"},
		counter: map[string]func(Settings) string{"blocked": fixed("count()")},
	}
}

// campaignAgentsFamily is the agent states of the agents who did outbound work in the period
// (a state with direction outbound): occupancy "as inbound, for campaign agents". Who did is
// looked up per UTC day (campaign_agent_days, migration 0110): exact for periods of whole days.
func campaignAgentsFamily() *family {
	f := *families["agent_states"]
	f.name = "campaign_agent_states"
	f.source = func(d Dialect, s Settings) string {
		return agentStatePiecesSQL(d, fmt.Sprintf("agent_id IN (SELECT agent_id FROM campaign_agent_days "+
			"WHERE day >= toDateTime(intDiv(toUInt32(%s), 86400) * 86400) AND day < %s AND %s)",
			d.FromSQL(), d.ToSQL(), dimConds(d, map[Dim]string{DimTenant: "tenant"})))
	}
	return &f
}

// smsReceiptWait is how long after sending a delivery receipt is still awaited: operators
// report within 72 hours or not at all.
const smsReceiptWait = 3 * 86400

// smsFamilies count outbound messages by the time they were sent: of the messages sent in a
// period, how many were delivered (a receipt up to smsReceiptWait later) and how many failed
// (a failure receipt and no delivery), so a rate is never above 100% and a day's rate is about
// that day's messages; the latest hours rise as receipts arrive. The 15-minute rollup (migration
// 0109) counts receipts at their own time, so it answers messages sent only.
func smsFamilies() []*family {
	dims := map[Dim]string{DimTenant: "tenant", DimCampaign: "campaign_id"}
	groups := []string{"tenant", "campaign_id"}
	raw := &family{
		name: "sms", timeCol: "occurred_at", rollups: []string{"sms_rollup"},
		dims: dims, groups: groups,
		source: func(d Dialect, s Settings) string {
			return fmt.Sprintf(`(SELECT tenant_ AS tenant, campaign_ AS campaign_id, sent_at AS occurred_at, toUInt8(delivered_n > 0) AS delivered, toUInt8(delivered_n = 0 AND failed_n > 0) AS failed
  FROM (SELECT any(tenant) AS tenant_, any(campaign_id) AS campaign_, minIf(occurred_at, status = 'sent') AS sent_at,
      countIf(status = 'sent') AS sent_n, countIf(status = 'delivered') AS delivered_n, countIf(status = 'failed') AS failed_n
    FROM sms_messages WHERE direction = 'outbound' AND occurred_at >= %s AND occurred_at < toDateTime(toUInt32(%s) + %d) AND %s
    GROUP BY message_id HAVING sent_n > 0))`, d.FromSQL(), d.ToSQL(), smsReceiptWait, dimConds(d, map[Dim]string{DimTenant: "tenant"}))
		},
		counter: map[string]func(Settings) string{
			"sent":      fixed("count()"),
			"delivered": fixed("sum(delivered)"),
			"failed":    fixed("sum(failed)"),
		},
	}
	roll := &family{
		name: "sms_rollup", timeCol: "ts", source: table("sms_rollup_15m"), dims: dims, groups: groups,
		counter: map[string]func(Settings) string{"sent": fixed("sum(sent)")},
	}
	return []*family{raw, roll}
}
