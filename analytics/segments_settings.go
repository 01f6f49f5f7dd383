package analytics

import "fmt"

// SegmentSettings are the segmentation thresholds (KPI.md: "Thresholds are settings").
type SegmentSettings struct {
	// Satisfaction and loyalty cut-offs on 0..100; with UseMedians the book's medians are used.
	SatisfactionCut float64
	LoyaltyCut      float64
	UseMedians      bool
	// LookbackDays of surveys, complaints and claims that count.
	LookbackDays int
	// NeutralSatisfaction is the score of a customer with no survey and no complaint.
	NeutralSatisfaction float64
	// FrequentClaims flags customers with at least this many claims in the lookback.
	FrequentClaims int
	// HighLossRatio flags customers whose paid claims / annual premiums exceed it.
	HighLossRatio float64
}

// DefaultSegmentSettings are the defaults.
func DefaultSegmentSettings() SegmentSettings {
	return SegmentSettings{SatisfactionCut: 70, LoyaltyCut: 50, LookbackDays: 365, NeutralSatisfaction: 60, FrequentClaims: 3, HighLossRatio: 0.8}
}

// Validate names the field and problem.
func (s SegmentSettings) Validate() error {
	switch {
	case s.SatisfactionCut < 0 || s.SatisfactionCut > 100:
		return fmt.Errorf("analytics.segments.satisfaction_cut: %v is not in 0..100", s.SatisfactionCut)
	case s.LoyaltyCut < 0 || s.LoyaltyCut > 100:
		return fmt.Errorf("analytics.segments.loyalty_cut: %v is not in 0..100", s.LoyaltyCut)
	case s.LookbackDays < 1:
		return fmt.Errorf("analytics.segments.lookback_days: %d is not positive", s.LookbackDays)
	case s.NeutralSatisfaction < 0 || s.NeutralSatisfaction > 100:
		return fmt.Errorf("analytics.segments.neutral_satisfaction: %v is not in 0..100", s.NeutralSatisfaction)
	case s.FrequentClaims < 1:
		return fmt.Errorf("analytics.segments.frequent_claims: %d is not positive", s.FrequentClaims)
	case s.HighLossRatio <= 0:
		return fmt.Errorf("analytics.segments.high_loss_ratio: %v is not positive", s.HighLossRatio)
	}
	return nil
}
