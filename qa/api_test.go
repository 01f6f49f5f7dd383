package qa

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/internal/statedb/statedbtest"
)

type apiFixture struct {
	srv   *httpapi.Server
	svc   *Service
	sink  *switchSink
	tok   map[string]string // name → token
	rec   events.RecordingStored
	audio []byte
}

// switchSink collects events and can be made to fail, to test that audits fail closed.
type switchSink struct {
	collect
	broken bool
}

func (s *switchSink) Publish(ctx context.Context, evs ...events.Event) error {
	if s.broken {
		return errors.New("kafka unavailable")
	}
	return s.collect.Publish(ctx, evs...)
}

// putCall stores a recording (distinct audio from seed) of a call the agent handled.
func (f *apiFixture) putCall(t *testing.T, callID, agent string, seed int64) events.RecordingStored {
	t.Helper()
	wav := synthFile(t, Timeline{{SegAgent, time.Second}, {SegCustomer, time.Second}}, 8000, seed)
	wav.Seek(0, 0)
	rec, err := f.svc.Store.Put(context.Background(), wav, RecordingMeta{CallID: callID, Agent: agent})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	return newAPIFixtureIn(t, t.TempDir(), nil)
}

// newAPIFixtureIn starts the service on dataDir, keeping its state in state if not nil (a
// second fixture on the same directory and state file is a restart).
func newAPIFixtureIn(t *testing.T, dataDir string, state *statedb.DB) *apiFixture {
	t.Helper()
	sink := &switchSink{}
	clk := clock.NewSim(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	cfg := DefaultConfig(dataDir)
	svc, err := NewService(cfg, sink, clk, "GD", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Cards.Add(loadTestCard(t)); err != nil {
		t.Fatal(err)
	}
	if state != nil {
		if err := svc.UseState(context.Background(), state); err != nil {
			t.Fatal(err)
		}
		// The restart tests are about what survives, on calls they name freely: every call
		// exists for them, handled by the fixture's agents (TestAPIRefusesMadeUpCalls checks
		// the lookup itself).
		svc.API.Calls = fixtureAgentsCalls{}
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	svc.Register(srv)
	f := &apiFixture{srv: srv, svc: svc, sink: sink, tok: map[string]string{}}
	for name, p := range map[string]httpapi.Principal{
		"qa1":   {User: "qa1", Role: httpapi.RoleQA},
		"qa2":   {User: "qa2", Role: httpapi.RoleQA},
		"lead":  {User: "lead", Role: httpapi.RoleManager},
		"ag1":   {User: "wang.ag1", Role: httpapi.RoleAgent, AgentID: "ag1"},
		"ag2":   {User: "li.ag2", Role: httpapi.RoleAgent, AgentID: "ag2"},
		"admin": {User: "root", Role: httpapi.RoleAdmin},
	} {
		p.Tenant = httpapi.AllTenants
		tok, err := srv.Tokens().Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		f.tok[name] = tok
	}
	wav := synthFile(t, Timeline{{SegAgent, 3 * time.Second}, {SegSilence, time.Second}, {SegCustomer, 2 * time.Second}}, 8000, 5)
	f.audio, _ = os.ReadFile(wav.Name())
	wav.Seek(0, 0)
	f.rec, err = svc.Store.Put(context.Background(), wav, RecordingMeta{CallID: "call-1", Agent: "ag1"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *apiFixture) do(t *testing.T, who, method, path, body string, hdr ...string) *http.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+f.tok[who])
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func TestAPIRoles(t *testing.T) {
	f := newAPIFixture(t)
	httpapitest.CheckRoles(t, f.srv)
}

func TestAPIAudioRangeRequestsAndAudit(t *testing.T) {
	f := newAPIFixture(t)
	path := "/api/qa/recordings/" + f.rec.RecordingID + "/audio"
	resp := f.do(t, "qa1", "GET", path, "", "Range", "bytes=1000-1999")
	got := body(t, resp)
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != "bytes 1000-1999/"+itoa(len(f.audio)) || got != string(f.audio[1000:2000]) {
		t.Fatalf("range: %d %q (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Range"), len(got))
	}
	if resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Errorf("headers %v", resp.Header)
	}
	// Open-ended range from the middle (a seek), and the whole file.
	resp = f.do(t, "qa1", "GET", path, "", "Range", "bytes=40000-")
	if resp.StatusCode != http.StatusPartialContent || body(t, resp) != string(f.audio[40000:]) {
		t.Errorf("open range: %d", resp.StatusCode)
	}
	resp = f.do(t, "lead", "GET", path+"?download=1", "")
	if resp.StatusCode != 200 || body(t, resp) != string(f.audio) || !strings.Contains(resp.Header.Get("Content-Disposition"), "call-1.wav") {
		t.Errorf("download: %d", resp.StatusCode)
	}
	if resp := f.do(t, "qa1", "GET", path, "", "Range", "bytes=999999999-"); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("unsatisfiable range: %d", resp.StatusCode)
	}
	// Every access is audited, with who and how.
	audits := f.sink.ofType(events.TypeRecordingAccessed)
	if len(audits) != 4 {
		t.Fatalf("%d audit events for 4 accesses", len(audits))
	}
	last := audits[2].Payload.(events.RecordingAccessed)
	if last.User != "lead" || last.Role != "manager" || last.Action != "download" || last.CallID != "call-1" {
		t.Errorf("audit %+v", last)
	}
	// No audit, no audio.
	f.sink.broken = true
	if resp := f.do(t, "qa1", "GET", path, ""); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("audio served without an audit record: %d", resp.StatusCode)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestAPIAgentsSeeOnlyTheirOwn(t *testing.T) {
	f := newAPIFixture(t)
	base := "/api/qa/recordings/" + f.rec.RecordingID
	for _, p := range []string{base, base + "/audio", base + "/peaks", base + "/analysis"} {
		if resp := f.do(t, "ag1", "GET", p, ""); resp.StatusCode != 200 {
			t.Errorf("own recording %s: %d", p, resp.StatusCode)
		}
		if resp := f.do(t, "ag2", "GET", p, ""); resp.StatusCode != 404 {
			t.Errorf("another agent's recording %s: %d", p, resp.StatusCode)
		}
	}
	// Peaks and analysis are real.
	var pk Peaks
	json.NewDecoder(f.do(t, "qa1", "GET", base+"/peaks?buckets=60", "").Body).Decode(&pk)
	if pk.Channels != 2 || len(pk.Data[0]) != 60 || pk.Data[0][5][1] <= 0.05 || pk.Data[1][5][1] > 0.01 || pk.Data[1][50][1] <= 0.05 {
		t.Errorf("peaks: agent speaks first 3 s, customer last 2 s: %+v", pk.Data)
	}
	var an struct{ Analysis Analysis }
	json.NewDecoder(f.do(t, "qa1", "GET", base+"/analysis", "").Body).Decode(&an)
	if an.Analysis.AgentTalkSec < 2.9 || an.Analysis.CustomerTalkSec < 1.9 {
		t.Errorf("analysis %+v", an.Analysis)
	}

	// Evaluate through the API: the server scores; a client-sent score is refused.
	sub := `{"call_id":"call-1","agent_id":"ag1","scorecard_id":"t","answers":[` +
		`{"item":"a1","value":"yes","at_sec":1.5,"comment":"greeting at 00:01"},{"item":"a2","value":"4"},{"item":"a3","value":"no"},` +
		`{"item":"b1","value":"yes"},{"item":"b2","value":"no"},{"item":"b3","value":"yes"},{"item":"c1","value":"yes"},{"item":"c2","value":"5"}]}`
	if resp := f.do(t, "qa1", "POST", "/api/qa/evaluations", strings.Replace(sub, `"call_id"`, `"score":100,"call_id"`, 1)); resp.StatusCode != 400 {
		t.Errorf("client-sent score accepted: %d", resp.StatusCode)
	}
	if resp := f.do(t, "qa1", "POST", "/api/qa/evaluations", strings.Replace(sub, "1.5", "60", 1)); resp.StatusCode != 400 {
		t.Errorf("timestamp past the end of the recording accepted: %d", resp.StatusCode)
	}
	resp := f.do(t, "qa1", "POST", "/api/qa/evaluations", sub)
	var ev Evaluation
	json.NewDecoder(resp.Body).Decode(&ev)
	if resp.StatusCode != 201 || ev.Result.Score != 67.67 || ev.RecordingID != f.rec.RecordingID || ev.Evaluator != "qa1" {
		t.Fatalf("submit: %d %+v", resp.StatusCode, ev)
	}
	if resp := f.do(t, "qa2", "POST", "/api/qa/evaluations", sub); resp.StatusCode != 409 {
		t.Errorf("second evaluation of the call: %d", resp.StatusCode)
	}
	// The agent sees it; the other agent does not.
	if b := body(t, f.do(t, "ag1", "GET", "/api/qa/evaluations", "")); !strings.Contains(b, ev.ID) {
		t.Errorf("agent's list lacks their evaluation: %s", b)
	}
	if b := body(t, f.do(t, "ag2", "GET", "/api/qa/evaluations?agent=ag1", "")); strings.Contains(b, ev.ID) {
		t.Errorf("another agent sees it: %s", b)
	}
	if resp := f.do(t, "ag2", "GET", "/api/qa/evaluations/"+ev.ID, ""); resp.StatusCode != 404 {
		t.Errorf("another agent reads it: %d", resp.StatusCode)
	}
	if resp := f.do(t, "ag2", "POST", "/api/qa/evaluations/"+ev.ID+"/dispute", `{"reason":"x"}`); resp.StatusCode != 404 {
		t.Errorf("another agent disputes it: %d", resp.StatusCode)
	}
	if resp := f.do(t, "ag1", "POST", "/api/qa/evaluations/"+ev.ID+"/dispute", `{"reason":"survey was offered at 00:05"}`); resp.StatusCode != 200 {
		t.Errorf("dispute: %d", resp.StatusCode)
	}
	amend := `{"uphold":false,"note":"agreed","answers":` + sub[strings.Index(sub, "["):len(sub)-1] + `}`
	amend = strings.Replace(amend, `{"item":"b2","value":"no"}`, `{"item":"b2","value":"yes"}`, 1)
	resp = f.do(t, "lead", "POST", "/api/qa/evaluations/"+ev.ID+"/resolve", amend)
	var nv Evaluation
	json.NewDecoder(resp.Body).Decode(&nv)
	if resp.StatusCode != 200 || nv.Result.Score != 81 || nv.Amends != ev.ID {
		t.Errorf("resolve: %d %+v", resp.StatusCode, nv)
	}
}

func TestAPISamplingQueueAndCalibration(t *testing.T) {
	f := newAPIFixture(t)
	var cands []Candidate
	for i, c := range calls("ag1", "inquiry", 10, 0) {
		f.putCall(t, c.CallID, c.Agent, int64(100+i))
		cands = append(cands, c)
	}
	b, _ := json.Marshal(sampleRequest{Candidates: cands, Evaluators: []string{"qa1", "qa2"}, Seed: 1})
	if resp := f.do(t, "lead", "POST", "/api/qa/sample", string(b)); resp.StatusCode != 200 {
		t.Fatalf("sample: %d %s", resp.StatusCode, body(t, resp))
	}
	var q struct{ Assignments []Assignment }
	json.NewDecoder(f.do(t, "qa1", "GET", "/api/qa/assignments", "").Body).Decode(&q)
	if len(q.Assignments) != 2 {
		t.Errorf("qa1 queue %d, want 2 of the 4 weekly picks", len(q.Assignments))
	}
	if resp := f.do(t, "qa1", "GET", "/api/qa/assignments?evaluator=qa2", ""); resp.StatusCode != 403 {
		t.Errorf("qa reads a colleague's queue: %d", resp.StatusCode)
	}
	// Calibration, blind.
	resp := f.do(t, "lead", "POST", "/api/qa/calibrations", `{"call_id":"call-1","agent_id":"ag1","scorecard_id":"t","evaluators":["qa1","qa2"]}`)
	var s CalibrationSession
	json.NewDecoder(resp.Body).Decode(&s)
	if resp.StatusCode != 201 || s.Version != 1 {
		t.Fatalf("calibration: %d %+v", resp.StatusCode, s)
	}
	sub := func(who, b2 string) Evaluation {
		in := EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", CalibrationID: s.ID, Answers: answers(map[string]string{"b2": b2})}
		b, _ := json.Marshal(in)
		resp := f.do(t, who, "POST", "/api/qa/evaluations", string(b))
		var ev Evaluation
		json.NewDecoder(resp.Body).Decode(&ev)
		if resp.StatusCode != 201 {
			t.Fatalf("calibration submit by %s: %d", who, resp.StatusCode)
		}
		return ev
	}
	e1 := sub("qa1", "yes")
	if resp := f.do(t, "qa2", "GET", "/api/qa/evaluations/"+e1.ID, ""); resp.StatusCode != 404 {
		t.Errorf("qa2 reads qa1's calibration score before scoring: %d", resp.StatusCode)
	}
	sub("qa2", "no")
	var rep CalibrationReport
	json.NewDecoder(f.do(t, "qa2", "GET", "/api/qa/calibrations/report", "").Body).Decode(&rep)
	if len(rep.Sessions) != 1 || rep.Sessions[0].Spread != 81-67.67 {
		t.Errorf("report %+v", rep)
	}
}

func TestAPIScorecardVersions(t *testing.T) {
	f := newAPIFixture(t)
	b, _ := os.ReadFile("testdata/scorecard_t_v1.yaml")
	v2 := strings.Replace(strings.Replace(string(b), "version: 1", "version: 2", 1), "weight: 40\n    items:\n      - {id: a1", "weight: 50\n    items:\n      - {id: a1", 1)
	v2 = strings.Replace(v2, "  - id: B\n    name: B\n    weight: 40", "  - id: B\n    name: B\n    weight: 30", 1)
	if resp := f.do(t, "qa1", "POST", "/api/qa/scorecards", string(b)); resp.StatusCode != 409 {
		t.Errorf("republishing v1: %d", resp.StatusCode)
	}
	if resp := f.do(t, "admin", "POST", "/api/qa/scorecards", strings.Replace(v2, "weight: 30", "weight: 31", 1)); resp.StatusCode != 400 || !strings.Contains(body(t, resp), "sum to 101") {
		t.Errorf("weights summing to 101 accepted")
	}
	if resp := f.do(t, "admin", "POST", "/api/qa/scorecards", v2); resp.StatusCode != 201 {
		t.Fatalf("publishing v2: %d %s", resp.StatusCode, body(t, resp))
	}
	var latest, first Scorecard
	json.NewDecoder(f.do(t, "ag1", "GET", "/api/qa/scorecards/t", "").Body).Decode(&latest)
	json.NewDecoder(f.do(t, "ag1", "GET", "/api/qa/scorecards/t?version=1", "").Body).Decode(&first)
	if latest.Version != 2 || latest.Sections[0].Weight != 50 || first.Version != 1 || first.Sections[0].Weight != 40 {
		t.Errorf("latest %d/%v, v1 %d/%v", latest.Version, latest.Sections[0].Weight, first.Version, first.Sections[0].Weight)
	}
}

// Everything QA staff and agents change through the API is there after a restart on the same
// state file, answers the same, and keeps refusing what it refused: a call evaluated before
// cannot be evaluated again. A change the state file did not take is refused and not shown.
func TestAPIStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	db := openState(t, dir)
	f := newAPIFixtureIn(t, dir, db)
	post := func(who, path, payload string, want int) string {
		t.Helper()
		resp := f.do(t, who, "POST", path, payload)
		b := body(t, resp)
		if resp.StatusCode != want {
			t.Fatalf("POST %s by %s: %d %s, want %d", path, who, resp.StatusCode, b, want)
		}
		return b
	}
	id := func(b string) string {
		var x struct{ ID string }
		if err := json.Unmarshal([]byte(b), &x); err != nil || x.ID == "" {
			t.Fatalf("no id in %s", b)
		}
		return x.ID
	}
	sub := func(call, b2 string) string {
		b, _ := json.Marshal(EvaluationInput{CallID: call, Agent: "ag1", Scorecard: "t", Answers: answers(map[string]string{"b2": b2})})
		return string(b)
	}
	card, err := os.ReadFile("testdata/scorecard_t_v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Scorecards: an id of the API's own, two versions; the built-in id belongs to its file.
	post("admin", "/api/qa/scorecards", strings.Replace(string(card), "id: t\n", "id: claims\n", 1), 201)
	post("admin", "/api/qa/scorecards", strings.Replace(strings.Replace(string(card), "id: t\n", "id: claims\n", 1), "version: 1", "version: 2", 1), 201)
	builtin := strings.Replace(string(card), "id: t\n", "id: insurance-hotline\n", 1)
	if b := post("admin", "/api/qa/scorecards", strings.Replace(builtin, "version: 1", "version: 9", 1), 409); !strings.Contains(b, "built-in") {
		t.Errorf("refusal does not name the file that owns the id: %s", b)
	}
	// Sampling: 4 assignments, one of them then evaluated.
	cands, _ := json.Marshal(sampleRequest{Candidates: calls("ag1", "inquiry", 6, 0), Evaluators: []string{"qa1", "qa2"}, Seed: 1})
	var plan struct{ Assigned []Assignment }
	json.Unmarshal([]byte(post("lead", "/api/qa/sample", string(cands), 200)), &plan)
	if len(plan.Assigned) != 4 {
		t.Fatalf("planned %d, want 4", len(plan.Assigned))
	}
	assigned := plan.Assigned[0]
	post(assigned.Evaluator, "/api/qa/evaluations", strings.Replace(sub(assigned.CallID, "yes"), `"ag1"`, `"`+assigned.Agent+`"`, 1), 201)
	// An upheld dispute, a dispute resolved by amendment, an amendment without dispute.
	upheld := id(post("qa1", "/api/qa/evaluations", sub("call-1", "no"), 201))
	post("ag1", "/api/qa/evaluations/"+upheld+"/dispute", `{"reason":"survey offered at 00:05"}`, 200)
	post("lead", "/api/qa/evaluations/"+upheld+"/resolve", `{"uphold":true,"note":"not offered"}`, 200)
	disputed := id(post("qa1", "/api/qa/evaluations", sub("call-2", "no"), 201))
	post("ag1", "/api/qa/evaluations/"+disputed+"/dispute", `{"reason":"it was offered"}`, 200)
	resolve, _ := json.Marshal(resolveRequest{Answers: answers(nil), Note: "agreed"})
	post("lead", "/api/qa/evaluations/"+disputed+"/resolve", string(resolve), 200)
	amended := id(post("qa1", "/api/qa/evaluations", sub("call-3", "no"), 201))
	amend, _ := json.Marshal(amendRequest{Answers: answers(nil), Comment: "re-listened"})
	post("qa2", "/api/qa/evaluations/"+amended+"/amend", string(amend), 201)
	// A calibration session scored by one of its two evaluators.
	sess := id(post("lead", "/api/qa/calibrations", `{"call_id":"call-1","agent_id":"ag1","scorecard_id":"t","evaluators":["qa1","qa2"]}`, 201))
	calib := func() string {
		b, _ := json.Marshal(EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", CalibrationID: sess, Answers: answers(nil)})
		return string(b)
	}
	post("qa1", "/api/qa/evaluations", calib(), 201)

	reads := []struct{ who, path string }{
		{"lead", "/api/qa/evaluations?calibration=1"},
		{"ag1", "/api/qa/evaluations"},
		{"qa1", "/api/qa/evaluations/" + upheld},
		{"lead", "/api/qa/calibrations"},
		{"qa2", "/api/qa/calibrations"}, // blind: qa2 has not scored
		{"lead", "/api/qa/calibrations/report"},
		{"lead", "/api/qa/assignments?evaluator=qa1"},
		{"lead", "/api/qa/assignments?evaluator=qa2"},
		{"qa1", "/api/qa/scorecards"},
		{"qa1", "/api/qa/scorecards/claims?version=1"},
	}
	before := map[string]string{}
	for _, r := range reads {
		resp := f.do(t, r.who, "GET", r.path, "")
		before[r.who+" "+r.path] = body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", r.path, resp.StatusCode)
		}
	}
	// A change that cannot be saved is refused and not shown.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	post("qa1", "/api/qa/evaluations", sub("call-4", "yes"), 503)
	if b := body(t, f.do(t, "lead", "GET", "/api/qa/evaluations?calibration=1", "")); b != before["lead /api/qa/evaluations?calibration=1"] {
		t.Errorf("an unsaved evaluation is shown: %s", b)
	}

	db = openState(t, dir)
	defer db.Close()
	f = newAPIFixtureIn(t, dir, db)
	for _, r := range reads {
		if got := body(t, f.do(t, r.who, "GET", r.path, "")); got != before[r.who+" "+r.path] {
			t.Errorf("GET %s after a restart:\n%s\nbefore:\n%s", r.path, got, before[r.who+" "+r.path])
		}
	}
	for _, call := range []string{"call-1", "call-2", "call-3", assigned.CallID} {
		post("qa2", "/api/qa/evaluations", sub(call, "yes"), 409)
	}
	post("qa1", "/api/qa/evaluations", calib(), 409)
	post("qa2", "/api/qa/evaluations", calib(), 201)
	post("qa1", "/api/qa/evaluations", sub("call-4", "yes"), 201) // refused before, nothing of it kept
	post("lead", "/api/qa/evaluations/"+upheld+"/resolve", `{"uphold":true,"note":"again"}`, 409)

	// Each change's event went out once: submitted 7 (5 regular, 2 calibration), disputed 2,
	// upheld 1, amended 2.
	var out statedbtest.Collector
	statedbtest.Drain(t, db, &out)
	evs := out.Events(t)
	ids := map[string]bool{}
	counts := map[string]int{}
	for _, e := range evs {
		if ids[e.EventID.String()] {
			t.Errorf("event %s relayed twice", e.EventID)
		}
		ids[e.EventID.String()] = true
		counts[e.Payload.(events.QAEvaluation).Status]++
	}
	if want := map[string]int{"submitted": 7, "disputed": 2, "upheld": 1, "amended": 2}; !maps.Equal(counts, want) {
		t.Errorf("events by status %v, want %v", counts, want)
	}
	if n := len(f.sink.ofType(events.TypeQAEvaluation)); n != 0 {
		t.Errorf("%d evaluation events bypassed the state file's outbox", n)
	}
}

// A start where a scorecard file defines an id the API published stops and names both.
func TestScorecardFileClashingWithAPIStopsStart(t *testing.T) {
	dir := t.TempDir()
	db := openState(t, dir)
	defer db.Close()
	f := newAPIFixtureIn(t, dir, db)
	card, _ := os.ReadFile("testdata/scorecard_t_v1.yaml")
	claims := strings.Replace(string(card), "id: t\n", "id: claims\n", 1)
	if resp := f.do(t, "admin", "POST", "/api/qa/scorecards", claims); resp.StatusCode != 201 {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	cfg := DefaultConfig(dir)
	if err := os.MkdirAll(cfg.ScorecardsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(cfg.ScorecardsDir, "claims.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(claims, "version: 1", "version: 2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(cfg, &collect{}, clock.Real{}, "GD", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = svc.UseState(context.Background(), db)
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "claims") {
		t.Fatalf("start with a clashing scorecard file: %v", err)
	}
}

// fixtureAgentsCalls knows every call, as handled by the fixture's agents, and a sampling
// candidate made by calls() as handled by the agent its id names.
type fixtureAgentsCalls struct{}

func (fixtureAgentsCalls) Handlers(_ context.Context, ids []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	for _, id := range ids {
		out[id] = []string{"ag1", "ag2"}
		if agent, _, ok := strings.Cut(id, "-inquiry-"); ok {
			out[id] = append(out[id], agent)
		}
	}
	return out, nil
}
