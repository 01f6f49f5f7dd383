package dialer

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// SurveyAnswers are one customer's answers to the post-call IVR survey; nil means skipped.
type SurveyAnswers struct {
	CSAT     *int  // 1..5
	NPS      *int  // 0..10
	Resolved *bool // "was your issue resolved"
}

// Respondent is the customer at the other end of the post-call IVR survey (the simulator's
// population in `hotline run`, a real IVR in production).
type Respondent interface {
	// Survey returns the answers, or false when the customer hung up instead.
	Survey(customerID string, at time.Time) (SurveyAnswers, bool)
}

// SimRespondent answers surveys with seeded, mostly satisfied scores.
type SimRespondent struct {
	mu   sync.Mutex
	rng  *rand.Rand
	Take float64 // share of customers who stay on for the survey, default 0.45
}

// NewSimRespondent returns a seeded respondent.
func NewSimRespondent(seed uint64) *SimRespondent {
	return &SimRespondent{rng: rand.New(rand.NewPCG(seed, 0x737276)), Take: 0.45}
}

func (r *SimRespondent) Survey(string, time.Time) (SurveyAnswers, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rng.Float64() >= r.Take {
		return SurveyAnswers{}, false
	}
	// Satisfaction drives the other answers, so CSAT, NPS and resolution agree as they do in life.
	sat := r.rng.Float64()
	csat := 1 + int(sat*4.999)
	if r.rng.Float64() < 0.5 {
		csat = max(csat, 4)
	}
	nps := min(10, max(0, csat*2+r.rng.IntN(3)-1))
	resolved := csat >= 3 || r.rng.Float64() < 0.2
	a := SurveyAnswers{CSAT: &csat, NPS: &nps}
	if r.rng.Float64() < 0.9 {
		a.Resolved = &resolved
	}
	return a, true
}

// surveyKind is the survey a campaign's call is followed by.
func surveyKind(meta SMSMeta) string {
	switch {
	case meta.ClaimID != "":
		return "post_claim"
	case meta.ComplaintID != "":
		return "complaint_followup"
	case meta.CallID != "":
		return "post_call"
	}
	return "general"
}

func surveyResponse(id, channel string, meta SMSMeta, csat, nps *int, resolved *bool) events.SurveyResponse {
	kind := surveyKind(meta)
	return events.SurveyResponse{
		ResponseID: id, Survey: kind + "-v1", Kind: kind, Channel: channel, Customer: meta.Customer,
		CallID: meta.CallID, Claim: meta.ClaimID, Complaint: meta.ComplaintID, Campaign: meta.Campaign,
		Agent: meta.Agent, CSAT: csat, NPS: nps, Resolved: resolved,
	}
}

// PostCallSurvey runs the IVR survey after a call and returns the response, linked to the call
// and to the claim or complaint behind it; false when the customer did not take it.
func PostCallSurvey(r Respondent, id string, meta SMSMeta, at time.Time) (events.SurveyResponse, bool) {
	a, ok := r.Survey(meta.Customer, at)
	if !ok || (a.CSAT == nil && a.NPS == nil && a.Resolved == nil) {
		return events.SurveyResponse{}, false
	}
	return surveyResponse(id, "ivr", meta, a.CSAT, a.NPS, a.Resolved), true
}
