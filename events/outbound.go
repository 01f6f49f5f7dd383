package events

import "time"

// Types of the outbound topics.
const (
	TypeDialAttempt    Type = "dial.attempt"
	TypeSMS            Type = "sms.message"
	TypeSurveyResponse Type = "survey.response"
)

// Campaign types: each has its own list rule, rule set and outcome codes.
const (
	CampaignRenewal           = "renewal"
	CampaignPremiumDue        = "premium_due"
	CampaignClaimCallback     = "claim_callback"
	CampaignSatisfaction      = "satisfaction_survey"
	CampaignComplaintFollowup = "complaint_followup"
	CampaignVirtualHold       = "virtual_hold_callback"
	CampaignTelemarketing     = "telemarketing"
	CampaignMarketResearch    = "market_research"
)

// CampaignTypes lists every campaign type.
var CampaignTypes = []string{
	CampaignRenewal, CampaignPremiumDue, CampaignClaimCallback, CampaignSatisfaction,
	CampaignComplaintFollowup, CampaignVirtualHold, CampaignTelemarketing, CampaignMarketResearch,
}

// Dialing modes.
const (
	ModePreview     = "preview"
	ModeProgressive = "progressive"
	ModePredictive  = "predictive"
)

// Dial attempt outcomes.
const (
	AttemptBlocked   = "blocked"   // compliance stopped it before dialling; BlockedRule says why
	AttemptNoAnswer  = "no_answer" // rang out
	AttemptBusy      = "busy"
	AttemptFailed    = "failed"    // invalid number, network failure
	AttemptMachine   = "machine"   // answering machine detected
	AttemptConnected = "connected" // person answered and was connected to an agent within 2 s
	AttemptDropped   = "dropped"   // person answered, no agent within 2 s: abandoned, message played
)

// AttemptOutcomes lists every dial attempt outcome.
var AttemptOutcomes = []string{AttemptBlocked, AttemptNoAnswer, AttemptBusy, AttemptFailed, AttemptMachine, AttemptConnected, AttemptDropped}

// DialAttempt is one try to reach a contact of a campaign, including tries compliance blocked.
type DialAttempt struct {
	AttemptID   string     `json:"attempt_id"`
	Campaign    string     `json:"campaign_id"`
	CampaignTyp string     `json:"campaign_type"`          // one of CampaignTypes
	Contact     string     `json:"contact_id"`             // the list entry
	Customer    string     `json:"customer_id"`            // the customer behind it
	Phone       string     `json:"phone"`                  // dialled number, E.164
	Mode        string     `json:"mode"`                   // preview | progressive | predictive
	Pacing      string     `json:"pacing,omitempty"`       // pacing method, e.g. "hotline", "adapt_tapered"
	AttemptNo   int        `json:"attempt_no"`             // 1 for the first try of this contact
	DialedAt    time.Time  `json:"dialed_at"`              // dialling started (or was refused)
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`  // far end picked up (person or machine)
	ConnectedAt *time.Time `json:"connected_at,omitempty"` // an agent was connected
	EndedAt     time.Time  `json:"ended_at"`               // line released
	RingSec     float64    `json:"ring_sec"`               // seconds ringing
	WaitSec     float64    `json:"wait_sec"`               // seconds a person waited for an agent after answering
	TalkSec     float64    `json:"talk_sec"`               // seconds talking with the agent
	Outcome     string     `json:"outcome"`                // one of AttemptOutcomes
	AMD         string     `json:"amd,omitempty"`          // answering-machine detection verdict: human | machine | unknown
	BlockedRule string     `json:"blocked_rule,omitempty"` // the compliance rule that refused the attempt
	Agent       string     `json:"agent_id,omitempty"`
	CallID      string     `json:"call_id,omitempty"`     // call record of the connected call
	Disposition string     `json:"disposition,omitempty"` // agent's outcome code: renewed, refused, callback_at, ...
	Final       bool       `json:"final,omitempty"`       // this attempt closed the contact
	RetryAt     *time.Time `json:"retry_at,omitempty"`    // when the next try is scheduled
	Claim       string     `json:"claim_id,omitempty"`    // claim behind a post-claim callback
	Policy      string     `json:"policy_id,omitempty"`   // policy behind a renewal or premium reminder
}

func (DialAttempt) EventType() Type { return TypeDialAttempt }
func (a DialAttempt) Key() string   { return a.Customer }

func (a DialAttempt) Validate() error {
	var c check
	c.required("attempt_id", a.AttemptID)
	c.required("campaign_id", a.Campaign)
	c.oneOf("campaign_type", a.CampaignTyp, CampaignTypes)
	c.required("contact_id", a.Contact)
	c.required("customer_id", a.Customer)
	c.phone("phone", a.Phone)
	c.oneOf("mode", a.Mode, []string{ModePreview, ModeProgressive, ModePredictive})
	c.rangeInt("attempt_no", a.AttemptNo, 1, 1000)
	c.time("dialed_at", a.DialedAt)
	c.time("ended_at", a.EndedAt)
	c.notBefore("ended_at", &a.EndedAt, "dialed_at", a.DialedAt)
	c.notBefore("answered_at", a.AnsweredAt, "dialed_at", a.DialedAt)
	c.optionalTime("connected_at", a.ConnectedAt)
	if a.AnsweredAt != nil {
		c.notBefore("connected_at", a.ConnectedAt, "answered_at", *a.AnsweredAt)
	}
	c.optionalTime("retry_at", a.RetryAt)
	c.seconds("ring_sec", a.RingSec)
	c.seconds("wait_sec", a.WaitSec)
	c.seconds("talk_sec", a.TalkSec)
	c.oneOf("outcome", a.Outcome, AttemptOutcomes)
	c.optionalOneOf("amd", a.AMD, []string{"human", "machine", "unknown"})
	switch a.Outcome {
	case AttemptBlocked:
		c.required("blocked_rule", a.BlockedRule)
	case AttemptConnected:
		c.required("agent_id", a.Agent)
		if a.AnsweredAt == nil || a.ConnectedAt == nil {
			c.fail("connected_at", "answered_at and connected_at are required on a connected attempt")
		}
	case AttemptDropped:
		if a.AnsweredAt == nil {
			c.fail("answered_at", "missing on a dropped attempt")
		}
	}
	return c.err
}

// SMS directions, kinds and statuses.
var (
	SMSKinds    = []string{"reminder", "survey_link", "callback_notice", "fallback", "notification", "reply"}
	SMSStatuses = []string{"sent", "delivered", "failed", "received"}
)

// SMS is one step of a text message: sent, a delivery receipt, a failure, or an inbound reply.
// Steps of one message share MessageID.
type SMS struct {
	MessageID string `json:"message_id"`
	Direction string `json:"direction"`             // outbound (to the customer) | inbound (reply)
	Kind      string `json:"kind"`                  // one of SMSKinds
	Status    string `json:"status"`                // one of SMSStatuses
	Campaign  string `json:"campaign_id,omitempty"` // campaign that sent it
	Customer  string `json:"customer_id"`
	Phone     string `json:"phone"`                 // E.164
	Body      string `json:"body,omitempty"`        // text (outbound on "sent", inbound on "received")
	InReplyTo string `json:"in_reply_to,omitempty"` // message an inbound reply answers
	Error     string `json:"error,omitempty"`       // gateway error on "failed"
	Segments  int    `json:"segments,omitempty"`    // billed SMS segments
}

func (SMS) EventType() Type { return TypeSMS }
func (m SMS) Key() string   { return m.Customer }

func (m SMS) Validate() error {
	var c check
	c.required("message_id", m.MessageID)
	c.oneOf("direction", m.Direction, []string{Inbound, Outbound})
	c.oneOf("kind", m.Kind, SMSKinds)
	c.oneOf("status", m.Status, SMSStatuses)
	c.required("customer_id", m.Customer)
	c.phone("phone", m.Phone)
	c.maxLen("body", m.Body, 1600)
	c.rangeInt("segments", m.Segments, 0, 20)
	if m.Direction == Inbound && m.Status != "received" {
		c.fail("status", "%q on an inbound message (want received)", m.Status)
	}
	return c.err
}

// Survey kinds and channels.
var (
	SurveyKinds    = []string{"post_call", "post_claim", "complaint_followup", "general"}
	SurveyChannels = []string{"ivr", "sms", "call", "web"}
)

// SurveyResponse is one customer's answers to a satisfaction survey, linked to what it follows.
type SurveyResponse struct {
	ResponseID string `json:"response_id"`
	Survey     string `json:"survey_id"` // survey definition
	Kind       string `json:"kind"`      // one of SurveyKinds
	Channel    string `json:"channel"`   // one of SurveyChannels
	Customer   string `json:"customer_id"`
	CallID     string `json:"call_id,omitempty"`      // call it follows
	Claim      string `json:"claim_id,omitempty"`     // claim it follows (post-claim callback)
	Complaint  string `json:"complaint_id,omitempty"` // complaint it follows
	Campaign   string `json:"campaign_id,omitempty"`
	Agent      string `json:"agent_id,omitempty"` // agent of the call it follows
	Line       string `json:"business_line,omitempty"`
	CSAT       *int   `json:"csat,omitempty"`     // 1..5, 5 = very satisfied
	NPS        *int   `json:"nps,omitempty"`      // 0..10 likelihood to recommend
	Resolved   *bool  `json:"resolved,omitempty"` // "was your issue resolved"
	Issue      string `json:"issue,omitempty"`    // a problem the customer raised, to be followed up
	Comment    string `json:"comment,omitempty"`
}

func (SurveyResponse) EventType() Type { return TypeSurveyResponse }
func (s SurveyResponse) Key() string   { return s.Customer }

func (s SurveyResponse) Validate() error {
	var c check
	c.required("response_id", s.ResponseID)
	c.required("survey_id", s.Survey)
	c.oneOf("kind", s.Kind, SurveyKinds)
	c.oneOf("channel", s.Channel, SurveyChannels)
	c.required("customer_id", s.Customer)
	c.optionalOneOf("business_line", s.Line, BusinessLines)
	c.optionalRangeInt("csat", s.CSAT, 1, 5)
	c.optionalRangeInt("nps", s.NPS, 0, 10)
	if s.CSAT == nil && s.NPS == nil && s.Resolved == nil {
		c.fail("csat", "a response needs at least one of csat, nps, resolved")
	}
	c.maxLen("comment", s.Comment, 2000)
	return c.err
}
