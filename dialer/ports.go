package dialer

import "time"

// Contact is one list entry to dial, as the engine sees it for one attempt.
type Contact struct {
	ID           string // list entry, unique within the campaign
	CustomerID   string
	Phone        string // E.164
	CampaignID   string
	CampaignType string    // one of events.CampaignTypes
	Attempt      int       // 1 for the first try
	Priority     int       // higher first
	Due          time.Time // not before
	// Deadline is when the contact must have been reached (complaint follow-ups: 7 working
	// days); among equal priorities the nearest deadline is dialled first. Zero: none.
	Deadline    time.Time
	PolicyID    string // policy behind a renewal or premium reminder
	ClaimID     string // claim behind a post-claim callback
	ComplaintID string // complaint behind a follow-up
	CallID      string // inbound call behind a virtual-hold callback
}

// Result is how one attempt at a contact ended.
type Result struct {
	Contact     Contact
	At          time.Time
	Outcome     string // one of events.AttemptOutcomes
	BlockedRule string // for a blocked attempt
	Disposition string // agent's code for a connected call
	CallbackAt  time.Time
	// NotBefore is, for a blocked attempt, the earliest time the rule that blocked it allows a
	// call (the calling window opening, the day after a holiday or a full daily cap).
	NotBefore time.Time
}

// ContactSource hands the engine contacts due for a call and learns how each attempt ended.
type ContactSource interface {
	// Next returns the next contact due at now, or false when none is due.
	Next(now time.Time) (Contact, bool)
	// Report tells the source how an attempt ended; the source schedules a retry (retryAt) or
	// closes the contact (final).
	Report(r Result) (final bool, retryAt time.Time)
}

// Returner is an optional ContactSource method: a contact Next handed out that was not dialled
// after all (its held agent was gone) goes back as if never taken, no attempt counted.
type Returner interface {
	Return(c Contact)
}

// Deferrer is an optional ContactSource method: a contact Next handed out that an agent skipped
// after reading it (preview) goes back undialled, due again at until, no attempt counted.
type Deferrer interface {
	Defer(c Contact, until time.Time)
}

// Scheduler is an optional ContactSource method: false when nothing is due, so the engine
// skips the pacing work (nights, empty lists).
type Scheduler interface {
	HasDue(now time.Time) bool
}

// Gate is compliance at dial time.
type Gate interface {
	// Check returns the rule that forbids calling c at now, or "" when the call may go ahead.
	Check(c Contact, now time.Time) (rule string)
	// Record tells the gate how an attempt ended (lockouts, daily caps, refusals).
	Record(r Result)
}

// Trunk places calls. Implementations must report back through the engine's Answered and
// Unanswered methods later, never from inside Dial (the engine holds its lock while dialling).
type Trunk interface {
	// Dial rings phone; exactly one of Engine.Answered or Engine.Unanswered follows, unless the
	// engine hangs up first (ring timeout).
	Dial(callID, phone string)
	// Play plays a recorded message on an answered call (abandon notice, voicemail).
	Play(callID, message string)
	// Hangup releases the line.
	Hangup(callID string)
}

// AgentPool is the agents the campaign dials for. Implementations report back through the
// engine's CallEnded, AgentReady and PreviewDial methods later, never from inside these calls.
type AgentPool interface {
	// Connect bridges an answered call to the agent; CallEnded follows when the conversation ends
	// and AgentReady when after-call work is done. It returns false when the agent can no longer
	// take it (shared with inbound and just offered a call there): the engine then takes the
	// agent out of its ready list and tries the next one, still inside the 2 s.
	Connect(agentID, callID string, c Contact) bool
	// Preview shows the agent the record to dial (preview mode); PreviewDial follows.
	Preview(agentID string, c Contact)
}

// Borrower is an optional AgentPool method for pools shared with inbound: an agent outside the
// campaign's ready list (kept idle for inbound) who can take a person who answered and found
// nobody ready, since that person is on the line now and would otherwise be abandoned.
type Borrower interface {
	Borrow(c Contact) (agentID string, ok bool)
}

// Holder is an optional AgentPool method for pools shared with inbound (RoutingPool): preview
// and progressive campaigns hold their agent in the shared ACD from the dial on, so inbound work
// cannot take the agent the answered call was promised to. Predictive campaigns do not hold:
// their agents take a call only once a person answers.
type Holder interface {
	// Hold keeps the agent for a line about to ring, for at most d; false when the agent is no
	// longer free there (the line is then not dialled).
	Hold(agentID string, d time.Duration) bool
	// Unhold gives back a hold that did not become a conversation (no answer, busy, machine,
	// failure); stays says whether the agent goes on working the campaign.
	Unhold(agentID string, stays bool)
}
