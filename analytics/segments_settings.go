package analytics

import "fmt"

// SegmentSettings are the segmentation thresholds (docs/kpi.md, "Segmentation").
type SegmentSettings struct {
	// Satisfaction and loyalty cut-offs on 0..100; with UseMedians the book's medians are used.
	SatisfactionCut float64 `yaml:"satisfaction_cut" env:"HOTLINE_ANALYTICS_SATISFACTION_CUT" help:"satisfaction score (0..100) from which a customer counts as satisfied"`
	LoyaltyCut      float64 `yaml:"loyalty_cut" env:"HOTLINE_ANALYTICS_LOYALTY_CUT" help:"loyalty score (0..100) from which a customer counts as loyal"`
	UseMedians      bool    `yaml:"use_medians" env:"HOTLINE_ANALYTICS_USE_MEDIANS" help:"cut at the book's median scores instead of the fixed cut-offs"`
	// LookbackDays of surveys, complaints and claims that count.
	LookbackDays int `yaml:"lookback_days" env:"HOTLINE_ANALYTICS_LOOKBACK_DAYS" help:"days of surveys, complaints and claims the scores count"`
	// NeutralSatisfaction is the score of a customer with no survey and no complaint.
	NeutralSatisfaction float64 `yaml:"neutral_satisfaction" env:"HOTLINE_ANALYTICS_NEUTRAL_SATISFACTION" help:"satisfaction score (0..100) of a customer with no survey and no complaint"`
	// FrequentClaims flags customers with at least this many claims in the lookback.
	FrequentClaims int `yaml:"frequent_claims" env:"HOTLINE_ANALYTICS_FREQUENT_CLAIMS" help:"claims in the lookback from which a customer is flagged frequent"`
	// HighLossRatio flags customers whose paid claims / annual premiums exceed it.
	HighLossRatio float64 `yaml:"high_loss_ratio" env:"HOTLINE_ANALYTICS_HIGH_LOSS_RATIO" help:"paid claims / annual premiums above which a customer is flagged"`
}

// DefaultSegmentSettings are the defaults.
func DefaultSegmentSettings() SegmentSettings {
	return SegmentSettings{SatisfactionCut: 70, LoyaltyCut: 50, LookbackDays: 365, NeutralSatisfaction: 60, FrequentClaims: 3, HighLossRatio: 0.8}
}

// problems names each bad field under segments.
func (s SegmentSettings) problems() []Problem {
	var out []Problem
	add := func(field, format string, args ...any) {
		out = append(out, Problem{Field: "segments." + field, Problem: fmt.Sprintf(format, args...)})
	}
	if s.SatisfactionCut < 0 || s.SatisfactionCut > 100 {
		add("satisfaction_cut", "%v is not in 0..100", s.SatisfactionCut)
	}
	if s.LoyaltyCut < 0 || s.LoyaltyCut > 100 {
		add("loyalty_cut", "%v is not in 0..100", s.LoyaltyCut)
	}
	if s.LookbackDays < 1 {
		add("lookback_days", "%d is not positive", s.LookbackDays)
	}
	if s.NeutralSatisfaction < 0 || s.NeutralSatisfaction > 100 {
		add("neutral_satisfaction", "%v is not in 0..100", s.NeutralSatisfaction)
	}
	if s.FrequentClaims < 1 {
		add("frequent_claims", "%d is not positive", s.FrequentClaims)
	}
	if s.HighLossRatio <= 0 {
		add("high_loss_ratio", "%v is not positive", s.HighLossRatio)
	}
	return out
}
