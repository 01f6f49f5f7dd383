package events

import "time"

// Types of the book of business, fed by core systems (or the simulator).
const (
	TypeCustomer Type = "customer.upserted"
	TypePolicy   Type = "policy.upserted"
	TypeClaim    Type = "claim.upserted"
)

// Customer is the current state of a customer; the newest event per customer wins.
type Customer struct {
	Customer         string    `json:"customer_id"`
	Name             string    `json:"name"`
	Phone            string    `json:"phone"`              // E.164
	Province         string    `json:"province,omitempty"` // e.g. "GD"
	City             string    `json:"city,omitempty"`
	TimeZone         string    `json:"time_zone"`      // IANA zone for calling windows, e.g. "Asia/Shanghai"
	Since            time.Time `json:"customer_since"` // first policy
	Blacklisted      bool      `json:"blacklisted,omitempty"`
	MarketingConsent bool      `json:"marketing_consent,omitempty"` // may receive sales calls and SMS
	DoNotCall        bool      `json:"do_not_call,omitempty"`       // company do-not-call list
	VIP              bool      `json:"vip,omitempty"`
}

func (Customer) EventType() Type { return TypeCustomer }
func (c Customer) Key() string   { return c.Customer }

func (p Customer) Validate() error {
	var c check
	c.required("customer_id", p.Customer)
	c.required("name", p.Name)
	c.phone("phone", p.Phone)
	c.required("time_zone", p.TimeZone)
	if _, err := time.LoadLocation(p.TimeZone); p.TimeZone != "" && err != nil {
		c.fail("time_zone", "%q is not an IANA time zone", p.TimeZone)
	}
	c.time("customer_since", p.Since)
	return c.err
}

// Policy lines and statuses.
var (
	PolicyLines    = []string{"auto", "property", "life", "health", "accident", "liability"}
	PolicyStatuses = []string{"active", "expired", "lapsed", "cancelled"}
)

// Policy is the current state of a policy.
type Policy struct {
	Policy       string     `json:"policy_id"`
	Customer     string     `json:"customer_id"`
	Product      string     `json:"product"`                  // product code
	Line         string     `json:"line"`                     // one of PolicyLines
	Status       string     `json:"status"`                   // one of PolicyStatuses
	StartDate    time.Time  `json:"start_date"`               // cover starts (date, UTC midnight)
	EndDate      time.Time  `json:"end_date"`                 // cover ends: the renewal date
	Premium      float64    `json:"premium"`                  // annual premium, CNY
	PremiumDueAt *time.Time `json:"premium_due_at,omitempty"` // next instalment due
	RenewedFrom  string     `json:"renewed_from,omitempty"`   // policy this one renews
}

func (Policy) EventType() Type { return TypePolicy }
func (p Policy) Key() string   { return p.Customer }

func (p Policy) Validate() error {
	var c check
	c.required("policy_id", p.Policy)
	c.required("customer_id", p.Customer)
	c.required("product", p.Product)
	c.oneOf("line", p.Line, PolicyLines)
	c.oneOf("status", p.Status, PolicyStatuses)
	c.time("start_date", p.StartDate)
	c.time("end_date", p.EndDate)
	if !p.EndDate.After(p.StartDate) {
		c.fail("end_date", "%s is not after start_date %s", p.EndDate.Format("2006-01-02"), p.StartDate.Format("2006-01-02"))
	}
	c.optionalTime("premium_due_at", p.PremiumDueAt)
	c.rangeFloat("premium", p.Premium, 0, 1e9)
	return c.err
}

// Claim statuses, in the order a claim moves through them.
var ClaimStatuses = []string{"filed", "calculated", "prepaid", "closed", "rejected"}

// Claim is the current state of a claim.
type Claim struct {
	Claim        string     `json:"claim_id"`
	Policy       string     `json:"policy_id"`
	Customer     string     `json:"customer_id"`
	Status       string     `json:"status"`                  // one of ClaimStatuses
	AccidentType string     `json:"accident_type,omitempty"` // e.g. collision, theft, fire, illness
	Location     string     `json:"location,omitempty"`
	ReportedAt   time.Time  `json:"reported_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"` // set when closed or rejected
	Claimed      float64    `json:"amount_claimed"`      // CNY
	Paid         float64    `json:"amount_paid"`         // CNY, so far
}

func (Claim) EventType() Type { return TypeClaim }
func (c Claim) Key() string   { return c.Customer }

func (p Claim) Validate() error {
	var c check
	c.required("claim_id", p.Claim)
	c.required("policy_id", p.Policy)
	c.required("customer_id", p.Customer)
	c.oneOf("status", p.Status, ClaimStatuses)
	c.time("reported_at", p.ReportedAt)
	c.notBefore("closed_at", p.ClosedAt, "reported_at", p.ReportedAt)
	if (p.Status == "closed" || p.Status == "rejected") && p.ClosedAt == nil {
		c.fail("closed_at", "missing on a %s claim", p.Status)
	}
	c.rangeFloat("amount_claimed", p.Claimed, 0, 1e10)
	c.rangeFloat("amount_paid", p.Paid, 0, 1e10)
	return c.err
}
