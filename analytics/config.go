package analytics

import (
	"errors"
	"fmt"
	"time"
)

// Service-level variants (docs/kpi.md): how abandoned calls enter the service level.
const (
	SLAbandonsAgainst    = "abandons_against"     // default: answered<=T / (answered + abandoned after T)
	SLIgnoreAbandons     = "ignore_abandons"      // answered<=T / answered
	SLAllAbandons        = "all_abandons"         // answered<=T / (answered + abandoned)
	SLAbandonsWithinGood = "abandons_within_good" // (answered<=T + abandoned<=T) / (answered + abandoned)
)

// SLVariants lists the service-level variants by name.
var SLVariants = []string{SLAbandonsAgainst, SLIgnoreAbandons, SLAllAbandons, SLAbandonsWithinGood}

// Short-abandon variants: whether calls abandoned within S seconds count at all.
const (
	ShortAbandonExclude = "exclude" // default: not offered, not abandoned
	ShortAbandonInclude = "include"
)

// Settings are the knobs of the metric definitions that docs/kpi.md makes settings. They are the
// analytics: section of the binary's config file (internal/config reads them through these
// tags: YAML key, environment variable, help).
type Settings struct {
	SLThresholdSec    int             `yaml:"sl_threshold_sec" env:"HOTLINE_ANALYTICS_SL_THRESHOLD_SEC" help:"service-level threshold T in seconds (answered within T is good)"`
	ShortAbandonSec   int             `yaml:"short_abandon_sec" env:"HOTLINE_ANALYTICS_SHORT_ABANDON_SEC" help:"short-abandon threshold S in seconds"`
	SLVariant         string          `yaml:"sl_variant" env:"HOTLINE_ANALYTICS_SL_VARIANT" help:"service-level variant: abandons_against, ignore_abandons, all_abandons, abandons_within_good"`
	ShortAbandon      string          `yaml:"short_abandon" env:"HOTLINE_ANALYTICS_SHORT_ABANDON" help:"short abandons: exclude (from offered and abandoned) or include"`
	FCRWindow         time.Duration   `yaml:"fcr_window" env:"HOTLINE_ANALYTICS_FCR_WINDOW" help:"first-call resolution window (no repeat call within it)"`
	CallbackWindow    time.Duration   `yaml:"callback_window" env:"HOTLINE_ANALYTICS_CALLBACK_WINDOW" help:"callback coverage window after claim closure"`
	FirstAttemptLimit time.Duration   `yaml:"first_attempt_limit" env:"HOTLINE_ANALYTICS_FIRST_ATTEMPT_LIMIT" help:"first callback attempt limit after claim closure"`
	FeedbackWindow    time.Duration   `yaml:"feedback_window" env:"HOTLINE_ANALYTICS_FEEDBACK_WINDOW" help:"callback feedback resolution window"`
	Calendar          Calendar        `yaml:"calendar"` // working days for complaint deadlines
	ComplaintWorkdays int             `yaml:"complaint_workdays" env:"HOTLINE_ANALYTICS_COMPLAINT_WORKDAYS" help:"complaints are due within this many working days"`
	Segments          SegmentSettings `yaml:"segments"`
}

// DefaultSettings are docs/kpi.md's defaults.
func DefaultSettings() Settings {
	return Settings{
		SLThresholdSec:    20,
		ShortAbandonSec:   5,
		SLVariant:         SLAbandonsAgainst,
		ShortAbandon:      ShortAbandonExclude,
		FCRWindow:         7 * 24 * time.Hour,
		CallbackWindow:    72 * time.Hour,
		FirstAttemptLimit: 24 * time.Hour,
		FeedbackWindow:    48 * time.Hour,
		ComplaintWorkdays: 7,
		Segments:          DefaultSegmentSettings(),
	}
}

// Problem is one bad setting: its key under analytics: ("segments.loyalty_cut") and what is
// wrong with it.
type Problem struct {
	Field   string
	Problem string
}

func (p Problem) Error() string { return "analytics." + p.Field + ": " + p.Problem }

// Problems lists every bad setting; the config loader puts the file, line or variable before
// each.
func (s Settings) Problems() []Problem {
	var out []Problem
	add := func(field, format string, args ...any) {
		out = append(out, Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if s.SLThresholdSec <= 0 || s.SLThresholdSec > 3600 {
		add("sl_threshold_sec", "%d is not in 1..3600", s.SLThresholdSec)
	}
	if s.ShortAbandonSec < 0 || s.ShortAbandonSec > s.SLThresholdSec {
		add("short_abandon_sec", "%d is not in 0..sl_threshold_sec (%d)", s.ShortAbandonSec, s.SLThresholdSec)
	}
	if !contains(SLVariants, s.SLVariant) {
		add("sl_variant", "%q is not one of %v", s.SLVariant, SLVariants)
	}
	if s.ShortAbandon != ShortAbandonExclude && s.ShortAbandon != ShortAbandonInclude {
		add("short_abandon", "%q is not exclude or include", s.ShortAbandon)
	}
	if s.FCRWindow < time.Hour {
		add("fcr_window", "%s is shorter than an hour", s.FCRWindow)
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"callback_window", s.CallbackWindow}, {"first_attempt_limit", s.FirstAttemptLimit}, {"feedback_window", s.FeedbackWindow}} {
		if d.v <= 0 {
			add(d.field, "%s must be greater than 0 (e.g. \"72h\")", d.v)
		}
	}
	if s.ComplaintWorkdays < 1 || s.ComplaintWorkdays > 60 {
		add("complaint_workdays", "%d is not in 1..60", s.ComplaintWorkdays)
	}
	out = append(out, calendarProblems(s.Calendar)...)
	return append(out, s.Segments.problems()...)
}

// Validate returns the problems as one error, nil when there are none.
func (s Settings) Validate() error {
	ps := s.Problems()
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// rollupCompatible reports whether the call rollup (built with T=20 s, S=5 s) can answer.
func (s Settings) rollupCompatible() bool {
	return s.SLThresholdSec == 20 && s.ShortAbandonSec == 5
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
