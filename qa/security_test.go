package qa

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/events"
)

// TestAPIRefusesMadeUpCalls: an evaluation, a calibration or a sampling candidate must name a
// call that exists and an agent who handled it; refused ones store and assign nothing.
func TestAPIRefusesMadeUpCalls(t *testing.T) {
	f := newAPIFixture(t)
	sub := func(call, agent string) string {
		b, _ := json.Marshal(EvaluationInput{CallID: call, Agent: agent, Scorecard: "t", Answers: answers(nil)})
		return string(b)
	}
	for _, tc := range []struct {
		name, path, body string
		want             int
	}{
		{"evaluation of a call that does not exist", "/api/qa/evaluations", sub("call-999", "ag1"), http.StatusNotFound},
		{"evaluation naming the wrong agent", "/api/qa/evaluations", sub("call-1", "ag2"), http.StatusBadRequest},
		{"calibration of a call that does not exist", "/api/qa/calibrations", `{"call_id":"nope","agent_id":"ag1","scorecard_id":"t","evaluators":["qa1","qa2"]}`, http.StatusNotFound},
		{"sampling a made-up candidate", "/api/qa/sample", `{"candidates":[{"call_id":"call-1","agent_id":"ag1"},{"call_id":"fake-7","agent_id":"ag1"}],"evaluators":["qa1"]}`, http.StatusBadRequest},
		{"sampling a real call under another agent", "/api/qa/sample", `{"candidates":[{"call_id":"call-1","agent_id":"ag9"}],"evaluators":["qa1"]}`, http.StatusBadRequest},
	} {
		who := "qa1"
		if tc.path != "/api/qa/evaluations" {
			who = "lead"
		}
		resp := f.do(t, who, "POST", tc.path, tc.body)
		if b := body(t, resp); resp.StatusCode != tc.want || !strings.Contains(b, `"error"`) {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, b, tc.want)
		}
	}
	if n := len(f.svc.Evals.List(Filter{IncludeCalibration: true})); n != 0 {
		t.Errorf("%d evaluations stored", n)
	}
	if n := len(f.svc.Evals.Calibrations("lead")); n != 0 {
		t.Errorf("%d calibrations opened", n)
	}
	if q := f.svc.Sampler.Queue("qa1"); len(q) != 0 {
		t.Errorf("made-up candidates assigned: %+v", q)
	}
	if resp := f.do(t, "qa1", "POST", "/api/qa/evaluations", sub("call-1", "ag1")); resp.StatusCode != http.StatusCreated {
		t.Errorf("evaluation of the real call by its agent: %d %s", resp.StatusCode, body(t, resp))
	}
}

// TestAPIScorecardNonFinite: NaN and infinite weights are refused, and the list keeps answering.
func TestAPIScorecardNonFinite(t *testing.T) {
	f := newAPIFixture(t)
	b, err := os.ReadFile("testdata/scorecard_t_v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(string(b), "version: 1", "version: 2", 1)
	for _, tc := range []struct{ name, old, new string }{
		{"section weight .nan", "weight: 40", "weight: .nan"},
		{"section weight .inf", "weight: 40", "weight: .inf"},
		{"item weight .nan", "{id: a1,", "{id: a1, weight: .nan,"},
		{"item weight 1e308", "{id: a1,", "{id: a1, weight: 1e308,"},
		{"scale of a billion points", "max: 5", "max: 1000000000"},
		{"100 KB id", "id: t\n", "id: " + strings.Repeat("t", 100_000) + "\n"},
	} {
		bad := strings.Replace(v2, tc.old, tc.new, 1)
		if bad == v2 {
			t.Fatalf("%s: fixture has no %q", tc.name, tc.old)
		}
		resp := f.do(t, "admin", "POST", "/api/qa/scorecards", bad)
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || len(b) > 2000 {
			t.Errorf("%s: %d %.200s, want a short 400", tc.name, resp.StatusCode, b)
		}
	}
	resp := f.do(t, "ag1", "GET", "/api/qa/scorecards", "")
	var list struct{ Scorecards []Scorecard }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 || len(list.Scorecards) == 0 {
		t.Fatalf("scorecards after the refusals: %d %v", resp.StatusCode, err)
	}
	for _, sc := range list.Scorecards {
		if sc.ID == "t" && sc.Version != 1 {
			t.Errorf("a refused version was stored: %s v%d", sc.ID, sc.Version)
		}
	}
}

// TestAPIBoundsFreeText: oversized text and lists are 400s naming the field.
func TestAPIBoundsFreeText(t *testing.T) {
	f := newAPIFixture(t)
	evaluators := make([]string, 10_000)
	for i := range evaluators {
		evaluators[i] = "qa" + strings.Repeat("x", i%5)
	}
	ev, _ := json.Marshal(map[string]any{"call_id": "call-1", "agent_id": "ag1", "scorecard_id": "t", "evaluators": evaluators})
	in, _ := json.Marshal(EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", Answers: answers(nil), Comment: strings.Repeat("c", 6000)})
	for _, tc := range []struct{ name, who, path, body, field string }{
		{"10,000 calibration evaluators", "lead", "/api/qa/calibrations", string(ev), "evaluators"},
		{"a 6,000-byte comment", "qa1", "/api/qa/evaluations", string(in), "comment"},
		{"a 100 KB evaluator", "lead", "/api/qa/sample", `{"evaluators":["` + strings.Repeat("e", 100_000) + `"]}`, "evaluators"},
	} {
		resp := f.do(t, tc.who, "POST", tc.path, tc.body)
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, tc.field) || len(b) > 1000 {
			t.Errorf("%s: %d %.200s, want a short 400 naming %s", tc.name, resp.StatusCode, b, tc.field)
		}
	}
}

// TestAPIBlindCalibrationSameAnswer: an evaluation a blind calibrator may not see answers 404 to
// GET and to every write alike, so a write does not reveal that it exists.
func TestAPIBlindCalibrationSameAnswer(t *testing.T) {
	f := newAPIFixture(t)
	resp := f.do(t, "lead", "POST", "/api/qa/calibrations", `{"call_id":"call-1","agent_id":"ag1","scorecard_id":"t","evaluators":["qa1","qa2"]}`)
	var s CalibrationSession
	json.NewDecoder(resp.Body).Decode(&s)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("calibration: %d", resp.StatusCode)
	}
	b, _ := json.Marshal(EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", CalibrationID: s.ID, Answers: answers(nil)})
	resp = f.do(t, "qa1", "POST", "/api/qa/evaluations", string(b))
	var e1 Evaluation
	json.NewDecoder(resp.Body).Decode(&e1)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("qa1 scores: %d", resp.StatusCode)
	}
	amend, _ := json.Marshal(amendRequest{Answers: answers(map[string]string{"a1": "no"}), Comment: "x"})
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/qa/evaluations/" + e1.ID, ""},
		{"POST", "/api/qa/evaluations/" + e1.ID + "/amend", string(amend)},
		{"POST", "/api/qa/evaluations/" + e1.ID + "/resolve", `{"uphold":true,"note":"n"}`},
		{"GET", "/api/qa/evaluations/no-such-id", ""},
		{"POST", "/api/qa/evaluations/no-such-id/amend", string(amend)},
	} {
		resp := f.do(t, "qa2", tc.method, tc.path, tc.body)
		if b := body(t, resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("qa2 %s %s: %d %s, want 404", tc.method, tc.path, resp.StatusCode, b)
		}
	}
}

// TestAPIAudioAuditAndCaching: a HEAD is audited as metadata, not as a play; every access
// carries the client's address; audio is never cached.
func TestAPIAudioAuditAndCaching(t *testing.T) {
	f := newAPIFixture(t)
	path := "/api/qa/recordings/" + f.rec.RecordingID + "/audio"
	head := f.do(t, "qa1", "HEAD", path, "")
	get := f.do(t, "qa1", "GET", path, "")
	for _, resp := range []*http.Response{head, get} {
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%d Cache-Control %q, want 200 no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	audits := f.sink.ofType(events.TypeRecordingAccessed)
	if len(audits) != 2 {
		t.Fatalf("%d audit events for a HEAD and a GET", len(audits))
	}
	for i, want := range []string{"metadata", "play"} {
		a := audits[i].Payload.(events.RecordingAccessed)
		if a.Action != want || a.Client != "192.0.2.1" { // httptest's client address
			t.Errorf("audit %d: action %q client %q, want %s from 192.0.2.1", i, a.Action, a.Client, want)
		}
	}
}

// TestAPIStoreFailureHidesPaths: a recording whose file went missing is a 500 that names what
// failed, not where on the server.
func TestAPIStoreFailureHidesPaths(t *testing.T) {
	f := newAPIFixture(t)
	if err := os.Remove(filepath.Join(f.svc.Store.Root(), filepath.FromSlash(f.rec.Path))); err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"audio", "peaks", "analysis"} {
		resp := f.do(t, "qa1", "GET", "/api/qa/recordings/"+f.rec.RecordingID+"/"+what, "")
		if b := body(t, resp); resp.StatusCode != http.StatusInternalServerError || strings.Contains(b, f.svc.Store.Root()) || strings.Contains(b, ".wav") {
			t.Errorf("%s of a missing file: %d %s", what, resp.StatusCode, b)
		}
	}
}
