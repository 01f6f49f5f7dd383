package events

// TypeAgentState is an agent's change of state.
const TypeAgentState Type = "agent.state"

// Agent states.
const (
	AgentLoggedOut = "logged_out"
	AgentAvailable = "available" // ready for a call
	AgentReserved  = "reserved"  // a call is being offered
	AgentOnCall    = "on_call"   // talking
	AgentHold      = "hold"      // customer on hold
	AgentACW       = "acw"       // after-call work (wrap-up)
	AgentBreak     = "break"     // not ready, with a reason
)

// AgentStates lists every agent state.
var AgentStates = []string{AgentLoggedOut, AgentAvailable, AgentReserved, AgentOnCall, AgentHold, AgentACW, AgentBreak}

// AgentState records that an agent entered State; the event's OccurredAt is the moment. The time
// spent in the previous state rides along so occupancy needs no pairing of events.
type AgentState struct {
	Agent       string   `json:"agent_id"`
	State       string   `json:"state"`               // one of AgentStates
	Reason      string   `json:"reason,omitempty"`    // break reason (lunch, training, no_answer, desktop_lost) or logout reason
	Previous    string   `json:"previous_state"`      // state left; "logged_out" at login
	PreviousSec float64  `json:"previous_sec"`        // seconds spent in the previous state
	CallID      string   `json:"call_id,omitempty"`   // call concerned (reserved, on_call, hold, acw)
	Queues      []string `json:"queues,omitempty"`    // queues the agent serves
	Direction   string   `json:"direction,omitempty"` // inbound | outbound work, for blended agents
}

func (AgentState) EventType() Type { return TypeAgentState }
func (s AgentState) Key() string   { return s.Agent }

func (s AgentState) Validate() error {
	var c check
	c.required("agent_id", s.Agent)
	c.maxLen("agent_id", s.Agent, 64)
	c.oneOf("state", s.State, AgentStates)
	c.oneOf("previous_state", s.Previous, AgentStates)
	c.stateSeconds("previous_sec", s.PreviousSec)
	c.optionalOneOf("direction", s.Direction, []string{Inbound, Outbound})
	if s.State == AgentBreak {
		c.required("reason", s.Reason)
	}
	return c.err
}
