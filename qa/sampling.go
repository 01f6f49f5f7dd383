package qa

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Candidate is an answered, recorded call the sampler may pick, with what the targeted rules
// look at (from the call record, survey, complaint and audio analysis).
type Candidate struct {
	CallID      string    `json:"call_id"`
	RecordingID string    `json:"recording_id,omitempty"`
	Agent       string    `json:"agent_id"`
	Line        string    `json:"business_line"`
	AnsweredAt  time.Time `json:"answered_at"`
	HandleSec   float64   `json:"handle_sec"` // talk + hold + wrap-up
	Transferred bool      `json:"transferred,omitempty"`
	Complaint   bool      `json:"complaint,omitempty"` // a complaint was filed about or on this call
	CSAT        int       `json:"csat,omitempty"`      // survey score 1..5, 0 unknown
	NewAgent    bool      `json:"new_agent,omitempty"` // agent in their first weeks
	// From the recording analysis (0 if not analysed).
	LongestSilenceSec float64 `json:"longest_silence_sec,omitempty"`
	OvertalkRatio     float64 `json:"overtalk_ratio,omitempty"`
}

// SamplingConfig sets weekly quotas and the targeted rules. Targeted picks are capped at a
// share of the quota so that the random, stratified part keeps the sample representative.
type SamplingConfig struct {
	WeeklyQuota   int     `yaml:"weekly_quota"`    // calls per agent per week
	NewAgentQuota int     `yaml:"new_agent_quota"` // calls per new agent per week
	TargetedShare float64 `yaml:"targeted_share"`  // at most this share of a quota comes from rules
	// Rule thresholds; a zero disables the rule.
	LowCSATMax        int     `yaml:"low_csat_max"`        // CSAT at or below this
	LongSilenceSec    float64 `yaml:"long_silence_sec"`    // a silence at least this long
	HighOvertalkRatio float64 `yaml:"high_overtalk_ratio"` // overtalk share of the call at least this
	AHTOutlierZ       float64 `yaml:"aht_outlier_z"`       // handle time this many std devs above its line's mean
	Complaints        bool    `yaml:"complaints"`
	Transfers         bool    `yaml:"transfers"`
}

// DefaultSamplingConfig: 4 calls per agent a week, 8 for new agents, half may be targeted.
func DefaultSamplingConfig() SamplingConfig {
	return SamplingConfig{WeeklyQuota: 4, NewAgentQuota: 8, TargetedShare: 0.5, LowCSATMax: 2, LongSilenceSec: 20,
		HighOvertalkRatio: 0.1, AHTOutlierZ: 2, Complaints: true, Transfers: true}
}

// Validate names the first bad setting.
func (c SamplingConfig) Validate() error {
	switch {
	case c.WeeklyQuota < 0 || c.NewAgentQuota < 0:
		return errors.New("qa.sampling: quotas must not be negative")
	case c.TargetedShare < 0 || c.TargetedShare > 1:
		return fmt.Errorf("qa.sampling.targeted_share: %v is outside 0..1", c.TargetedShare)
	case c.LowCSATMax < 0 || c.LowCSATMax > 5:
		return fmt.Errorf("qa.sampling.low_csat_max: %d is outside 0..5", c.LowCSATMax)
	}
	return nil
}

// Assignment is a call queued for an evaluator.
type Assignment struct {
	ID           string    `json:"id"`
	CallID       string    `json:"call_id"`
	RecordingID  string    `json:"recording_id,omitempty"`
	Agent        string    `json:"agent_id"`
	Line         string    `json:"business_line"`
	Evaluator    string    `json:"evaluator"`
	Reason       string    `json:"reason"` // rule:<name> or random:<business line>
	Week         string    `json:"week"`   // ISO week, 2026-W19
	AssignedAt   time.Time `json:"assigned_at"`
	EvaluationID string    `json:"evaluation_id,omitempty"` // set when done
}

// Sampler picks calls to evaluate and keeps each evaluator's queue. A call is assigned at most
// once and never if it already has an evaluation (calibration sessions are separate).
type Sampler struct {
	cfg   SamplingConfig
	state *statedb.DB // where plans are kept (statestore.go); nil: memory only

	mu     sync.Mutex
	byCall map[string]*Assignment
	order  []string
}

// NewSampler builds a sampler.
func NewSampler(cfg SamplingConfig) (*Sampler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sampler{cfg: cfg, byCall: map[string]*Assignment{}}, nil
}

type rule struct {
	name  string
	match func(Candidate) bool
}

func (s *Sampler) rules(cands []Candidate) []rule {
	c := s.cfg
	var rs []rule
	if c.Complaints {
		rs = append(rs, rule{"complaint", func(x Candidate) bool { return x.Complaint }})
	}
	if c.LowCSATMax > 0 {
		rs = append(rs, rule{"low_csat", func(x Candidate) bool { return x.CSAT > 0 && x.CSAT <= c.LowCSATMax }})
	}
	if c.LongSilenceSec > 0 {
		rs = append(rs, rule{"long_silence", func(x Candidate) bool { return x.LongestSilenceSec >= c.LongSilenceSec }})
	}
	if c.HighOvertalkRatio > 0 {
		rs = append(rs, rule{"high_overtalk", func(x Candidate) bool { return x.OvertalkRatio >= c.HighOvertalkRatio }})
	}
	if c.AHTOutlierZ > 0 {
		// Mean and std dev of handle time per business line over all of the week's candidates.
		type acc struct{ n, sum, sum2 float64 }
		by := map[string]*acc{}
		for _, x := range cands {
			a := by[x.Line]
			if a == nil {
				a = &acc{}
				by[x.Line] = a
			}
			a.n, a.sum, a.sum2 = a.n+1, a.sum+x.HandleSec, a.sum2+x.HandleSec*x.HandleSec
		}
		rs = append(rs, rule{"aht_outlier", func(x Candidate) bool {
			a := by[x.Line]
			if a == nil || a.n < 10 { // too few calls for a spread that means anything
				return false
			}
			mean := a.sum / a.n
			sd := math.Sqrt(max(a.sum2/a.n-mean*mean, 0))
			return sd > 0 && x.HandleSec > mean+c.AHTOutlierZ*sd
		}})
	}
	if c.Transfers {
		rs = append(rs, rule{"transfer", func(x Candidate) bool { return x.Transferred }})
	}
	return rs
}

// Plan samples the week's candidates per agent and queues the picks on the evaluators, least
// loaded first. evaluated holds calls that already have an evaluation. The same inputs and seed
// give the same plan. A plan is kept whole or not at all.
func (s *Sampler) Plan(ctx context.Context, now time.Time, cands []Candidate, evaluated map[string]bool, evaluators []string, seed int64) ([]Assignment, error) {
	if len(evaluators) == 0 {
		return nil, errors.New("planning QA sample: no evaluators")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	rules := s.rules(cands)
	byAgent := map[string][]Candidate{}
	newAgent := map[string]bool{}
	seen := map[string]bool{} // a call listed twice is still assigned once
	for _, c := range cands {
		if evaluated[c.CallID] || s.byCall[c.CallID] != nil || seen[c.CallID] {
			continue
		}
		seen[c.CallID] = true
		byAgent[c.Agent] = append(byAgent[c.Agent], c)
		newAgent[c.Agent] = newAgent[c.Agent] || c.NewAgent
	}
	// Quota already used this week by earlier plans.
	y, w := now.ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	used := map[string]int{}
	load := map[string]int{}
	for _, id := range s.order {
		a := s.byCall[id]
		if a.Week == week {
			used[a.Agent]++
		}
		if a.EvaluationID == "" {
			load[a.Evaluator]++
		}
	}
	var planned []*Assignment
	for _, agent := range sortedKeys(byAgent) {
		pool := byAgent[agent]
		sort.Slice(pool, func(i, j int) bool { return pool[i].CallID < pool[j].CallID })
		quota := s.cfg.WeeklyQuota
		if newAgent[agent] {
			quota = s.cfg.NewAgentQuota
		}
		quota -= used[agent]
		if quota <= 0 {
			continue
		}
		picks := pickCalls(pool, quota, int(math.Floor(float64(quota)*s.cfg.TargetedShare)), rules, rng)
		for _, p := range picks {
			ev := slices.MinFunc(evaluators, func(a, b string) int {
				if load[a] != load[b] {
					return load[a] - load[b]
				}
				return cmp.Compare(a, b)
			})
			load[ev]++
			planned = append(planned, &Assignment{ID: uuid.NewString(), CallID: p.c.CallID, RecordingID: p.c.RecordingID, Agent: agent, Line: p.c.Line,
				Evaluator: ev, Reason: p.reason, Week: week, AssignedAt: now})
		}
	}
	if err := s.saveAssignmentsLocked(ctx, planned); err != nil {
		return nil, err
	}
	out := make([]Assignment, 0, len(planned))
	for _, a := range planned {
		s.byCall[a.CallID] = a
		s.order = append(s.order, a.CallID)
		out = append(out, *a)
	}
	return out, nil
}

type pick struct {
	c      Candidate
	reason string
}

// pickCalls takes up to targetedCap calls by rule (rules in priority order, random within a
// rule), then fills the quota by stratified random sampling over business lines: each line gets
// a share of the remaining quota proportional to its calls (largest remainder), and lines with
// too few calls hand their share to the others.
func pickCalls(pool []Candidate, quota, targetedCap int, rules []rule, rng *rand.Rand) []pick {
	taken := map[string]bool{}
	var out []pick
	for _, r := range rules {
		if len(out) >= targetedCap {
			break
		}
		var m []Candidate
		for _, c := range pool {
			if !taken[c.CallID] && r.match(c) {
				m = append(m, c)
			}
		}
		rng.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
		for _, c := range m {
			if len(out) >= targetedCap {
				break
			}
			taken[c.CallID] = true
			out = append(out, pick{c, "rule:" + r.name})
		}
	}
	strata := map[string][]Candidate{}
	left := 0
	for _, c := range pool {
		if !taken[c.CallID] {
			strata[c.Line] = append(strata[c.Line], c)
			left++
		}
	}
	want := min(quota-len(out), left)
	if want <= 0 {
		return out
	}
	lines := sortedKeys(strata)
	alloc := map[string]int{}
	type rem struct {
		line string
		frac float64
	}
	var rems []rem
	given := 0
	for _, l := range lines {
		exact := float64(want) * float64(len(strata[l])) / float64(left)
		alloc[l] = int(exact)
		given += alloc[l]
		rems = append(rems, rem{l, exact - float64(alloc[l])})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
	for i := 0; given < want; i++ {
		alloc[rems[i%len(rems)].line]++
		given++
	}
	for _, l := range lines {
		s := strata[l]
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		for _, c := range s[:min(alloc[l], len(s))] {
			taken[c.CallID] = true
			out = append(out, pick{c, "random:" + l})
		}
	}
	return out
}

// Queue returns an evaluator's open assignments, oldest first.
func (s *Sampler) Queue(evaluator string) []Assignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Assignment
	for _, id := range s.order {
		if a := s.byCall[id]; a.Evaluator == evaluator && a.EvaluationID == "" {
			out = append(out, *a)
		}
	}
	return out
}

// Assignment returns the assignment of a call.
func (s *Sampler) Assignment(callID string) (Assignment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byCall[callID]
	if !ok {
		return Assignment{}, false
	}
	return *a, true
}

// Complete closes the call's assignment once it is evaluated (wire to Evaluations.OnSubmitted).
func (s *Sampler) Complete(ev Evaluation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byCall[ev.CallID]; ok && a.EvaluationID == "" {
		a.EvaluationID = ev.ID
	}
}
