package sim

import (
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// Intents: what a caller wants. Queue intents end with an agent, the others in self-service
// unless the caller gives up on the IVR or asks for a person.
const (
	IntentClaimsReport  = "claims_report"
	IntentClaimStatus   = "claim_status"
	IntentPolicyLookup  = "policy_lookup"
	IntentPaymentLookup = "payment_lookup"
	IntentInquiry       = "inquiry"
	IntentProductInfo   = "product_info"
	IntentConsultation  = "consultation"
	IntentComplaint     = "complaint"
	IntentRenewal       = "renewal"
	IntentAppointment   = "appointment"
)

// LineTimes are the handling times of a business line, in seconds; talk is log-normal.
type LineTimes struct {
	Talk      float64 // mean talk seconds
	TalkSigma float64 // log-normal shape
	HoldProb  float64 // share of calls put on hold once
	Hold      float64 // mean hold seconds (exponential)
	Wrap      float64 // mean wrap-up seconds (exponential, at least 5 s)
	Resolved  float64 // share resolved on the call (drives repeat calls, so FCR)
}

// Shift is a group of agents working the same hours, in the centre's time zone.
type Shift struct {
	Name   string
	Start  time.Duration // after local midnight
	Length time.Duration
	Agents int
}

// Profile is a hotline's traffic and staffing.
type Profile struct {
	Name        string
	Tenant      string
	Zone        string
	CallsPerDay float64     // mean over a week
	DayFactor   [7]float64  // by weekday, Sunday first; mean 1
	DayNoise    float64     // log-normal sigma of a day's volume
	Hourly      [24]float64 // share of the day's calls per local hour (normalised on use)

	Intents                    map[string]float64 // caller intent shares
	Known                      float64            // share of callers calling from a number in the book
	Mistake                    float64            // chance of a wrong key or silence at each prompt
	IVRQuit                    float64            // chance of hanging up at each prompt
	WantsAgentAfterSelfService float64

	Patience      float64 // mean patience seconds
	PatienceSigma float64 // 0: exponential; else log-normal with this sigma
	CallbackTake  float64 // share taking a call back when offered at max wait

	RedialAfterAbandon   float64       // chance of calling again after abandoning
	RedialAbandonDelay   time.Duration // mean delay
	RedialUnresolved     float64       // chance of calling again when the issue was not resolved
	RedialUnresolvedWait time.Duration

	Lines     map[string]LineTimes
	Shifts    []Shift
	RingDelay float64 // mean seconds an agent takes to accept
	NoAnswer  float64 // chance an agent lets an offer ring out
	Breaks    bool

	Customers int // size of the book
	// DesktopLoss is the chance that an agent's desktop disappears once during a shift (a
	// crash, a lost network): the engine's lease recovery must clean up after it. Agents then
	// heartbeat every HeartbeatEvery and come back a few minutes after a loss.
	DesktopLoss    float64
	HeartbeatEvery time.Duration
	// AllHours opens every queue around the clock (a national centre), whatever the routing
	// config's opening hours say.
	AllHours bool
}

// Profiles returns the named profiles.
func Profiles() []string { return []string{"province", "national"} }

// ProfileByName returns a profile.
func ProfileByName(name string) (Profile, error) {
	switch name {
	case "province":
		return Province(), nil
	case "national":
		return National(), nil
	}
	return Profile{}, fmt.Errorf("profile %q: want one of %v", name, Profiles())
}

var defaultLines = map[string]LineTimes{
	events.LineClaimsReport: {Talk: 360, TalkSigma: 0.5, HoldProb: 0.35, Hold: 45, Wrap: 60, Resolved: 0.9},
	events.LineInquiry:      {Talk: 200, TalkSigma: 0.6, HoldProb: 0.25, Hold: 30, Wrap: 30, Resolved: 0.85},
	events.LineConsultation: {Talk: 280, TalkSigma: 0.6, HoldProb: 0.2, Hold: 30, Wrap: 30, Resolved: 0.85},
	events.LineComplaint:    {Talk: 480, TalkSigma: 0.5, HoldProb: 0.4, Hold: 60, Wrap: 90, Resolved: 0.55},
	events.LineRenewal:      {Talk: 320, TalkSigma: 0.5, HoldProb: 0.3, Hold: 40, Wrap: 45, Resolved: 0.9},
	events.LineAppointment:  {Talk: 240, TalkSigma: 0.5, HoldProb: 0.1, Hold: 30, Wrap: 40, Resolved: 0.95},
}

// Province is a provincial centre of the size hotline is built for: about 700 calls a day on average,
// peak day about 1,000, peak hour about 90, 80%+ connected with about 25 agents.
func Province() Profile {
	return Profile{
		Name: "province", Tenant: "GD", Zone: "Asia/Shanghai",
		CallsPerDay: 620, DayFactor: [7]float64{0.75, 1.3, 1.1, 1.0, 1.0, 1.05, 0.8}, DayNoise: 0.08,
		// Daytime peaks at 09–11 and 14–16; the night is claims reporting only.
		Hourly: [24]float64{0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 1.2, 3, 7, 9.5, 9.5, 8, 5, 6, 8.5, 8.5, 7.5, 6, 4, 3.5, 3, 2.5, 1.5, 1},
		Intents: map[string]float64{
			IntentClaimsReport: 0.24, IntentClaimStatus: 0.14, IntentPolicyLookup: 0.06, IntentPaymentLookup: 0.05,
			IntentInquiry: 0.17, IntentProductInfo: 0.03, IntentConsultation: 0.09, IntentComplaint: 0.06,
			IntentRenewal: 0.11, IntentAppointment: 0.05,
		},
		Known: 0.85, Mistake: 0.04, IVRQuit: 0.01, WantsAgentAfterSelfService: 0.2,
		Patience: 150, PatienceSigma: 0.8, CallbackTake: 0.5,
		RedialAfterAbandon: 0.6, RedialAbandonDelay: 15 * time.Minute,
		RedialUnresolved: 0.7, RedialUnresolvedWait: 20 * time.Hour,
		Lines: defaultLines,
		Shifts: []Shift{
			{"early", 8 * time.Hour, 9 * time.Hour, 11},
			{"late", 12 * time.Hour, 9 * time.Hour, 10},
			{"night", 21 * time.Hour, 11 * time.Hour, 4},
		},
		RingDelay: 3, NoAnswer: 0.01, Breaks: true,
		DesktopLoss: 0.1, HeartbeatEvery: 10 * time.Second,
		Customers: 30000,
	}
}

// National is a national centre: about 66,000 calls a day, 24x7, most handled in self-service.
func National() Profile {
	p := Province()
	p.Name, p.Tenant = "national", "HQ"
	p.CallsPerDay = 66000
	p.DayFactor = [7]float64{0.9, 1.12, 1.05, 1.0, 1.0, 1.03, 0.9}
	p.Hourly = [24]float64{1.2, 0.8, 0.6, 0.5, 0.6, 0.9, 1.8, 3.5, 6.5, 8, 8, 7.2, 5.5, 6, 7.5, 7.5, 7, 6, 4.8, 4.2, 3.8, 3.2, 2.3, 1.6}
	p.Intents = map[string]float64{
		IntentClaimsReport: 0.09, IntentClaimStatus: 0.32, IntentPolicyLookup: 0.15, IntentPaymentLookup: 0.15,
		IntentInquiry: 0.04, IntentProductInfo: 0.17, IntentConsultation: 0.02, IntentComplaint: 0.015,
		IntentRenewal: 0.025, IntentAppointment: 0.01,
	}
	p.Known = 0.9
	p.WantsAgentAfterSelfService = 0.06
	p.Shifts = []Shift{
		{"early", 7 * time.Hour, 9 * time.Hour, 110},
		{"day", 9 * time.Hour, 9 * time.Hour, 90},
		{"late", 13 * time.Hour, 9 * time.Hour, 90},
		{"night", 22 * time.Hour, 10 * time.Hour, 35},
	}
	p.Customers = 200000
	p.AllHours = true
	p.DesktopLoss = 0 // 375 agents heartbeating would dominate the run; province covers it
	return p
}
