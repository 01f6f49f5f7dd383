package routing

import (
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
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

// complaintWorkdays is how many working days a complaint has for its answer.
const complaintWorkdays = 7

// WithCalendar makes complaint due dates count working days by cal (holidays skipped, make-up
// days counted) instead of Config.WorkingDays' weekdays. `hotline run` gives it the config
// file's calendar, the one the dialer's follow-up deadlines and the complaint KPIs count by.
func WithCalendar(cal calendar.WorkingDays) Option { return func(e *Engine) { e.calendar = cal } }

// RegisterComplaint registers a complaint on the agent's current call (connected or in
// wrap-up), due seven working days out by the engine's calendar, and emits it.
func (e *Engine) RegisterComplaint(agentID string, req ComplaintRequest) (events.Complaint, error) {
	for field, v := range map[string]string{"category": req.Category, "department": req.Department, "policy_id": req.Policy,
		"claim_id": req.Claim, "against_agent_id": req.Against, "call_id": req.CallID} {
		if err := checkCode(field, v); err != nil {
			return events.Complaint{}, err
		}
	}
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
		Policy: req.Policy, Claim: req.Claim, RegisteredAt: now, DueAt: e.ComplaintDue(now),
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

// ComplaintDue is when a complaint registered at t must be answered: seven working days of the
// engine's calendar later.
func (e *Engine) ComplaintDue(t time.Time) time.Time {
	var cal calendar.WorkingDays = calendar.Weekdays(e.cfg.WorkingDays)
	if e.calendar != nil {
		cal = e.calendar
	}
	return calendar.AddWorkingDays(cal, t, complaintWorkdays)
}
