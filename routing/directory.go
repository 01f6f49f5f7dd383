package routing

import (
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// CustomerDirectory is where routing looks customers up: to identify a caller by number, to
// answer self-service questions in the IVR, and to fill the agent's screen pop. The simulator
// implements it in memory over its book of business; production would back it with the core
// systems (or the customers/policies/claims tables).
type CustomerDirectory interface {
	// CustomerByPhone identifies a caller by the calling number.
	CustomerByPhone(phone string) (CustomerRef, bool)
	// ScreenPop gathers what an agent sees when a customer's call is offered.
	ScreenPop(customerID string, now time.Time) (ScreenPop, bool)
	// Claim finds a claim by its number (case number), for the claim-status self-service.
	Claim(claimID string) (events.Claim, bool)
	// Policy finds a policy by its number, for the policy and payment self-services.
	Policy(policyID string) (events.Policy, bool)
}

// CustomerRef identifies a customer and the segment routing gives priority by.
type CustomerRef struct {
	ID      string
	Segment string // "vip", "standard", …
}

// ScreenPop is what the desktop shows with an offered call.
type ScreenPop struct {
	Customer       events.Customer    `json:"customer"`
	Segment        string             `json:"segment"`
	Policies       []events.Policy    `json:"policies"`
	RecentClaims   []events.Claim     `json:"recent_claims"`
	OpenComplaints []events.Complaint `json:"open_complaints"`
}
