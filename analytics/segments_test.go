package analytics

import (
	"context"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

// refSegments is the plain Go segmentation of the fixture, as of asOf.
func refSegments(f *chtest.Fixture, s SegmentSettings, asOf time.Time, tenant string, useMedians bool) map[string]CustomerSegment {
	lb := asOf.AddDate(0, 0, -s.LookbackDays)
	ok := func(t string) bool { return tenant == "" || t == tenant }
	type acc struct {
		seg                         CustomerSegment
		since                       time.Time
		renewals, active            float64
		life, prop                  bool
		premium, paid, satSum, satN float64
	}
	m := map[string]*acc{}
	for _, c := range f.Customers {
		if !c.At.After(asOf) && ok(c.Tenant) {
			m[c.Customer] = &acc{seg: CustomerSegment{Customer: c.Customer, Tenant: c.Tenant, Phone: c.Phone, Blacklisted: c.Blacklisted}, since: c.Since}
		}
	}
	for _, p := range latestPolicies(f, asOf) {
		a := m[p.Customer]
		if a == nil || !ok(p.Tenant) || p.Status != "active" {
			continue
		}
		a.active++
		if p.RenewedFrom != "" {
			a.renewals++
		}
		if p.Line == "life" || p.Line == "health" {
			a.life = true
		} else {
			a.prop = true
		}
		a.premium += p.Premium
	}
	latest := map[string]chtest.Claim{}
	for _, c := range f.Claims {
		if c.At.After(asOf) || !ok(c.Tenant) {
			continue
		}
		if o, seen := latest[c.Claim]; !seen || c.At.After(o.At) {
			latest[c.Claim] = c
		}
	}
	for _, c := range latest {
		if a := m[c.Customer]; a != nil && !c.Reported.Before(lb) {
			a.seg.Claims++
			a.paid += c.Paid
		}
	}
	for _, sv := range f.Surveys {
		if a := m[sv.Customer]; a != nil && sv.CSAT != nil && sv.At.After(lb) && !sv.At.After(asOf) && ok(sv.Tenant) {
			a.satN++
			a.satSum += (float64(*sv.CSAT) - 1) * 25
		}
	}
	for _, c := range f.Complaints {
		if a := m[c.Customer]; a != nil && c.Stage == "registered" && c.Registered.After(lb) && !c.Registered.After(asOf) && ok(c.Tenant) {
			a.seg.Complaints++
		}
	}
	var sats, loys []float64
	for _, a := range m {
		n := a.satN + float64(a.seg.Complaints)
		a.seg.Satisfaction = s.NeutralSatisfaction
		if n > 0 {
			a.seg.Satisfaction = a.satSum / n
		}
		tenure := float64(asOf.Unix()-a.since.Unix()) / (365.25 * 86400) / 5
		cross := 0.0
		if a.life && a.prop {
			cross = 1
		}
		a.seg.Loyalty = 25*math.Min(tenure, 1) + 25*math.Min(a.renewals/3, 1) + 25*math.Min(a.active/3, 1) + 25*cross
		a.seg.FrequentClaims = a.seg.Claims >= s.FrequentClaims
		a.seg.HighLossRatio = a.paid > 0 && a.paid > s.HighLossRatio*a.premium
		a.seg.ActivePolicies, a.seg.Surveys = int(a.active), int(a.satN)
		sats, loys = append(sats, a.seg.Satisfaction), append(loys, a.seg.Loyalty)
	}
	satCut, loyCut := s.SatisfactionCut, s.LoyaltyCut
	if useMedians {
		sort.Float64s(sats)
		sort.Float64s(loys)
		satCut, loyCut = sats[len(sats)/2], loys[len(loys)/2] // quantileExact(0.5): element at floor(0.5*n)
	}
	out := map[string]CustomerSegment{}
	for id, a := range m {
		hs, hl := a.seg.Satisfaction >= satCut, a.seg.Loyalty >= loyCut
		switch {
		case hs && hl:
			a.seg.Quadrant = QuadrantLoyal
		case hs:
			a.seg.Quadrant = QuadrantMercenary
		case hl:
			a.seg.Quadrant = QuadrantHostage
		default:
			a.seg.Quadrant = QuadrantAtRisk
		}
		out[id] = a.seg
	}
	return out
}

func TestSegmentsMatchIndependentComputation(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(11)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		tenant  string
		asOf    time.Time
		medians bool
		mod     func(*SegmentSettings)
	}{
		{"fixed cuts, end of period", "", f.End, false, nil},
		{"medians, tenant t2", "t2", f.End, true, nil},
		{"start of period, strict flags", "", f.Start.AddDate(0, 0, 7), false, func(s *SegmentSettings) { s.FrequentClaims = 2; s.HighLossRatio = 0.3; s.SatisfactionCut = 55 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Segments.UseMedians = tc.medians
			if tc.mod != nil {
				tc.mod(&s.Segments)
			}
			e := &Engine{Conn: conn, Settings: s}
			got, err := e.Segment(ctx, tc.asOf, tc.tenant, SegmentFilter{IncludeBlacklist: true})
			if err != nil {
				t.Fatal(err)
			}
			want := refSegments(f, s.Segments, tc.asOf, tc.tenant, tc.medians)
			if len(got) != len(want) {
				t.Fatalf("%d customers segmented, want %d", len(got), len(want))
			}
			quads, flags := map[string]int{}, 0
			for _, g := range got {
				w, ok := want[g.Customer]
				if !ok {
					t.Errorf("%s: not expected", g.Customer)
					continue
				}
				if g.Quadrant != w.Quadrant || !close(g.Satisfaction, w.Satisfaction) || !close(g.Loyalty, w.Loyalty) ||
					g.Blacklisted != w.Blacklisted || g.FrequentClaims != w.FrequentClaims || g.HighLossRatio != w.HighLossRatio ||
					g.Claims != w.Claims || g.Complaints != w.Complaints || g.Surveys != w.Surveys {
					t.Errorf("%s:\n SQL %+v\n Go  %+v", g.Customer, g, w)
				}
				quads[g.Quadrant]++
				if g.FrequentClaims || g.HighLossRatio || g.Blacklisted {
					flags++
				}
			}
			if len(quads) < 3 || flags == 0 {
				t.Errorf("fixture too uniform: quadrants %v, %d flagged", quads, flags)
			}
			sizes, err := e.QuadrantSizes(ctx, tc.asOf, tc.tenant)
			if err != nil {
				t.Fatal(err)
			}
			for q, n := range quads {
				if sizes[q] != uint64(n) {
					t.Errorf("quadrant %s: size %d, list has %d", q, sizes[q], n)
				}
			}
			// Blacklisted customers leave the default list.
			def, err := e.Segment(ctx, tc.asOf, tc.tenant, SegmentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range def {
				if c.Blacklisted {
					t.Errorf("%s is blacklisted but listed", c.Customer)
				}
			}
		})
	}
	t.Run("movements", func(t *testing.T) {
		s := DefaultSettings()
		e := &Engine{Conn: conn, Settings: s}
		a, b := f.Start, f.End
		got, err := e.Movements(ctx, a, b, "")
		if err != nil {
			t.Fatal(err)
		}
		before, after := refSegments(f, s.Segments, a, "", false), refSegments(f, s.Segments, b, "", false)
		want := map[[2]string]uint64{}
		for id, x := range before {
			if y, ok := after[id]; ok {
				want[[2]string{x.Quadrant, y.Quadrant}]++
			}
		}
		moved := 0
		for _, m := range got {
			if want[[2]string{m.From, m.To}] != m.Count {
				t.Errorf("%s → %s: SQL %d, Go %d", m.From, m.To, m.Count, want[[2]string{m.From, m.To}])
			}
			delete(want, [2]string{m.From, m.To})
			if m.From != m.To {
				moved += int(m.Count)
			}
		}
		if len(want) > 0 {
			t.Errorf("movements missing from SQL: %v", want)
		}
		if moved == 0 {
			t.Error("no customer changed quadrant: the fixture does not exercise movements")
		}
	})
}
