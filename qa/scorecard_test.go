package qa

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func loadTestCard(t *testing.T) Scorecard {
	t.Helper()
	b, err := os.ReadFile("testdata/scorecard_t_v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScorecard(b)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// answers builds a full answer set from the baseline, overriding some items.
func answers(over map[string]string) []Answer {
	base := map[string]string{"a1": "yes", "a2": "4", "a3": "no", "b1": "yes", "b2": "yes", "b3": "yes", "c1": "yes", "c2": "5"}
	for k, v := range over {
		base[k] = v
	}
	var out []Answer
	for _, id := range []string{"a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2"} {
		out = append(out, Answer{Item: id, Value: base[id]})
	}
	return out
}

// The expected figures are worked by hand from the card in testdata/scorecard_t_v1.yaml
// (sections A 40, B 40, C 20; a2 weight 3 on a 1..5 scale, c2 on 0..10).
func TestScoreArithmetic(t *testing.T) {
	sc := loadTestCard(t)
	cases := []struct {
		name     string
		over     map[string]string
		score    float64
		sections [3]float64
		critical bool
		failed   string // section failed by a critical item
		naSec    string
	}{
		// A = 100(1 + 3x0.75 + 0)/5 = 65; B = 100; C = 100(1 + 0.5)/2 = 75; total (2600+4000+1500)/100 = 81
		{name: "baseline", score: 81, sections: [3]float64{65, 100, 75}},
		// a3 N/A leaves the denominator: A = 100(1 + 2.25)/4 = 81.25; total (3250+4000+1500)/100 = 87.5
		{name: "N/A item", over: map[string]string{"a3": "na"}, score: 87.5, sections: [3]float64{81.25, 100, 75}},
		// all of C N/A: C leaves the total, weights 40+40: (2600+4000)/80 = 82.5
		{name: "N/A section", over: map[string]string{"c1": "na", "c2": "N/A"}, score: 82.5, sections: [3]float64{65, 100, 0}, naSec: "C"},
		// b1 critical for its section: B = 0; total (2600+0+1500)/100 = 41
		{name: "section critical", over: map[string]string{"b1": "no"}, score: 41, sections: [3]float64{65, 0, 75}, failed: "B"},
		// b3 critical for the evaluation: 0 whatever else
		{name: "evaluation critical", over: map[string]string{"b3": "no", "b1": "no"}, score: 0, sections: [3]float64{65, 0, 75}, critical: true, failed: "B"},
		// b2 plain no: B = 100x2/3 = 66.67; total (2600 + 2666.67 + 1500)/100 = 67.67
		{name: "ordinary no", over: map[string]string{"b2": "no"}, score: 67.67, sections: [3]float64{65, 66.67, 75}},
		// scale ends: a2 = 1 scores 0, a2 = 5 scores 1: A = 100(1+0+0)/5 = 20 and 100(1+3)/5 = 80
		{name: "scale min", over: map[string]string{"a2": "1"}, score: (40*20 + 4000 + 1500) / 100.0, sections: [3]float64{20, 100, 75}},
		{name: "scale max", over: map[string]string{"a2": "5"}, score: (40*80 + 4000 + 1500) / 100.0, sections: [3]float64{80, 100, 75}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := sc.Score(answers(c.over))
			if err != nil {
				t.Fatal(err)
			}
			if r.Score != c.score || r.CriticalFail != c.critical {
				t.Errorf("score %v critical %v, want %v %v", r.Score, r.CriticalFail, c.score, c.critical)
			}
			for i, s := range r.Sections {
				if s.Score != c.sections[i] {
					t.Errorf("section %s: %v, want %v", s.Section, s.Score, c.sections[i])
				}
				if s.Failed != (s.Section == c.failed) || s.NA != (s.Section == c.naSec) {
					t.Errorf("section %s: failed %v na %v", s.Section, s.Failed, s.NA)
				}
			}
		})
	}
}

func TestScoreRejects(t *testing.T) {
	sc := loadTestCard(t)
	short := answers(nil)[:7]
	for _, c := range []struct {
		name string
		ans  []Answer
		want string
	}{
		{"unanswered", short, "item c2 is not answered"},
		{"N/A not allowed", answers(map[string]string{"b1": "na"}), "b1: N/A is not allowed"},
		{"scale out of range", answers(map[string]string{"a2": "6"}), "a2: answer \"6\", want a whole number 1..5"},
		{"yes on a scale", answers(map[string]string{"a2": "yes"}), "whole number"},
		{"maybe", answers(map[string]string{"a1": "maybe"}), "want yes, no or na"},
		{"unknown item", append(answers(nil), Answer{Item: "zz", Value: "yes"}), `item "zz" is not on scorecard t v1`},
		{"twice", append(answers(nil), Answer{Item: "a1", Value: "yes"}), "a1 answered twice"},
	} {
		if _, err := sc.Score(c.ans); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestScorecardValidate(t *testing.T) {
	sc := loadTestCard(t)
	sc.Sections[0].Weight = 39
	sc.Sections[1].Items[0].Critical = "call"
	sc.Sections[0].Items[1].Max = 1
	err := sc.Validate()
	for _, want := range []string{"sum to 99, want 100", `critical "call"`, "scale max 1 must be above min 1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation error %v lacks %q", err, want)
		}
	}
	if _, err := ParseScorecard([]byte("id: x\nversion: 1\nsectons: []\n")); err == nil || !strings.Contains(err.Error(), "sectons") {
		t.Errorf("unknown key accepted: %v", err)
	}
}

func TestScorecardVersions(t *testing.T) {
	reg, err := NewScorecards("testdata/scorecards")
	if err != nil {
		t.Fatal(err)
	}
	// The directory's v2 of the built-in card becomes the latest; v1 stays reachable.
	def, err := reg.Get("insurance-hotline", 0)
	if err != nil || def.Version != 2 || !strings.Contains(def.Name, "local v2") {
		t.Fatalf("latest default scorecard: v%d %v", def.Version, err)
	}
	if v1, err := reg.Get("insurance-hotline", 1); err != nil || strings.Contains(v1.Name, "local") {
		t.Fatalf("built-in v1: %v %v", v1.Name, err)
	}
	v1 := loadTestCard(t)
	if err := reg.Add(v1); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(v1); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("re-adding version 1: %v", err)
	}
	v2 := loadTestCard(t)
	v2.Version = 2
	v2.Sections[0].Weight, v2.Sections[1].Weight = 50, 30
	if err := reg.Add(v2); err != nil {
		t.Fatal(err)
	}
	latest, _ := reg.Get("t", 0)
	old, _ := reg.Get("t", 1)
	if latest.Version != 2 || old.Sections[0].Weight != 40 {
		t.Errorf("latest v%d, v1 weight %v", latest.Version, old.Sections[0].Weight)
	}
	// The same answers score differently under each version: evaluations must pin theirs.
	r1, _ := old.Score(answers(nil))
	r2, _ := latest.Score(answers(nil))
	if r1.Score != 81 || r2.Score != (50*65+30*100+20*75)/100.0 {
		t.Errorf("v1 %v, v2 %v", r1.Score, r2.Score)
	}
	if _, err := reg.Get("t", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
}

func TestDefaultScorecardScores(t *testing.T) {
	reg, err := NewScorecards("")
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := reg.Get("insurance-hotline", 0)
	var all []Answer
	for _, s := range sc.Sections {
		for _, it := range s.Items {
			v := "yes"
			if it.Type == ItemScale {
				v = "5"
			}
			all = append(all, Answer{Item: it.ID, Value: v})
		}
	}
	r, err := sc.Score(all)
	if err != nil || r.Score != 100 {
		t.Fatalf("perfect call scores %v (%v)", r.Score, err)
	}
	for i := range all {
		if all[i].Item == "identity_verified" {
			all[i].Value = "no"
		}
	}
	if r, _ := sc.Score(all); r.Score != 0 || !r.CriticalFail {
		t.Errorf("unverified caller scores %v", r.Score)
	}
}
