package analytics

import (
	"fmt"
	"time"
)

// Service-level variants (KPI.md): how abandoned calls enter the service level.
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

// Settings are the knobs of the metric definitions that KPI.md makes settings.
type Settings struct {
	SLThresholdSec    int    // T, default 20
	ShortAbandonSec   int    // S, default 5
	SLVariant         string // one of SLVariants
	ShortAbandon      string // exclude | include
	FCRWindow         time.Duration
	CallbackWindow    time.Duration // callback coverage window after claim closure, 72 h
	FirstAttemptLimit time.Duration // first callback attempt limit, 24 h
	FeedbackWindow    time.Duration // feedback resolution window, 48 h
	Calendar          Calendar      // working days for complaint deadlines
	ComplaintWorkdays int           // answer due within this many working days, 7
	Segments          SegmentSettings
}

// DefaultSettings are KPI.md's defaults.
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

// Validate names the field and the problem.
func (s Settings) Validate() error {
	switch {
	case s.SLThresholdSec <= 0 || s.SLThresholdSec > 3600:
		return fmt.Errorf("analytics.sl_threshold_sec: %d is not in 1..3600", s.SLThresholdSec)
	case s.ShortAbandonSec < 0 || s.ShortAbandonSec > s.SLThresholdSec:
		return fmt.Errorf("analytics.short_abandon_sec: %d is not in 0..sl_threshold_sec (%d)", s.ShortAbandonSec, s.SLThresholdSec)
	case !contains(SLVariants, s.SLVariant):
		return fmt.Errorf("analytics.sl_variant: %q is not one of %v", s.SLVariant, SLVariants)
	case s.ShortAbandon != ShortAbandonExclude && s.ShortAbandon != ShortAbandonInclude:
		return fmt.Errorf("analytics.short_abandon: %q is not exclude or include", s.ShortAbandon)
	case s.FCRWindow < time.Hour:
		return fmt.Errorf("analytics.fcr_window: %s is shorter than an hour", s.FCRWindow)
	case s.CallbackWindow <= 0 || s.FirstAttemptLimit <= 0 || s.FeedbackWindow <= 0:
		return fmt.Errorf("analytics: callback_window, first_attempt_limit and feedback_window must be positive")
	case s.ComplaintWorkdays < 1 || s.ComplaintWorkdays > 60:
		return fmt.Errorf("analytics.complaint_workdays: %d is not in 1..60", s.ComplaintWorkdays)
	}
	if err := s.Calendar.Validate(); err != nil {
		return err
	}
	return s.Segments.Validate()
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
