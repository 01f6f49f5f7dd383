package analytics

import (
	"context"
	"fmt"
	"time"
)

// Quadrants of the segmentation (docs/kpi.md, after Jones & Sasser).
const (
	QuadrantLoyal     = "loyal"     // high satisfaction, high loyalty
	QuadrantMercenary = "mercenary" // high satisfaction, low loyalty
	QuadrantHostage   = "hostage"   // low satisfaction, high loyalty
	QuadrantAtRisk    = "at_risk"   // low, low
)

// Quadrants lists them.
var Quadrants = []string{QuadrantLoyal, QuadrantMercenary, QuadrantHostage, QuadrantAtRisk}

// CustomerSegment is one customer's scores, quadrant and flags.
type CustomerSegment struct {
	Customer       string  `json:"customer_id"`
	Tenant         string  `json:"tenant"`
	Phone          string  `json:"phone"`
	Satisfaction   float64 `json:"satisfaction"` // 0..100
	Loyalty        float64 `json:"loyalty"`      // 0..100
	Quadrant       string  `json:"quadrant"`
	Blacklisted    bool    `json:"blacklisted"`
	FrequentClaims bool    `json:"frequent_claims"`
	HighLossRatio  bool    `json:"high_loss_ratio"`
	Surveys        int     `json:"surveys"`
	Complaints     int     `json:"complaints"`
	Claims         int     `json:"claims"`
	ActivePolicies int     `json:"active_policies"`
	LossRatio      float64 `json:"loss_ratio"`
}

// Satisfaction: each survey answer scores its CSAT mapped to 0..100 ((csat-1)*25); each complaint
// scores 0; the mean over the lookback, or NeutralSatisfaction when there is none.
// Loyalty, 25 points each: tenure (full at 5 years), renewals (full at 3), active policies (full
// at 3), and holding both a life-type (life, health) and a property-type policy.

// segmentScoresSQL has one row per customer known as of asOf: scores and flag inputs.
// asOf is a DateTime SQL expression, tcond a condition on the tenant column.
func segmentScoresSQL(s SegmentSettings, a, tcond string) string {
	lb := fmt.Sprintf("toDateTime(toUInt32(%s) - %d)", a, s.LookbackDays*86400)
	return fmt.Sprintf(`SELECT customer_id, tenant_ AS tenant, phone_ AS phone, since_ AS since, blacklisted_ AS blacklisted,
    active_ AS active_policies, renewals_ AS renewals, cross_ AS cross_holding, premium_ AS premium, claims_ AS claims, paid_ AS paid,
    sat_n_ AS surveys, complaints_ AS complaints,
    if(sat_n_ + complaints_ > 0, sat_sum_ / (sat_n_ + complaints_), %v) AS satisfaction,
    25 * least((toUInt32(%s) - toUInt32(since_)) / (365.25 * 86400) / 5, 1) + 25 * least(renewals_ / 3, 1)
      + 25 * least(active_ / 3, 1) + 25 * cross_ AS loyalty
  FROM (SELECT customer_id, max(t_) AS tenant_, max(phone) AS phone_, max(since) AS since_, max(blacklisted) AS blacklisted_,
      sum(active) AS active_, sum(renewed) AS renewals_, toUInt8(max(life) = 1 AND max(prop) = 1) AS cross_, sum(premium) AS premium_,
      sum(claim) AS claims_, sum(paid) AS paid_, sum(sat_n) AS sat_n_, sum(sat_sum) AS sat_sum_, sum(complaint) AS complaints_, max(is_customer) AS known_
    FROM (
      SELECT customer_id, toString(any(tenant)) AS t_, argMax(phone, updated_ms) AS phone, argMax(customer_since, updated_ms) AS since,
          argMax(blacklisted, updated_ms) AS blacklisted, materialize(toUInt32(0)) AS active, materialize(toUInt32(0)) AS renewed, materialize(toUInt8(0)) AS life, materialize(toUInt8(0)) AS prop,
          materialize(toFloat64(0)) AS premium, materialize(toUInt32(0)) AS claim, materialize(toFloat64(0)) AS paid, materialize(toUInt32(0)) AS sat_n, materialize(toFloat64(0)) AS sat_sum, materialize(toUInt32(0)) AS complaint, materialize(toUInt8(1)) AS is_customer
        FROM customers WHERE occurred_at <= %s AND %s GROUP BY customer_id
      UNION ALL
      SELECT customer_id, materialize('') AS t_, materialize('') AS phone, materialize(toDateTime(0)) AS since, materialize(toUInt8(0)) AS blacklisted,
          toUInt32(st = 'active') AS active, toUInt32(st = 'active' AND rf != '') AS renewed,
          toUInt8(st = 'active' AND ln IN ('life', 'health')) AS life, toUInt8(st = 'active' AND ln NOT IN ('life', 'health')) AS prop,
          if(st = 'active', pr, 0) AS premium, materialize(toUInt32(0)) AS claim, materialize(toFloat64(0)) AS paid, materialize(toUInt32(0)) AS sat_n, materialize(toFloat64(0)) AS sat_sum, materialize(toUInt32(0)) AS complaint, materialize(toUInt8(0)) AS is_customer
        FROM (SELECT customer_id, argMax(status, updated_ms) AS st, argMax(renewed_from, updated_ms) AS rf, toString(argMax(line, updated_ms)) AS ln,
            argMax(premium, updated_ms) AS pr FROM policies WHERE occurred_at <= %s AND %s GROUP BY customer_id, policy_id)
      UNION ALL
      SELECT customer_id, materialize('') AS t_, materialize('') AS phone, materialize(toDateTime(0)) AS since, materialize(toUInt8(0)) AS blacklisted, materialize(toUInt32(0)) AS active, materialize(toUInt32(0)) AS renewed,
          materialize(toUInt8(0)) AS life, materialize(toUInt8(0)) AS prop, materialize(toFloat64(0)) AS premium, materialize(toUInt32(1)) AS claim, pd AS paid,
          materialize(toUInt32(0)) AS sat_n, materialize(toFloat64(0)) AS sat_sum, materialize(toUInt32(0)) AS complaint, materialize(toUInt8(0)) AS is_customer
        FROM (SELECT customer_id, argMax(amount_paid, updated_ms) AS pd, min(reported_at) AS rep FROM claims WHERE occurred_at <= %s AND %s
            GROUP BY customer_id, claim_id) WHERE rep >= %s
      UNION ALL
      SELECT customer_id, materialize('') AS t_, materialize('') AS phone, materialize(toDateTime(0)) AS since, materialize(toUInt8(0)) AS blacklisted, materialize(toUInt32(0)) AS active, materialize(toUInt32(0)) AS renewed,
          materialize(toUInt8(0)) AS life, materialize(toUInt8(0)) AS prop, materialize(toFloat64(0)) AS premium, materialize(toUInt32(0)) AS claim, materialize(toFloat64(0)) AS paid,
          materialize(toUInt32(1)) AS sat_n, (toFloat64(assumeNotNull(csat)) - 1) * 25 AS sat_sum, materialize(toUInt32(0)) AS complaint, materialize(toUInt8(0)) AS is_customer
        FROM survey_responses WHERE isNotNull(csat) AND occurred_at > %s AND occurred_at <= %s AND %s
      UNION ALL
      SELECT customer_id, materialize('') AS t_, materialize('') AS phone, materialize(toDateTime(0)) AS since, materialize(toUInt8(0)) AS blacklisted, materialize(toUInt32(0)) AS active, materialize(toUInt32(0)) AS renewed,
          materialize(toUInt8(0)) AS life, materialize(toUInt8(0)) AS prop, materialize(toFloat64(0)) AS premium, materialize(toUInt32(0)) AS claim, materialize(toFloat64(0)) AS paid,
          materialize(toUInt32(0)) AS sat_n, materialize(toFloat64(0)) AS sat_sum, materialize(toUInt32(1)) AS complaint, materialize(toUInt8(0)) AS is_customer
        FROM complaints WHERE stage = 'registered' AND registered_at > %s AND registered_at <= %s AND %s
    )
    GROUP BY customer_id HAVING known_ = 1)`,
		s.NeutralSatisfaction, a,
		a, tcond, a, tcond, a, tcond, lb, lb, a, tcond, lb, a, tcond)
}

func tenantCond(tenant string) string {
	if tenant == "" {
		return "1"
	}
	return "tenant = " + quote(tenant)
}

func at(t time.Time) string { return fmt.Sprintf("toDateTime(%d)", t.Unix()) }

// SegmentSQL assigns quadrants and flags with the given cut-offs (satisfaction, loyalty).
func SegmentSQL(s SegmentSettings, asOf time.Time, tenant string, satCut, loyCut float64) string {
	return segmentSQL(s, at(asOf), tenantCond(tenant), fmt.Sprint(satCut), fmt.Sprint(loyCut))
}

func segmentSQL(s SegmentSettings, asOf, tcond, satCut, loyCut string) string {
	return fmt.Sprintf(`SELECT customer_id, tenant, phone, satisfaction, loyalty,
    multiIf(satisfaction >= %[1]v AND loyalty >= %[2]v, 'loyal', satisfaction >= %[1]v, 'mercenary', loyalty >= %[2]v, 'hostage', 'at_risk') AS quadrant,
    blacklisted, toUInt8(claims >= %[3]d) AS frequent_claims, toUInt8(paid > 0 AND paid > %[4]v * premium) AS high_loss_ratio,
    surveys, complaints, claims, active_policies, if(premium > 0, paid / premium, 0) AS loss_ratio
  FROM (%[5]s)`, satCut, loyCut, s.FrequentClaims, s.HighLossRatio, segmentScoresSQL(s, asOf, tcond))
}

// Cuts returns the cut-offs in force: the settings', or the book's medians.
func (e *Engine) Cuts(ctx context.Context, asOf time.Time, tenant string) (sat, loy float64, err error) {
	s := e.Settings.Segments
	if !s.UseMedians {
		return s.SatisfactionCut, s.LoyaltyCut, nil
	}
	q := "SELECT quantileExact(0.5)(satisfaction), quantileExact(0.5)(loyalty) FROM (" + segmentScoresSQL(s, at(asOf), tenantCond(tenant)) + ")"
	if err := e.Conn.QueryRow(ctx, q).Scan(&sat, &loy); err != nil {
		return 0, 0, fmt.Errorf("computing segment medians: %w", err)
	}
	return sat, loy, nil
}

// SegmentFilter narrows a segment list.
type SegmentFilter struct {
	Quadrant         string // "" = all
	IncludeBlacklist bool   // blacklisted customers are excluded unless asked for
	ExcludeFlagged   bool   // drop frequent-claim and high-loss customers
	Limit            int    // 0 = no limit
}

// Segment lists customers with their quadrant as of asOf.
func (e *Engine) Segment(ctx context.Context, asOf time.Time, tenant string, f SegmentFilter) ([]CustomerSegment, error) {
	if f.Quadrant != "" && !contains(Quadrants, f.Quadrant) {
		return nil, fmt.Errorf("segment: quadrant %q is not one of %v", f.Quadrant, Quadrants)
	}
	sat, loy, err := e.Cuts(ctx, asOf, tenant)
	if err != nil {
		return nil, err
	}
	q := "SELECT customer_id, tenant, phone, satisfaction, loyalty, quadrant, blacklisted, frequent_claims, high_loss_ratio, surveys, complaints, claims, active_policies, loss_ratio FROM (" +
		SegmentSQL(e.Settings.Segments, asOf, tenant, sat, loy) + ") WHERE 1"
	if f.Quadrant != "" {
		q += " AND quadrant = " + quote(f.Quadrant)
	}
	if !f.IncludeBlacklist {
		q += " AND blacklisted = 0"
	}
	if f.ExcludeFlagged {
		q += " AND frequent_claims = 0 AND high_loss_ratio = 0"
	}
	q += " ORDER BY customer_id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := e.Conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("segmenting: %w", err)
	}
	defer rows.Close()
	var out []CustomerSegment
	for rows.Next() {
		var c CustomerSegment
		var bl, fc, hl uint8
		var sv, cp, cl, ap uint64
		if err := rows.Scan(&c.Customer, &c.Tenant, &c.Phone, &c.Satisfaction, &c.Loyalty, &c.Quadrant, &bl, &fc, &hl, &sv, &cp, &cl, &ap, &c.LossRatio); err != nil {
			return nil, fmt.Errorf("reading segment: %w", err)
		}
		c.Blacklisted, c.FrequentClaims, c.HighLossRatio = bl == 1, fc == 1, hl == 1
		c.Surveys, c.Complaints, c.Claims, c.ActivePolicies = int(sv), int(cp), int(cl), int(ap)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Movement is how many customers moved from one quadrant to another between two dates.
type Movement struct {
	From, To string
	Count    uint64
}

// Movements compares quadrants as of two dates (customers known at both); cut-offs are the
// settings' (or each date's medians).
func (e *Engine) Movements(ctx context.Context, before, after time.Time, tenant string) ([]Movement, error) {
	s1, l1, err := e.Cuts(ctx, before, tenant)
	if err != nil {
		return nil, err
	}
	s2, l2, err := e.Cuts(ctx, after, tenant)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT q_from, q_to, count() FROM (SELECT customer_id, quadrant AS q_from FROM (%s)) AS before
  ALL INNER JOIN (SELECT customer_id, quadrant AS q_to FROM (%s)) AS after USING customer_id
  GROUP BY q_from, q_to ORDER BY q_from, q_to`,
		SegmentSQL(e.Settings.Segments, before, tenant, s1, l1), SegmentSQL(e.Settings.Segments, after, tenant, s2, l2))
	rows, err := e.Conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("quadrant movements: %w", err)
	}
	defer rows.Close()
	var out []Movement
	for rows.Next() {
		var m Movement
		if err := rows.Scan(&m.From, &m.To, &m.Count); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// QuadrantSizes counts customers per quadrant as of asOf (blacklisted included).
func (e *Engine) QuadrantSizes(ctx context.Context, asOf time.Time, tenant string) (map[string]uint64, error) {
	sat, loy, err := e.Cuts(ctx, asOf, tenant)
	if err != nil {
		return nil, err
	}
	rows, err := e.Conn.Query(ctx, "SELECT quadrant, count() FROM ("+SegmentSQL(e.Settings.Segments, asOf, tenant, sat, loy)+") GROUP BY quadrant")
	if err != nil {
		return nil, fmt.Errorf("quadrant sizes: %w", err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var q string
		var n uint64
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		out[q] = n
	}
	return out, rows.Err()
}

// cutsSQL are the cut-offs as SQL: the settings' numbers, or the book's medians as scalar
// subqueries (for dashboards, where hotline cannot compute them first).
func cutsSQL(s SegmentSettings, asOf, tcond string) (string, string) {
	if !s.UseMedians {
		return fmt.Sprint(s.SatisfactionCut), fmt.Sprint(s.LoyaltyCut)
	}
	scores := segmentScoresSQL(s, asOf, tcond)
	return "(SELECT quantileExact(0.5)(satisfaction) FROM (" + scores + "))", "(SELECT quantileExact(0.5)(loyalty) FROM (" + scores + "))"
}

func dialectTenant(d Dialect) string {
	if c := d.Cond(DimTenant, "tenant", false); c != "" {
		return c
	}
	return "1"
}

// QuadrantSizesSQL counts customers per quadrant as of the period's end.
func QuadrantSizesSQL(d Dialect, s Settings) string {
	tc := dialectTenant(d)
	sc, lc := cutsSQL(s.Segments, d.ToSQL(), tc)
	return "SELECT quadrant, count() AS `Customers` FROM (" + segmentSQL(s.Segments, d.ToSQL(), tc, sc, lc) + ") GROUP BY quadrant ORDER BY quadrant"
}

// SegmentFlagsSQL counts flagged customers as of the period's end.
func SegmentFlagsSQL(d Dialect, s Settings) string {
	tc := dialectTenant(d)
	sc, lc := cutsSQL(s.Segments, d.ToSQL(), tc)
	return "SELECT quadrant, countIf(blacklisted = 1) AS `Blacklisted`, countIf(frequent_claims = 1) AS `Frequent claims`, " +
		"countIf(high_loss_ratio = 1) AS `High loss ratio`, avg(satisfaction) AS `Mean satisfaction`, avg(loyalty) AS `Mean loyalty` FROM (" +
		segmentSQL(s.Segments, d.ToSQL(), tc, sc, lc) + ") GROUP BY quadrant ORDER BY quadrant"
}

// QuadrantMovementsSQL counts customers moving between quadrants from the period's start to its end.
func QuadrantMovementsSQL(d Dialect, s Settings) string {
	tc := dialectTenant(d)
	s1, l1 := cutsSQL(s.Segments, d.FromSQL(), tc)
	s2, l2 := cutsSQL(s.Segments, d.ToSQL(), tc)
	return fmt.Sprintf(`SELECT q_from AS `+"`From`"+`, q_to AS `+"`To`"+`, count() AS `+"`Customers`"+` FROM (SELECT customer_id, quadrant AS q_from FROM (%s)) AS before
  ALL INNER JOIN (SELECT customer_id, quadrant AS q_to FROM (%s)) AS after USING customer_id
  GROUP BY q_from, q_to ORDER BY q_from, q_to`,
		segmentSQL(s.Segments, d.FromSQL(), tc, s1, l1), segmentSQL(s.Segments, d.ToSQL(), tc, s2, l2))
}
