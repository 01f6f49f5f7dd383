package dialer

import (
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// RetryPolicy says when to try a contact again after each kind of outcome.
type RetryPolicy struct {
	Busy     time.Duration `yaml:"busy" json:"busy"`           // default 10 min
	NoAnswer time.Duration `yaml:"no_answer" json:"no_answer"` // default 2 h
	Machine  time.Duration `yaml:"machine" json:"machine"`     // default 4 h (1 h when the campaign asks for early retries)
	Failed   time.Duration `yaml:"failed" json:"failed"`       // default 24 h
	// Dropped is the pause after an abandoned call; never shorter than the 72 h lockout.
	Dropped time.Duration `yaml:"dropped" json:"dropped"`
	// Blocked is the pause after a temporary block (calling window, daily cap, holiday).
	Blocked time.Duration `yaml:"blocked" json:"blocked"` // default 1 h
	// MaxFailedCalls is how many unsuccessful calls trigger the SMS fallback (0: never).
	MaxFailedCalls int `yaml:"sms_fallback_after" json:"sms_fallback_after"`
}

func (p *RetryPolicy) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&p.Busy, 10*time.Minute)
	set(&p.NoAnswer, 2*time.Hour)
	set(&p.Machine, 4*time.Hour)
	set(&p.Failed, 24*time.Hour)
	set(&p.Dropped, 72*time.Hour)
	set(&p.Blocked, time.Hour)
}

// maxRetryWait bounds a retry delay: longer ones are no retry, and would overflow time sums.
const maxRetryWait = 365 * 24 * time.Hour

// Validate reports the first setting out of range.
func (p RetryPolicy) Validate() error {
	if p.Dropped != 0 && p.Dropped < 72*time.Hour {
		return fmt.Errorf("retry dropped: %s is shorter than the 72 h abandon lockout", p.Dropped)
	}
	for name, d := range map[string]time.Duration{"busy": p.Busy, "no_answer": p.NoAnswer, "machine": p.Machine, "failed": p.Failed, "blocked": p.Blocked, "dropped": p.Dropped} {
		if d < 0 {
			return fmt.Errorf("retry %s: %s is negative", name, d)
		}
		if d > maxRetryWait {
			return fmt.Errorf("retry %s: %s is longer than a year", name, d)
		}
	}
	if p.MaxFailedCalls < 0 || p.MaxFailedCalls > 100 {
		return fmt.Errorf("retry sms_fallback_after: %d is outside 0..100", p.MaxFailedCalls)
	}
	return nil
}

// permanentRules end a contact: waiting does not make the call allowed.
var permanentRules = map[string]bool{
	RuleInvalidNumber: true, RuleBlacklist: true, RuleDNCNational: true, RuleDNCCompany: true,
	RuleDNCCampaign: true, RuleNoConsent: true, RuleRefusal: true, RuleMaxAttempts: true, RuleWrongNumber: true,
}

// Final outcomes of a contact.
const (
	FinalReached   = "reached"   // a conversation with an agent closed it
	FinalExhausted = "exhausted" // maximum attempts used without reaching the person
	FinalBlocked   = "blocked"   // a permanent compliance rule forbids the call
	FinalExpired   = "expired"   // the campaign ended first
	// FinalWrongNumber: the person who answered is not the customer; the customer was not
	// reached and the number is not called for them again.
	FinalWrongNumber = "wrong_number"
)

// DispositionCallback is the agent's code for "call me back at …"; Result.CallbackAt says when.
const DispositionCallback = "callback_at"

// DispositionWrongNumber is the agent's code for a number that is not the customer's.
const DispositionWrongNumber = "wrong_number"

// Decision is what happens to a contact after an attempt.
type Decision struct {
	Final   string    // one of the Final* outcomes, "" when the contact stays open
	RetryAt time.Time // next attempt, when open
	// Fallback asks for the SMS fallback now (the failed-calls threshold was just reached).
	Fallback bool
}

// Decide applies the policy to one attempt's result. attempts is the number of calls made to
// the contact so far (this one included), failed the unsuccessful ones, max the rule set's
// maximum attempts.
func (p RetryPolicy) Decide(r Result, attempts, failed, maxAttempts int) Decision {
	p.defaults()
	var d Decision
	switch r.Outcome {
	case events.AttemptBlocked:
		if permanentRules[r.BlockedRule] {
			d.Final = FinalBlocked
			if r.BlockedRule == RuleMaxAttempts {
				d.Final = FinalExhausted
			}
			return d
		}
		wait := p.Blocked
		if r.BlockedRule == RuleAbandonLockout {
			wait = p.Dropped
		}
		d.RetryAt = r.At.Add(wait)
		if r.NotBefore.After(r.At) {
			d.RetryAt = r.NotBefore
		}
		return d
	case events.AttemptConnected:
		if r.Disposition == DispositionCallback && r.CallbackAt.After(r.At) {
			d.RetryAt = r.CallbackAt
			return d
		}
		d.Final = FinalReached
		if r.Disposition == DispositionWrongNumber {
			d.Final = FinalWrongNumber
		}
		return d
	}
	if attempts >= maxAttempts {
		d.Final = FinalExhausted
	}
	d.Fallback = p.MaxFailedCalls > 0 && failed == p.MaxFailedCalls
	if d.Final != "" {
		return d
	}
	switch r.Outcome {
	case events.AttemptBusy:
		d.RetryAt = r.At.Add(p.Busy)
	case events.AttemptNoAnswer:
		d.RetryAt = r.At.Add(p.NoAnswer)
	case events.AttemptMachine:
		wait := p.Machine
		if r.Disposition == "machine_retry" {
			wait = min(wait, time.Hour)
		}
		d.RetryAt = r.At.Add(wait)
	case events.AttemptDropped:
		d.RetryAt = r.At.Add(max(p.Dropped, 72*time.Hour))
	default:
		d.RetryAt = r.At.Add(p.Failed)
	}
	return d
}
