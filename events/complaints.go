package events

import "time"

// TypeComplaint is one step in a complaint's life.
const TypeComplaint Type = "complaint.lifecycle"

// Complaint stages, channels.
var (
	ComplaintStages   = []string{"registered", "transferred", "answered", "closed", "reopened"}
	ComplaintChannels = []string{"phone", "sms", "web", "letter", "walk_in", "regulator"}
)

// Complaint is one step of a complaint: registered (with its due date, seven working days out),
// transferred to a department, answered to the customer, closed, reopened. Steps of one complaint
// share ComplaintID and repeat its descriptive fields so each row stands alone.
type Complaint struct {
	ComplaintID  string    `json:"complaint_id"`
	Stage        string    `json:"stage"` // one of ComplaintStages
	Customer     string    `json:"customer_id"`
	Category     string    `json:"category"`                   // e.g. claim_delay, claim_amount, service_attitude, sales_misleading, billing
	Line         string    `json:"business_line"`              // business line complained about
	Department   string    `json:"department"`                 // department responsible, e.g. claims, underwriting, service
	Channel      string    `json:"channel"`                    // one of ComplaintChannels
	CallID       string    `json:"call_id,omitempty"`          // call it was registered on
	Agent        string    `json:"agent_id,omitempty"`         // agent who registered or handled it
	AgainstAgnt  string    `json:"against_agent_id,omitempty"` // agent complained about, if any
	Policy       string    `json:"policy_id,omitempty"`
	Claim        string    `json:"claim_id,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`        // when the complaint was received
	DueAt        time.Time `json:"due_at"`               // answer due: seven working days after registration
	Resolution   string    `json:"resolution,omitempty"` // on answered/closed: what was done
}

func (Complaint) EventType() Type { return TypeComplaint }
func (c Complaint) Key() string   { return c.Customer }

func (p Complaint) Validate() error {
	var c check
	c.required("complaint_id", p.ComplaintID)
	c.oneOf("stage", p.Stage, ComplaintStages)
	c.required("customer_id", p.Customer)
	c.required("category", p.Category)
	c.maxLen("category", p.Category, 64)
	c.oneOf("business_line", p.Line, BusinessLines)
	c.required("department", p.Department)
	c.oneOf("channel", p.Channel, ComplaintChannels)
	c.time("registered_at", p.RegisteredAt)
	c.time("due_at", p.DueAt)
	c.notBefore("due_at", &p.DueAt, "registered_at", p.RegisteredAt)
	c.maxLen("resolution", p.Resolution, 2000)
	return c.err
}
