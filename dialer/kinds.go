package dialer

import "github.com/seed-1c4692e8/hotline/events"

// kind is what the dialer knows of a campaign type by its nature: who takes its calls, where
// they are recorded, who may create it, and the defaults a campaign of the type starts from.
// A new campaign type is an events.CampaignTypes entry and a row here (and, when the book of
// business has a list rule for it, a case in BookContacts).
type kind struct {
	skill string // the routing skill an agent needs for its calls
	line  string // the business line its calls are recorded under
	// service: it serves existing business (managers create it, answering machines get a
	// message) rather than marketing (marketers create it, machines are hung up on).
	service bool
	// outcomes are its own disposition codes, before the ones every campaign has.
	outcomes []string
	pacing   string // default pacing; "" is MethodHotline
	list     string // default list source; "" is book
	book     bool   // the book of business has a list rule for it (BookContacts)
	// rules are how its rule set differs from the service defaults (DefaultRules): the sales
	// flags as they are, the other fields where set.
	rules RuleSet
}

// kinds is read only: kindOf hands out copies.
var kinds = map[string]kind{
	events.CampaignRenewal: {skill: "service", line: events.LineRenewal, service: true, book: true,
		outcomes: []string{"renewed", "will_renew", DispositionRefused, "renewed_elsewhere"}},
	events.CampaignPremiumDue: {skill: "service", line: events.LinePremiumDue, service: true, book: true,
		outcomes: []string{"paid", "promised_to_pay", DispositionRefused, "disputed"}},
	events.CampaignClaimCallback: {skill: "claims", line: events.LineClaimCallback, service: true, book: true,
		outcomes: []string{"satisfied", "issue_raised", "dissatisfied"},
		// 90% of closed claims must be reached within 72 h: more tries, spread over three days.
		rules: RuleSet{MaxAttempts: 10, DailyCap: 4}},
	events.CampaignSatisfaction: {skill: "service", line: events.LineSurvey, service: true, book: true,
		outcomes: []string{"completed", "declined"}},
	events.CampaignComplaintFollowup: {skill: "complaints", line: events.LineComplaintFollowup, service: true, list: "requests",
		outcomes: []string{"resolved", "unresolved", "escalated"},
		rules:    RuleSet{MaxAttempts: 8}},
	events.CampaignVirtualHold: {skill: "service", line: events.LineInquiry, service: true, list: "requests",
		outcomes: []string{"handled", "no_longer_needed"},
		// The customer asked for this call: never risk abandoning it, and it may come later.
		pacing: MethodProgressive,
		rules:  RuleSet{WindowEnd: "22:00", MaxAttempts: 3}},
	events.CampaignTelemarketing: {skill: "sales", line: events.LineTelemarketing,
		outcomes: []string{"sale", "interested", DispositionRefused},
		rules:    RuleSet{Sales: true, NeedsConsent: true, NoHolidays: true, WindowStart: "09:00", MaxAttempts: 4}},
	events.CampaignMarketResearch: {skill: "service", line: events.LineMarketResearch,
		outcomes: []string{"completed", "declined"},
		rules:    RuleSet{NeedsConsent: true, NoHolidays: true, WindowStart: "09:00", MaxAttempts: 3}},
}

// unknownKind stands for a type outside events.CampaignTypes (Validate rejects those
// campaigns; a contact may still carry one): service calls by the service defaults.
var unknownKind = kind{skill: "service", line: events.LineInquiry, service: true}

// kindOf is campaignType's row; unknownKind when it has none.
func kindOf(campaignType string) kind {
	if k, ok := kinds[campaignType]; ok {
		return k
	}
	return unknownKind
}

// knownKind reports whether campaignType has a row.
func knownKind(campaignType string) bool {
	_, ok := kinds[campaignType]
	return ok
}

// SkillFor is the routing skill an agent needs for a campaign type's calls.
func SkillFor(campaignType string) string { return kindOf(campaignType).skill }

// LineFor is the business line an outbound call of a campaign type is recorded under.
func LineFor(campaignType string) string { return kindOf(campaignType).line }

// ServiceCampaign reports whether a campaign type serves existing business (managers create
// those) rather than marketing (marketers).
func ServiceCampaign(campaignType string) bool { return kindOf(campaignType).service }
