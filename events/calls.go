package events

import "time"

// Types of the calls topic.
const (
	TypeCallRecord        Type = "call.record"
	TypeCallLifecycle     Type = "call.lifecycle"
	TypeCallbackRequested Type = "callback.requested"
)

// Directions of a call.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// Business lines: the inbound queues of an insurance hotline and the outbound campaign kinds.
const (
	LineClaimsReport      = "claims_report"      // 报案: report an accident or loss
	LineInquiry           = "inquiry"            // policy, endorsement, payment, claim-status questions
	LineConsultation      = "consultation"       // products, clauses, procedures
	LineComplaint         = "complaint"          // 投诉
	LineRenewal           = "renewal"            // 续保
	LineAppointment       = "appointment"        // appointments to buy
	LinePremiumDue        = "premium_due"        // 缴费提醒
	LineClaimCallback     = "claim_callback"     // 理赔回访 after a claim closes
	LineSurvey            = "survey"             // satisfaction survey
	LineComplaintFollowup = "complaint_followup" // 投诉回访
	LineTelemarketing     = "telemarketing"      // 电销 / cross-sell
	LineMarketResearch    = "market_research"
)

// BusinessLines lists every business line, inbound first.
var BusinessLines = []string{
	LineClaimsReport, LineInquiry, LineConsultation, LineComplaint, LineRenewal, LineAppointment,
	LinePremiumDue, LineClaimCallback, LineSurvey, LineComplaintFollowup, LineTelemarketing, LineMarketResearch,
}

// Call outcomes: how a call ended, from the hotline's point of view.
const (
	OutcomeSelfServed        = "self_served"        // task done in the IVR, no agent
	OutcomeIVRAbandoned      = "ivr_abandoned"      // hung up in the IVR before the task or a queue
	OutcomeAnswered          = "answered"           // connected to an agent
	OutcomeAbandoned         = "abandoned"          // hung up in the queue before an agent answered
	OutcomeCallbackRequested = "callback_requested" // left the queue accepting a call back
	OutcomeAfterHours        = "after_hours"        // reached the closed-hours treatment
	OutcomeNoAnswer          = "no_answer"          // outbound: nobody picked up
	OutcomeBusy              = "busy"               // outbound: line busy
	OutcomeFailed            = "failed"             // network or number failure
	OutcomeMachine           = "machine"            // outbound: answering machine
	OutcomeDropped           = "dropped"            // outbound: person answered, no agent within 2 s
	// OutcomeInterrupted closes a call that hotline stopped (crash, kill) before the call ended:
	// written at the next start from what its lifecycle events said; its number and, if it had
	// not chosen one yet, its business line are not known then.
	OutcomeInterrupted = "interrupted"
)

// CallOutcomes lists every outcome.
var CallOutcomes = []string{
	OutcomeSelfServed, OutcomeIVRAbandoned, OutcomeAnswered, OutcomeAbandoned, OutcomeCallbackRequested,
	OutcomeAfterHours, OutcomeNoAnswer, OutcomeBusy, OutcomeFailed, OutcomeMachine, OutcomeDropped, OutcomeInterrupted,
}

// CallRecord is the one final record of a call (CDR style). KPIs are computed from these, never
// reassembled from lifecycle fragments. Milestones a call did not reach are nil.
type CallRecord struct {
	CallID    string `json:"call_id"`               // unique per call, the partition key
	Direction string `json:"direction"`             // inbound | outbound
	Line      string `json:"business_line"`         // one of BusinessLines; for self-served calls the IVR branch
	Queue     string `json:"queue,omitempty"`       // queue the call waited in; empty if it never left the IVR
	Customer  string `json:"customer_id,omitempty"` // identified customer; empty when the caller stayed anonymous
	Phone     string `json:"phone"`                 // caller (inbound) or dialled (outbound) number, E.164
	Agent     string `json:"agent_id,omitempty"`    // agent who answered (the last one after transfers)
	Campaign  string `json:"campaign_id,omitempty"` // outbound campaign
	Priority  int    `json:"priority,omitempty"`    // queue priority at the end, 0 normal, higher first

	ArrivedAt     time.Time  `json:"arrived_at"`                // call reached the switch (inbound) or dialling started (outbound)
	IVREndedAt    *time.Time `json:"ivr_ended_at,omitempty"`    // caller left the IVR (to a queue, done or hung up)
	QueuedAt      *time.Time `json:"queued_at,omitempty"`       // entered the queue
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`     // agent connected
	EndedAt       time.Time  `json:"ended_at"`                  // line released
	WrapupEndedAt *time.Time `json:"wrapup_ended_at,omitempty"` // agent finished after-call work

	IVRSec    float64 `json:"ivr_sec"`    // seconds in the IVR
	WaitSec   float64 `json:"wait_sec"`   // seconds from queued to answered, or to hang-up if not answered
	TalkSec   float64 `json:"talk_sec"`   // seconds connected to an agent, hold excluded
	HoldSec   float64 `json:"hold_sec"`   // seconds on hold
	ACWSec    float64 `json:"acw_sec"`    // seconds of after-call work (wrap-up)
	HoldCount int     `json:"hold_count"` // times put on hold

	Outcome        string `json:"outcome"`                   // one of CallOutcomes
	IVRPath        string `json:"ivr_path,omitempty"`        // menu keys pressed, e.g. "2>1"
	SelfService    string `json:"self_service,omitempty"`    // the self-service task done, e.g. "claim_status"
	Transferred    bool   `json:"transferred,omitempty"`     // transferred to another queue or department
	TransferTarget string `json:"transfer_target,omitempty"` // queue or department it went to
	Disposition    string `json:"disposition,omitempty"`     // agent's wrap-up code
	Resolved       bool   `json:"resolved,omitempty"`        // agent marked the issue resolved on this call
	RecordingID    string `json:"recording_id,omitempty"`    // recording of the answered part
}

func (CallRecord) EventType() Type { return TypeCallRecord }
func (r CallRecord) Key() string   { return r.CallID }

func (r CallRecord) Validate() error {
	var c check
	c.required("call_id", r.CallID)
	c.maxLen("call_id", r.CallID, 64)
	c.oneOf("direction", r.Direction, []string{Inbound, Outbound})
	if r.Outcome == OutcomeInterrupted {
		c.optionalOneOf("business_line", r.Line, BusinessLines)
		c.optionalPhone("phone", r.Phone)
	} else {
		c.oneOf("business_line", r.Line, BusinessLines)
		c.phone("phone", r.Phone)
	}
	c.oneOf("outcome", r.Outcome, CallOutcomes)
	c.time("arrived_at", r.ArrivedAt)
	c.time("ended_at", r.EndedAt)
	c.notBefore("ended_at", &r.EndedAt, "arrived_at", r.ArrivedAt)
	c.notBefore("ivr_ended_at", r.IVREndedAt, "arrived_at", r.ArrivedAt)
	c.notBefore("queued_at", r.QueuedAt, "arrived_at", r.ArrivedAt)
	if r.QueuedAt != nil {
		c.notBefore("answered_at", r.AnsweredAt, "queued_at", *r.QueuedAt)
	}
	c.notBefore("answered_at", r.AnsweredAt, "arrived_at", r.ArrivedAt)
	c.notBefore("wrapup_ended_at", r.WrapupEndedAt, "ended_at", r.EndedAt)
	for _, f := range []struct {
		name string
		v    float64
	}{{"ivr_sec", r.IVRSec}, {"wait_sec", r.WaitSec}, {"talk_sec", r.TalkSec}, {"hold_sec", r.HoldSec}, {"acw_sec", r.ACWSec}} {
		c.seconds(f.name, f.v)
	}
	c.rangeInt("hold_count", r.HoldCount, 0, 1000)
	c.rangeInt("priority", r.Priority, 0, 100)
	switch r.Outcome {
	case OutcomeAnswered:
		c.required("agent_id", r.Agent)
		if r.AnsweredAt == nil {
			c.fail("answered_at", "missing on an answered call")
		}
	case OutcomeAbandoned, OutcomeCallbackRequested:
		if r.Direction == Inbound {
			c.required("queue", r.Queue)
		}
		if r.AnsweredAt != nil {
			c.fail("answered_at", "set on a call that was %s", r.Outcome)
		}
	}
	if r.Outcome != OutcomeAnswered && r.TalkSec > 0 {
		c.fail("talk_sec", "%v s on a call that was %s", r.TalkSec, r.Outcome)
	}
	if r.Direction == Outbound {
		c.required("campaign_id", r.Campaign)
	}
	return c.err
}

// Call lifecycle stages, emitted as they happen for live views.
const (
	StageArrived           = "arrived"
	StageIVRSelection      = "ivr_selection"
	StageQueued            = "queued"
	StageOffered           = "offered"
	StageRejected          = "rejected"
	StageAnswered          = "answered"
	StageHeld              = "held"
	StageRetrieved         = "retrieved"
	StageTransferred       = "transferred"
	StageCallbackRequested = "callback_requested"
	StageAbandoned         = "abandoned"
	StageEnded             = "ended"
	StageWrapupEnded       = "wrapup_ended"
)

// CallStages lists every lifecycle stage.
var CallStages = []string{
	StageArrived, StageIVRSelection, StageQueued, StageOffered, StageRejected, StageAnswered, StageHeld,
	StageRetrieved, StageTransferred, StageCallbackRequested, StageAbandoned, StageEnded, StageWrapupEnded,
}

// CallLifecycle is one step of a call in progress; the event's OccurredAt is when it happened.
type CallLifecycle struct {
	CallID    string `json:"call_id"`
	Stage     string `json:"stage"`                   // one of CallStages
	Direction string `json:"direction"`               // inbound | outbound
	Queue     string `json:"queue,omitempty"`         // queue concerned, if any
	Agent     string `json:"agent_id,omitempty"`      // agent concerned, if any
	Line      string `json:"business_line,omitempty"` // business line once known
	Detail    string `json:"detail,omitempty"`        // IVR key, transfer target, reject reason
}

func (CallLifecycle) EventType() Type { return TypeCallLifecycle }
func (l CallLifecycle) Key() string   { return l.CallID }

func (l CallLifecycle) Validate() error {
	var c check
	c.required("call_id", l.CallID)
	c.maxLen("call_id", l.CallID, 64)
	c.oneOf("stage", l.Stage, CallStages)
	c.oneOf("direction", l.Direction, []string{Inbound, Outbound})
	c.optionalOneOf("business_line", l.Line, BusinessLines)
	c.maxLen("detail", l.Detail, 256)
	return c.err
}

// CallbackRequested is a caller's request, made while waiting in a queue (virtual hold) or in the
// IVR, to be called back; the dialer schedules it.
type CallbackRequested struct {
	CallbackID   string     `json:"callback_id"`
	CallID       string     `json:"call_id"`                 // the call it was requested on
	Customer     string     `json:"customer_id,omitempty"`   // identified customer, if any
	Phone        string     `json:"phone"`                   // number to call back, E.164
	Queue        string     `json:"queue"`                   // queue the caller left
	Line         string     `json:"business_line"`           // business line of that queue
	RequestedFor *time.Time `json:"requested_for,omitempty"` // the time the caller asked for; nil = as soon as possible
}

func (CallbackRequested) EventType() Type { return TypeCallbackRequested }
func (r CallbackRequested) Key() string   { return r.CallID }

func (r CallbackRequested) Validate() error {
	var c check
	c.required("callback_id", r.CallbackID)
	c.required("call_id", r.CallID)
	c.phone("phone", r.Phone)
	c.required("queue", r.Queue)
	c.oneOf("business_line", r.Line, BusinessLines)
	c.optionalTime("requested_for", r.RequestedFor)
	return c.err
}
