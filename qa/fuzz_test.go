package qa

import (
	"encoding/json"
	"testing"
)

// FuzzParseScorecard: an accepted scorecard encodes (no NaN weight) and scores any answers
// without a panic.
func FuzzParseScorecard(f *testing.F) {
	for _, s := range []string{
		"id: t\nversion: 1\nname: t\nsections: [{id: s, name: s, weight: 100, items: [{id: i, text: i, type: yes_no}]}]\n",
		"id: t\nversion: 1\nname: t\nsections: [{id: s, name: s, weight: .nan, items: [{id: i, text: i, type: yes_no}]}]\n",
		"id: t\nversion: 1\nname: t\nsections: [{id: s, name: s, weight: 100, items: [{id: i, text: i, type: scale, min: -2147483648, max: 2147483647, weight: 1e308}]}]\n",
		"id: t\nversion: 1\nname: t\nsections: [{id: a, name: a, weight: 50, items: [{id: i, text: i, type: yes_no, critical: section}]}, {id: b, name: b, weight: 50, items: [{id: j, text: j, type: scale, min: 1, max: 5}]}]\n",
	} {
		f.Add([]byte(s), "yes", "3")
	}
	f.Fuzz(func(t *testing.T, data []byte, v1, v2 string) {
		sc, err := ParseScorecard(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(sc); err != nil {
			t.Fatalf("accepted a scorecard that does not encode: %v", err)
		}
		var answers []Answer
		for _, s := range sc.Sections {
			for i, it := range s.Items {
				answers = append(answers, Answer{Item: it.ID, Value: []string{v1, v2}[i%2]})
			}
		}
		if res, err := sc.Score(answers); err == nil {
			if _, err := json.Marshal(res); err != nil {
				t.Fatalf("a score that does not encode: %+v: %v", res, err)
			}
		}
	})
}

// FuzzEvaluationInput: the evaluation body the API decodes is either refused by check or bounded.
func FuzzEvaluationInput(f *testing.F) {
	for _, s := range []string{
		`{"call_id":"c","agent_id":"a","scorecard_id":"t","answers":[{"item":"a1","value":"yes","at_sec":12.5}]}`,
		`{"call_id":"c","agent_id":"a","answers":[{"item":"a1","value":"yes","at_sec":-1}]}`,
		`{"call_id":"c","scorecard_version":-5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in EvaluationInput
		if json.Unmarshal(data, &in) != nil || in.check() != nil {
			return
		}
		if len(in.Answers) > maxAnswers || len(in.Comment) > maxTextLen || len(in.CallID) > maxIDLen || in.Version < 0 {
			t.Fatalf("check let through %+v", in)
		}
		for _, a := range in.Answers {
			if a.AtSec != nil && !(finite(*a.AtSec) && *a.AtSec >= 0) {
				t.Fatalf("check let through timestamp %v", *a.AtSec)
			}
		}
	})
}
