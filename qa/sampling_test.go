package qa

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

var week19 = time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC) // ISO week 2026-W19

// calls makes n plain candidates of one agent and line.
func calls(agent, line string, n int, from int) []Candidate {
	var out []Candidate
	for i := range n {
		out = append(out, Candidate{CallID: fmt.Sprintf("%s-%s-%03d", agent, line, from+i), Agent: agent, Line: line, HandleSec: 300})
	}
	return out
}

func countBy(as []Assignment, key func(Assignment) string) map[string]int {
	m := map[string]int{}
	for _, a := range as {
		m[key(a)]++
	}
	return m
}

func TestSamplingStratifiedQuota(t *testing.T) {
	cfg := DefaultSamplingConfig()
	cfg.WeeklyQuota = 10
	s, _ := NewSampler(cfg)
	var cands []Candidate
	cands = append(cands, calls("ag1", "inquiry", 60, 0)...)
	cands = append(cands, calls("ag1", "claims_report", 30, 0)...)
	cands = append(cands, calls("ag1", "consultation", 10, 0)...)
	cands = append(cands, calls("ag2", "inquiry", 3, 0)...) // fewer calls than the quota
	got, err := s.Plan(context.Background(), week19, cands, nil, []string{"qa1", "qa2"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	perAgent := countBy(got, func(a Assignment) string { return a.Agent })
	if perAgent["ag1"] != 10 || perAgent["ag2"] != 3 {
		t.Errorf("per agent %v, want ag1 10 (quota) and ag2 3 (all it has)", perAgent)
	}
	// No rule matches plain calls: 10 random picks in proportion 60:30:10.
	strata := countBy(got, func(a Assignment) string {
		if a.Agent != "ag1" {
			return "other"
		}
		return a.Reason
	})
	if strata["random:inquiry"] != 6 || strata["random:claims_report"] != 3 || strata["random:consultation"] != 1 {
		t.Errorf("strata %v, want 6/3/1", strata)
	}
	// Load is balanced over evaluators and queues hold the picks.
	if q1, q2 := len(s.Queue("qa1")), len(s.Queue("qa2")); q1+q2 != 13 || q1-q2 > 1 || q2-q1 > 1 {
		t.Errorf("queues %d and %d", q1, q2)
	}
	// A second plan in the same week adds nothing: quotas are used, and no call is assigned twice.
	more, _ := s.Plan(context.Background(), week19.Add(24*time.Hour), cands, nil, []string{"qa1", "qa2"}, 2)
	if len(more) != 0 {
		t.Errorf("second plan in the week assigned %d", len(more))
	}
	// Next week: new quota, never a call already assigned.
	next, _ := s.Plan(context.Background(), week19.Add(7*24*time.Hour), cands, nil, []string{"qa1"}, 3)
	seen := map[string]bool{}
	for _, a := range got {
		seen[a.CallID] = true
	}
	for _, a := range next {
		if seen[a.CallID] {
			t.Errorf("call %s assigned twice", a.CallID)
		}
	}
	if len(next) != 10 {
		t.Errorf("next week assigned %d, want 10 (ag2 has no calls left)", len(next))
	}
}

func TestSamplingRules(t *testing.T) {
	cfg := DefaultSamplingConfig()
	cfg.WeeklyQuota = 6 // up to 3 targeted
	s, _ := NewSampler(cfg)
	base := calls("ag1", "inquiry", 40, 0)
	base[0].Complaint = true
	base[1].CSAT = 1
	base[2].CSAT = 4 // a good score is not a rule match
	base[3].LongestSilenceSec = 25
	base[4].OvertalkRatio = 0.2
	base[5].Transferred = true
	base[6].HandleSec = 3000 // mean ~367, sd ~420: z ~6.3
	evaluated := map[string]bool{base[7].CallID: true}
	base[7].Complaint = true // already evaluated: never picked
	got, err := s.Plan(context.Background(), week19, base, evaluated, []string{"qa1"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	reasons := countBy(got, func(a Assignment) string { return a.Reason })
	// Rules in priority order fill the targeted half: complaint, low CSAT, long silence.
	if reasons["rule:complaint"] != 1 || reasons["rule:low_csat"] != 1 || reasons["rule:long_silence"] != 1 || reasons["random:inquiry"] != 3 {
		t.Errorf("reasons %v", reasons)
	}
	for _, a := range got {
		if a.CallID == base[7].CallID {
			t.Error("an evaluated call was sampled")
		}
	}
	// With a bigger targeted share every rule shows up, including the AHT outlier.
	cfg.TargetedShare = 1
	cfg.WeeklyQuota = 7
	s2, _ := NewSampler(cfg)
	got, _ = s2.Plan(context.Background(), week19, base, evaluated, []string{"qa1"}, 5)
	reasons = countBy(got, func(a Assignment) string { return a.Reason })
	for _, r := range []string{"complaint", "low_csat", "long_silence", "high_overtalk", "aht_outlier", "transfer"} {
		if reasons["rule:"+r] != 1 {
			t.Errorf("rule %s picked %d, want 1 (%v)", r, reasons["rule:"+r], reasons)
		}
	}
}

func TestSamplingNewAgentsAndCompletion(t *testing.T) {
	s, _ := NewSampler(DefaultSamplingConfig())
	cands := append(calls("old", "inquiry", 20, 0), calls("new", "inquiry", 20, 0)...)
	for i := range cands {
		cands[i].NewAgent = cands[i].Agent == "new"
	}
	got, _ := s.Plan(context.Background(), week19, cands, nil, []string{"qa1"}, 9)
	per := countBy(got, func(a Assignment) string { return a.Agent })
	if per["old"] != 4 || per["new"] != 8 {
		t.Errorf("per agent %v, want old 4, new 8", per)
	}
	s.Complete(Evaluation{ID: "e1", CallID: got[0].CallID})
	if q := s.Queue("qa1"); len(q) != 11 {
		t.Errorf("queue after one evaluation: %d, want 11", len(q))
	}
	if a, _ := s.Assignment(got[0].CallID); a.EvaluationID != "e1" || !strings.HasPrefix(a.Week, "2026-W19") {
		t.Errorf("completed assignment %+v", a)
	}
	// Same inputs and seed, same plan.
	s3, _ := NewSampler(DefaultSamplingConfig())
	again, _ := s3.Plan(context.Background(), week19, cands, nil, []string{"qa1"}, 9)
	for i := range got {
		if got[i].CallID != again[i].CallID {
			t.Fatal("plan is not reproducible from its seed")
		}
	}
}
