package dialer

import (
	"fmt"
	"time"
)

// Floors are the regulator's calling rules. A campaign's rules may tighten them, never relax
// them: the service refuses a campaign that would (Check), and the gate holds every contact to
// them at dial time whatever its campaign says (Tighten). Only the configuration an
// administrator deploys (the calling_floors: section) changes them, and `hotline run` logs the
// floors in force, and every one changed, at start-up.
type Floors struct {
	// WindowStart and WindowEnd bound sales and research calls in the customer's local time.
	WindowStart string `yaml:"window_start" env:"HOTLINE_FLOOR_WINDOW_START" help:"sales and research calls start no earlier than this local time (HH:MM)"`
	WindowEnd   string `yaml:"window_end" env:"HOTLINE_FLOOR_WINDOW_END" help:"sales and research calls start before this local time (HH:MM)"`
	// PermittedDaysOnly keeps sales and research calls off public holidays.
	PermittedDaysOnly bool `yaml:"permitted_days_only" env:"HOTLINE_FLOOR_PERMITTED_DAYS_ONLY" help:"sales and research calls on permitted days only (no public holidays)"`
	// MarketingConsent requires the customer's marketing consent for sales and research calls.
	MarketingConsent bool `yaml:"marketing_consent" env:"HOTLINE_FLOOR_MARKETING_CONSENT" help:"sales and research calls need the customer's marketing consent"`
	// RefusalLockout keeps sales calls away from a customer who refused one.
	RefusalLockout time.Duration `yaml:"refusal_lockout" env:"HOTLINE_FLOOR_REFUSAL_LOCKOUT" help:"a refusal keeps sales calls away at least this long"`
	// AbandonLockout rests a number after an abandoned call, every campaign.
	AbandonLockout time.Duration `yaml:"abandon_lockout" env:"HOTLINE_FLOOR_ABANDON_LOCKOUT" help:"a number rests at least this long after an abandoned call"`
	// AbandonCap is the largest abandonment rate (0..1) any campaign may target.
	AbandonCap float64 `yaml:"abandon_cap" env:"HOTLINE_FLOOR_ABANDON_CAP" help:"largest abandonment rate a campaign may target (0.03 is 3%)"`
}

// DefaultFloors are the rules as the regulator writes them: sales and research calls 09:00–21:00
// local on permitted days with marketing consent, a 6-month lock after a sales refusal, 72 h of
// rest after an abandoned call, abandonment capped at 3%. The do-not-call lists have no switch:
// the gate checks them for every call.
func DefaultFloors() Floors {
	return Floors{WindowStart: "09:00", WindowEnd: "21:00", PermittedDaysOnly: true, MarketingConsent: true,
		RefusalLockout: SixMonths, AbandonLockout: 72 * time.Hour, AbandonCap: 0.03}
}

// FloorProblem is one bad floor setting: its key under calling_floors: and what is wrong.
type FloorProblem struct{ Field, Problem string }

// Problems lists every floor setting that cannot work.
func (f Floors) Problems() []FloorProblem {
	var p []FloorProblem
	s, errS := clockMinutes(f.WindowStart)
	if errS != nil {
		p = append(p, FloorProblem{"window_start", errS.Error()})
	}
	e, errE := clockMinutes(f.WindowEnd)
	if errE != nil {
		p = append(p, FloorProblem{"window_end", errE.Error()})
	}
	if errS == nil && errE == nil && e <= s {
		p = append(p, FloorProblem{"window_end", fmt.Sprintf("%s is not after window_start %s", f.WindowEnd, f.WindowStart)})
	}
	if f.RefusalLockout < 0 || f.RefusalLockout > maxLockout {
		p = append(p, FloorProblem{"refusal_lockout", fmt.Sprintf("%s is outside 0..%s", f.RefusalLockout, maxLockout)})
	}
	if f.AbandonLockout < 0 || f.AbandonLockout > maxLockout {
		p = append(p, FloorProblem{"abandon_lockout", fmt.Sprintf("%s is outside 0..%s", f.AbandonLockout, maxLockout)})
	}
	if !(f.AbandonCap > 0 && f.AbandonCap <= 1) { // also false for NaN
		p = append(p, FloorProblem{"abandon_cap", fmt.Sprintf("%v is not in (0, 1]", f.AbandonCap)})
	}
	return p
}

// Validate reports the first bad floor setting.
func (f Floors) Validate() error {
	if p := f.Problems(); len(p) > 0 {
		return fmt.Errorf("calling_floors.%s: %s", p[0].Field, p[0].Problem)
	}
	return nil
}

// Changes lists, for the start-up log, every floor that differs from the regulator's default.
func (f Floors) Changes() []string {
	d := DefaultFloors()
	var out []string
	add := func(field string, from, to any) {
		if fmt.Sprint(from) != fmt.Sprint(to) {
			out = append(out, fmt.Sprintf("%s: %v -> %v", field, from, to))
		}
	}
	add("window_start", d.WindowStart, f.WindowStart)
	add("window_end", d.WindowEnd, f.WindowEnd)
	add("permitted_days_only", d.PermittedDaysOnly, f.PermittedDaysOnly)
	add("marketing_consent", d.MarketingConsent, f.MarketingConsent)
	add("refusal_lockout", d.RefusalLockout, f.RefusalLockout)
	add("abandon_lockout", d.AbandonLockout, f.AbandonLockout)
	add("abandon_cap", d.AbandonCap, f.AbandonCap)
	return out
}

// maxLockout bounds the lockouts a setting or campaign may give (ten years).
const maxLockout = 10 * 365 * 24 * time.Hour

// marketing reports whether campaigns of the type sell or research (the window, day and consent
// floors apply), and sales whether they sell (the refusal lock applies).
func marketingKind(campaignType string) bool { return !kindOf(campaignType).service }
func salesKind(campaignType string) bool     { return kindOf(campaignType).rules.Sales }

// FloorError is a campaign that would relax a floor: Rule names the field ("rules.window_start").
type FloorError struct {
	Rule, Problem string
}

func (e *FloorError) Error() string {
	return fmt.Sprintf("%s: %s; a campaign may tighten the regulator's rules, never relax them (only an administrator's calling_floors configuration changes a floor)", e.Rule, e.Problem)
}

// Check returns a *FloorError naming the first rule of c that is looser than the floors. c has
// been normalised (its rule set filled in).
func (f Floors) Check(c Campaign) error {
	floorErr := func(rule, format string, a ...any) error {
		return &FloorError{Rule: rule, Problem: fmt.Sprintf(format, a...)}
	}
	if !(c.AbandonTarget <= f.AbandonCap) {
		return floorErr("abandon_target", "%v is above the %v abandonment cap", c.AbandonTarget, f.AbandonCap)
	}
	r := DefaultRules(c.Type)
	if c.Rules != nil {
		r = *c.Rules
	}
	if r.AbandonLockout < f.AbandonLockout {
		return floorErr("rules.abandon_lockout", "%s is shorter than the %s rest after an abandoned call", r.AbandonLockout, f.AbandonLockout)
	}
	if salesKind(c.Type) {
		if !r.Sales {
			return floorErr("rules.sales", "a %s campaign is held to the sales rules", c.Type)
		}
		if r.RefusalLockout < f.RefusalLockout {
			return floorErr("rules.refusal_lockout", "%s is shorter than the %s a refusal keeps sales calls away", r.RefusalLockout, f.RefusalLockout)
		}
	}
	if !marketingKind(c.Type) {
		return nil
	}
	if f.MarketingConsent && !r.NeedsConsent {
		return floorErr("rules.needs_consent", "a %s campaign calls only customers who gave marketing consent", c.Type)
	}
	if f.PermittedDaysOnly && !r.NoHolidays {
		return floorErr("rules.no_holidays", "a %s campaign calls on permitted days only, never on public holidays", c.Type)
	}
	s, _ := clockMinutes(r.WindowStart)
	e, _ := clockMinutes(r.WindowEnd)
	fs, _ := clockMinutes(f.WindowStart)
	fe, _ := clockMinutes(f.WindowEnd)
	if s < fs {
		return floorErr("rules.window_start", "%s is before %s, when %s calls may start (local time)", r.WindowStart, f.WindowStart, c.Type)
	}
	if e > fe {
		return floorErr("rules.window_end", "%s is after %s, when %s calls must have started (local time)", r.WindowEnd, f.WindowEnd, c.Type)
	}
	return nil
}

// Tighten returns r held to the floors for a campaign of the given type: the later start, the
// earlier end, every switch the floors require on, the longer lockouts. The gate applies it to
// every contact at dial time, so a rule set that slipped past Check still cannot relax a floor.
func (f Floors) Tighten(campaignType string, r RuleSet) RuleSet {
	r.AbandonLockout = max(r.AbandonLockout, f.AbandonLockout)
	if salesKind(campaignType) {
		r.Sales = true
		r.RefusalLockout = max(r.RefusalLockout, f.RefusalLockout)
	}
	if !marketingKind(campaignType) {
		return r
	}
	r.NeedsConsent = r.NeedsConsent || f.MarketingConsent
	r.NoHolidays = r.NoHolidays || f.PermittedDaysOnly
	s, errS := clockMinutes(r.WindowStart)
	e, errE := clockMinutes(r.WindowEnd)
	fs, _ := clockMinutes(f.WindowStart)
	fe, _ := clockMinutes(f.WindowEnd)
	if errS != nil || s < fs {
		r.WindowStart = f.WindowStart
	}
	if errE != nil || e > fe {
		r.WindowEnd = f.WindowEnd
	}
	return r
}
