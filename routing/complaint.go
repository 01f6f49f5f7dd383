package routing

import (
	"fmt"
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// ComplaintRequest is a complaint an agent registers from a call.
type ComplaintRequest struct {
	CallID     string `json:"call_id"`
	Category   string `json:"category"`   // e.g. claim_delay, claim_amount, service_attitude
	Department string `json:"department"` // responsible department, e.g. claims
	Policy     string `json:"policy_id,omitempty"`
	Claim      string `json:"claim_id,omitempty"`
	Against    string `json:"against_agent_id,omitempty"`
}

// ComplaintRecorder is implemented by directories that keep complaints for the screen pop.
type ComplaintRecorder interface {
	AddComplaint(c events.Complaint)
}

// RegisterComplaint registers a complaint on the agent's current call (connected or in
// wrap-up), due seven working days out, and emits it.
func (e *Engine) RegisterComplaint(agentID string, req ComplaintRequest) (events.Complaint, error) {
	a, err := e.agent(agentID)
	if err != nil {
		return events.Complaint{}, err
	}
	c := a.call
	if c == nil || (req.CallID != "" && c.ID != req.CallID) || (a.state != stOnCall && a.state != stHold && a.state != stACW) {
		return events.Complaint{}, fmt.Errorf("complaint by %s: not on that call: %w", agentID, ErrState)
	}
	if c.Customer == "" {
		return events.Complaint{}, fmt.Errorf("complaint on call %s: the caller is not identified", c.ID)
	}
	if req.Category == "" || req.Department == "" {
		return events.Complaint{}, fmt.Errorf("complaint: category and department are required")
	}
	now := e.clk.Now()
	e.seq++
	cp := events.Complaint{
		ComplaintID: fmt.Sprintf("CP-%s-%d", c.ID, e.seq), Stage: "registered", Customer: c.Customer, Category: req.Category,
		Line: c.Line, Department: req.Department, Channel: "phone", CallID: c.ID, Agent: a.id, AgainstAgnt: req.Against,
		Policy: req.Policy, Claim: req.Claim, RegisteredAt: now, DueAt: AddWorkingDays(now, 7, e.cfg.WorkingDays),
	}
	if cp.Line == "" {
		cp.Line = events.LineComplaint
	}
	if err := cp.Validate(); err != nil {
		return events.Complaint{}, fmt.Errorf("complaint: %w", err)
	}
	e.emit(cp)
	if r, ok := e.dir.(ComplaintRecorder); ok {
		r.AddComplaint(cp)
	}
	return cp, nil
}

// AddWorkingDays is t plus n working days (same time of day), skipping days not in working.
// Public holidays are not modelled: a calendar would be configuration.
func AddWorkingDays(t time.Time, n int, working []time.Weekday) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if slices.Contains(working, t.Weekday()) {
			n--
		}
	}
	return t
}
