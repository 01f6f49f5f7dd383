package qa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// API serves the QA workbench: assignments, recordings (audio with range requests, waveform
// peaks, analysis), scorecards, evaluations, disputes and calibration. Every access to a
// recording's audio, peaks or analysis is published as a recording.accessed audit event before
// anything is served; if the audit event cannot be written, the access is refused.
type API struct {
	Store    *Store
	Evals    *Evaluations
	Sampler  *Sampler
	Cards    *Scorecards
	Sink     events.Sink
	Clock    clock.Clock
	Tenant   string
	Analyzer AnalyzerConfig
	Log      *slog.Logger
	// Candidates loads a period's candidate calls (LoadCandidates on ClickHouse); used by
	// POST /api/qa/sample when the request brings no candidates of its own.
	Candidates func(ctx context.Context, from, to time.Time) ([]Candidate, error)
	// Calls says which calls exist and who handled them (default: the recordings in Store;
	// ClickHouseCalls with ClickHouse): evaluations, sampling candidates and calibrations must
	// name a real call and an agent who handled it.
	Calls CallDirectory

	mu       sync.Mutex
	analyses map[string]Analysis // by recording id; analysis is deterministic, so cache it
}

// maxCachedAnalyses bounds the analysis cache of the API.
const maxCachedAnalyses = 2000

var (
	qaStaff     = []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager, httpapi.RoleAdmin}
	qaAndAgents = []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager, httpapi.RoleAdmin, httpapi.RoleAgent}
)

// Register mounts the QA endpoints on srv.
func (a *API) Register(srv *httpapi.Server) {
	if a.analyses == nil {
		a.analyses = map[string]Analysis{}
	}
	if a.Log == nil {
		a.Log = slog.Default()
	}
	if a.Calls == nil {
		a.Calls = a.Store
	}
	h := func(f func(http.ResponseWriter, *http.Request, httpapi.Principal)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := httpapi.PrincipalFrom(r.Context())
			f(w, r, p)
		})
	}
	for _, e := range []httpapi.Endpoint{
		{Method: "GET", Path: "/api/qa/assignments", Roles: qaStaff, Summary: "open QA assignments of an evaluator (yours, or ?evaluator= for managers)", Handler: h(a.assignments)},
		{Method: "POST", Path: "/api/qa/sample", Roles: []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager}, Summary: "sample calls into evaluator queues (weekly quotas, targeted rules, strata); candidates from the body or this week in ClickHouse", Handler: h(a.sample)},
		{Method: "GET", Path: "/api/qa/recordings/{id}", Roles: qaAndAgents, Summary: "recording metadata (agents: their own calls only; audited)", Handler: h(a.recording)},
		{Method: "GET", Path: "/api/qa/recordings/{id}/audio", Roles: qaAndAgents, Summary: "recording audio as WAV with HTTP range requests (audited)", Handler: h(a.audio)},
		{Method: "GET", Path: "/api/qa/recordings/{id}/peaks", Roles: qaAndAgents, Summary: "waveform min/max peaks per channel, ?buckets=N (audited)", Handler: h(a.peaks)},
		{Method: "GET", Path: "/api/qa/recordings/{id}/analysis", Roles: qaAndAgents, Summary: "audio analysis: talk, silence, overtalk, hold, level, clipping (audited)", Handler: h(a.analysis)},
		{Method: "GET", Path: "/api/qa/scorecards", Roles: qaAndAgents, Summary: "latest version of every scorecard", Handler: h(a.scorecards)},
		{Method: "GET", Path: "/api/qa/scorecards/{id}", Roles: qaAndAgents, Summary: "a scorecard, latest or ?version=N", Handler: h(a.scorecard)},
		{Method: "POST", Path: "/api/qa/scorecards", Roles: []httpapi.Role{httpapi.RoleAdmin, httpapi.RoleQA}, Summary: "publish a new scorecard version (versions are immutable)", Handler: h(a.addScorecard)},
		{Method: "GET", Path: "/api/qa/evaluations", Roles: qaAndAgents, Summary: "evaluations, ?agent= ?call= ?evaluator= (agents: their own)", Handler: h(a.evaluations)},
		{Method: "POST", Path: "/api/qa/evaluations", Roles: []httpapi.Role{httpapi.RoleQA}, Summary: "submit an evaluation; the server computes the score", Handler: h(a.submit)},
		{Method: "GET", Path: "/api/qa/evaluations/{id}", Roles: qaAndAgents, Summary: "one evaluation with answers, comments and timestamps (agents: their own)", Handler: h(a.evaluation)},
		{Method: "POST", Path: "/api/qa/evaluations/{id}/amend", Roles: []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager}, Summary: "amend an evaluation (the original is kept for audit)", Handler: h(a.amend)},
		{Method: "POST", Path: "/api/qa/evaluations/{id}/dispute", Roles: []httpapi.Role{httpapi.RoleAgent}, Summary: "dispute your own evaluation within the dispute window", Handler: h(a.dispute)},
		{Method: "POST", Path: "/api/qa/evaluations/{id}/resolve", Roles: []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager}, Summary: "resolve a dispute: uphold, or amend with new answers", Handler: h(a.resolve)},
		{Method: "GET", Path: "/api/qa/calibrations", Roles: qaStaff, Summary: "calibration sessions (blind until you have scored)", Handler: h(a.calibrations)},
		{Method: "POST", Path: "/api/qa/calibrations", Roles: []httpapi.Role{httpapi.RoleQA, httpapi.RoleManager}, Summary: "open a calibration session: several evaluators score one call blind", Handler: h(a.createCalibration)},
		{Method: "GET", Path: "/api/qa/calibrations/report", Roles: qaStaff, Summary: "calibration agreement: score spread per call, Krippendorff's alpha, per evaluator", Handler: h(a.calibrationReport)},
	} {
		srv.Handle(e)
	}
}

// fail maps domain errors to statuses.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, ErrConflict), errors.Is(err, ErrAlreadyEvaluated):
		status = http.StatusConflict
	case errors.Is(err, ErrNotSaved):
		status = http.StatusServiceUnavailable
	}
	httpapi.Error(w, status, err.Error())
}

// failStore answers a failure reading a stored recording: 404 for one that is gone, else a
// generic 500 whose detail (a path on the server) goes to the log only.
func failStore(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, ErrNotFound) {
		fail(w, err)
		return
	}
	httpapi.InternalError(w, r, what, err)
}

func (a *API) assignments(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	ev := p.User
	if q := r.URL.Query().Get("evaluator"); q != "" && q != p.User {
		if p.Role == httpapi.RoleQA {
			fail(w, fmt.Errorf("listing assignments of %s: %w (QA staff see their own queue)", q, ErrForbidden))
			return
		}
		ev = q
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"evaluator": ev, "assignments": nonNil(a.Sampler.Queue(ev))})
}

type sampleRequest struct {
	Candidates []Candidate `json:"candidates"`
	Evaluators []string    `json:"evaluators"`
	Seed       int64       `json:"seed"`
}

func (a *API) sample(w http.ResponseWriter, r *http.Request, _ httpapi.Principal) {
	var req sampleRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if err := checkEvaluators(req.Evaluators); err != nil {
		fail(w, err)
		return
	}
	now := a.Clock.Now()
	if len(req.Candidates) == 0 && a.Candidates != nil {
		from := weekStart(now)
		var err error
		if req.Candidates, err = a.Candidates(r.Context(), from, now); err != nil {
			httpapi.Fail(w, r, http.StatusServiceUnavailable, "loading this week's calls", err)
			return
		}
	} else if err := a.checkCandidates(r.Context(), req); err != nil {
		a.failLookup(w, r, err)
		return
	}
	out, err := a.Sampler.Plan(r.Context(), now, req.Candidates, a.Evals.EvaluatedCalls(), req.Evaluators, req.Seed)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"assigned": nonNil(out)})
}

// recordingFor finds the recording and checks the principal may see it: agents only their own
// calls (others' are reported as absent).
func (a *API) recordingFor(id string, p httpapi.Principal) (events.RecordingStored, error) {
	rec, ok := a.Store.Get(id)
	if !ok || (p.Role == httpapi.RoleAgent && rec.Agent != p.AgentID) {
		return events.RecordingStored{}, fmt.Errorf("recording %s: %w", id, ErrNotFound)
	}
	return rec, nil
}

// audit publishes the access with the client's address; a failure refuses the access.
func (a *API) audit(r *http.Request, rec events.RecordingStored, p httpapi.Principal, action string) error {
	ev := events.RecordingAccessed{RecordingID: rec.RecordingID, CallID: rec.CallID, User: p.User, Role: string(p.Role), Action: action,
		Client: httpapi.ClientAddr(r)}
	if err := a.Sink.Publish(r.Context(), events.New(ev, a.Clock.Now(), "qa/api", a.Tenant)); err != nil {
		return fmt.Errorf("recording the access audit: %w", err)
	}
	return nil
}

// auditedRecording finds the request's recording and records the access, or answers the
// request itself with why not (false).
func (a *API) auditedRecording(w http.ResponseWriter, r *http.Request, p httpapi.Principal, action string) (events.RecordingStored, bool) {
	rec, err := a.recordingFor(clipID(r.PathValue("id")), p)
	if err != nil {
		fail(w, err)
		return rec, false
	}
	if err := a.audit(r, rec, p, action); err != nil {
		httpapi.Fail(w, r, http.StatusServiceUnavailable, "recording the access audit", err)
		return rec, false
	}
	return rec, true
}

func (a *API) recording(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	if rec, ok := a.auditedRecording(w, r, p, "metadata"); ok {
		httpapi.WriteJSON(w, http.StatusOK, rec)
	}
}

func (a *API) audio(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	action := "play"
	switch {
	case r.Method == http.MethodHead:
		action = "metadata" // the headers tell the size, not a second of the call
	case r.URL.Query().Get("download") == "1":
		action = "download"
	}
	rec, ok := a.auditedRecording(w, r, p, action)
	if !ok {
		return
	}
	if action == "download" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", rec.CallID+".wav"))
	}
	f, err := a.Store.Open(rec.RecordingID)
	if err != nil {
		failStore(w, r, "opening the recording", err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("ETag", `"`+rec.RecordingID+`"`) // content-addressed: the id is the strongest validator
	w.Header().Set("Cache-Control", "no-store")     // a call's audio stays in no browser or proxy cache
	// ServeContent answers Range (206 with Content-Range, multipart for several ranges), If-Range
	// and HEAD, which is what a browser's <audio> element needs to seek.
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (a *API) peaks(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	buckets := 1000
	if s := r.URL.Query().Get("buckets"); s != "" {
		var err error
		if buckets, err = strconv.Atoi(s); err != nil || buckets < 1 || buckets > 100000 {
			// Checked before the access is audited: a refused request reads nothing.
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("buckets: %q is not a whole number in 1..100000", clipID(s)))
			return
		}
	}
	rec, ok := a.auditedRecording(w, r, p, "peaks")
	if !ok {
		return
	}
	f, err := a.Store.Open(rec.RecordingID)
	if err != nil {
		failStore(w, r, "opening the recording", err)
		return
	}
	defer f.Close()
	pk, err := ComputePeaks(r.Context(), f, buckets)
	if err != nil {
		failStore(w, r, "reading the recording's peaks", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, pk)
}

func (a *API) analysis(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	rec, ok := a.auditedRecording(w, r, p, "analysis")
	if !ok {
		return
	}
	an, err := a.analysisOf(r.Context(), rec.RecordingID)
	if err != nil {
		failStore(w, r, "analysing the recording", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"recording_id": rec.RecordingID, "call_id": rec.CallID, "analysis": an})
}

func (a *API) analysisOf(ctx context.Context, id string) (Analysis, error) {
	a.mu.Lock()
	an, ok := a.analyses[id]
	a.mu.Unlock()
	if ok {
		return an, nil
	}
	f, err := a.Store.Open(id)
	if err != nil {
		return Analysis{}, err
	}
	defer f.Close()
	an, err = Analyze(ctx, f, a.Analyzer)
	if err != nil {
		return Analysis{}, err
	}
	a.mu.Lock()
	if len(a.analyses) >= maxCachedAnalyses {
		clear(a.analyses) // crude, but bounded: a re-analysis costs milliseconds
	}
	a.analyses[id] = an
	a.mu.Unlock()
	return an, nil
}

func (a *API) scorecards(w http.ResponseWriter, r *http.Request, _ httpapi.Principal) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"scorecards": httpapi.Encodable(r, a.Cards.List())})
}

func (a *API) scorecard(w http.ResponseWriter, r *http.Request, _ httpapi.Principal) {
	v := 0
	if s := r.URL.Query().Get("version"); s != "" {
		var err error
		if v, err = strconv.Atoi(s); err != nil || v < 1 {
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("version: %q is not a positive whole number", clipID(s)))
			return
		}
	}
	sc, err := a.Cards.Get(clipID(r.PathValue("id")), v)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, sc)
}

func (a *API) addScorecard(w http.ResponseWriter, r *http.Request, _ httpapi.Principal) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpapi.MaxBodyBytes))
	if err != nil {
		httpapi.Error(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	sc, err := ParseScorecard(b) // YAML; JSON is YAML too
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.Cards.Publish(r.Context(), sc); err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, sc)
}

// visible says whether p may see ev: agents their own regular evaluations; QA staff everything
// except calibration scores of a session they have yet to score (blind).
func (a *API) visible(ev Evaluation, p httpapi.Principal) bool {
	if p.Role == httpapi.RoleAgent {
		return ev.Agent == p.AgentID && ev.Kind == "regular"
	}
	if ev.Kind == "calibration" && ev.Evaluator != p.User {
		for _, s := range a.Evals.Calibrations(p.User) {
			if s.ID == ev.CalibrationID && slices.Contains(s.Evaluators, p.User) && s.Submitted[p.User] == "" {
				return false
			}
		}
	}
	return true
}

func (a *API) evaluations(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	q := r.URL.Query()
	f := Filter{Agent: q.Get("agent"), Evaluator: q.Get("evaluator"), CallID: q.Get("call"), IncludeCalibration: q.Get("calibration") == "1"}
	if p.Role == httpapi.RoleAgent {
		f.Agent, f.IncludeCalibration = p.AgentID, false
	}
	out := []Evaluation{}
	for _, ev := range a.Evals.List(f) {
		if a.visible(ev, p) {
			out = append(out, ev)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"evaluations": out})
}

func (a *API) evaluation(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	ev, ok := a.Evals.Get(r.PathValue("id"))
	if !ok || !a.visible(ev, p) {
		fail(w, fmt.Errorf("evaluation %s: %w", clipID(r.PathValue("id")), ErrNotFound))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ev)
}

func (a *API) submit(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	var in EvaluationInput
	if err := httpapi.DecodeJSON(w, r, &in); err != nil {
		return
	}
	if err := in.check(); err != nil {
		fail(w, err)
		return
	}
	if err := a.checkCall(r.Context(), in.CallID, in.Agent); err != nil {
		a.failLookup(w, r, err)
		return
	}
	if err := a.checkRecording(&in); err != nil {
		fail(w, err)
		return
	}
	ev, err := a.Evals.Submit(r.Context(), p.User, in)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, ev)
}

// found answers 404 for an evaluation the principal may not see, exactly as GET does: a blind
// calibration's scores are not revealed by a different answer to a write (409 against 404).
func (a *API) found(w http.ResponseWriter, r *http.Request, p httpapi.Principal) bool {
	ev, ok := a.Evals.Get(r.PathValue("id"))
	if !ok || !a.visible(ev, p) {
		fail(w, fmt.Errorf("evaluation %s: %w", clipID(r.PathValue("id")), ErrNotFound))
		return false
	}
	return true
}

// lookupError is a call directory that could not answer: the server's problem, not the request's.
type lookupError struct{ err error }

func (e lookupError) Error() string { return e.err.Error() }
func (e lookupError) Unwrap() error { return e.err }

// checkCall checks that callID exists and agent handled it.
func (a *API) checkCall(ctx context.Context, callID, agent string) error {
	if callID == "" || agent == "" {
		return errors.New("call_id and agent_id are required")
	}
	h, err := a.Calls.Handlers(ctx, []string{callID})
	if err != nil {
		return lookupError{err}
	}
	return checkHandled(h, callID, agent)
}

// checkCandidates checks a sampling request's own candidates: bounded, each a real call of the
// agent it names; and its evaluators bounded.
func (a *API) checkCandidates(ctx context.Context, req sampleRequest) error {
	if len(req.Candidates) > maxCandidates {
		return fmt.Errorf("candidates: %d, at most %d", len(req.Candidates), maxCandidates)
	}
	if err := checkEvaluators(req.Evaluators); err != nil {
		return err
	}
	ids := make([]string, len(req.Candidates))
	for i, c := range req.Candidates {
		if err := errors.Join(checkLen("candidates.call_id", c.CallID, maxIDLen), checkLen("candidates.agent_id", c.Agent, maxIDLen),
			checkLen("candidates.business_line", c.Line, maxIDLen), checkLen("candidates.recording_id", c.RecordingID, maxIDLen)); err != nil {
			return err
		}
		if !finite(c.HandleSec) || !finite(c.LongestSilenceSec) || !finite(c.OvertalkRatio) || c.CSAT < 0 || c.CSAT > 5 {
			return fmt.Errorf("candidates: call %s has a figure out of range", clipID(c.CallID))
		}
		ids[i] = c.CallID
	}
	h, err := a.Calls.Handlers(ctx, ids)
	if err != nil {
		return lookupError{err}
	}
	for _, c := range req.Candidates {
		if err := checkHandled(h, c.CallID, c.Agent); err != nil {
			return fmt.Errorf("candidates: %v", err) // the body's mistake: 400, not 404
		}
	}
	return nil
}

// failLookup answers a check's error: a directory that could not answer is a 503 whose detail
// goes to the log; the request's mistakes are what fail makes of them.
func (a *API) failLookup(w http.ResponseWriter, r *http.Request, err error) {
	if le, ok := errors.AsType[lookupError](err); ok {
		httpapi.Fail(w, r, http.StatusServiceUnavailable, "looking up the call", le.err)
		return
	}
	fail(w, err)
}

// checkRecording ties an evaluation to the call's recording and keeps timestamps inside it.
func (a *API) checkRecording(in *EvaluationInput) error {
	if in.RecordingID == "" {
		if recs := a.Store.ByCall(in.CallID); len(recs) > 0 {
			in.RecordingID = recs[0].RecordingID
		}
	}
	if in.RecordingID == "" {
		return nil
	}
	rec, ok := a.Store.Get(in.RecordingID)
	if !ok {
		return fmt.Errorf("recording %s: %w", in.RecordingID, ErrNotFound)
	}
	if rec.CallID != in.CallID {
		return fmt.Errorf("recording %s is of call %s, not %s", rec.RecordingID, rec.CallID, in.CallID)
	}
	for _, ans := range in.Answers {
		if ans.AtSec != nil && (*ans.AtSec < 0 || *ans.AtSec > rec.DurationSec) {
			return fmt.Errorf("item %s: timestamp %.1f s is outside the %.1f s recording", ans.Item, *ans.AtSec, rec.DurationSec)
		}
	}
	return nil
}

type amendRequest struct {
	Answers []Answer `json:"answers"`
	Comment string   `json:"comment"`
}

func (a *API) amend(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	var req amendRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if !a.found(w, r, p) {
		return
	}
	if err := errors.Join(checkAnswers(req.Answers), checkLen("comment", req.Comment, maxTextLen)); err != nil {
		fail(w, err)
		return
	}
	ev, err := a.Evals.Amend(r.Context(), p.User, r.PathValue("id"), req.Answers, req.Comment)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, ev)
}

type disputeRequest struct {
	Reason string `json:"reason"`
}

func (a *API) dispute(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	var req disputeRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if !a.found(w, r, p) {
		return
	}
	if err := checkLen("reason", req.Reason, maxTextLen); err != nil {
		fail(w, err)
		return
	}
	ev, err := a.Evals.Dispute(r.Context(), p.AgentID, r.PathValue("id"), req.Reason)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ev)
}

type resolveRequest struct {
	Uphold  bool     `json:"uphold"`
	Answers []Answer `json:"answers,omitempty"`
	Note    string   `json:"note"`
}

func (a *API) resolve(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	var req resolveRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if !a.found(w, r, p) {
		return
	}
	if err := errors.Join(checkAnswers(req.Answers), checkLen("note", req.Note, maxTextLen)); err != nil {
		fail(w, err)
		return
	}
	ev, err := a.Evals.Resolve(r.Context(), p.User, r.PathValue("id"), req.Uphold, req.Answers, req.Note)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ev)
}

func (a *API) calibrations(w http.ResponseWriter, _ *http.Request, p httpapi.Principal) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"calibrations": nonNil(a.Evals.Calibrations(p.User))})
}

func (a *API) createCalibration(w http.ResponseWriter, r *http.Request, p httpapi.Principal) {
	var s CalibrationSession
	if err := httpapi.DecodeJSON(w, r, &s); err != nil {
		return
	}
	if err := errors.Join(checkEvaluators(s.Evaluators), checkLen("call_id", s.CallID, maxIDLen), checkLen("agent_id", s.Agent, maxIDLen),
		checkLen("scorecard_id", s.Scorecard, maxIDLen), checkLen("recording_id", s.RecordingID, maxIDLen)); err != nil {
		fail(w, err)
		return
	}
	if err := a.checkCall(r.Context(), s.CallID, s.Agent); err != nil {
		a.failLookup(w, r, err)
		return
	}
	out, err := a.Evals.CreateCalibration(r.Context(), p.User, s)
	if err != nil {
		fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
}

func (a *API) calibrationReport(w http.ResponseWriter, _ *http.Request, p httpapi.Principal) {
	rep, err := a.Evals.CalibrationReport(p.User)
	if err != nil {
		fail(w, err)
		return
	}
	rep.Sessions, rep.Evaluators = nonNil(rep.Sessions), nonNil(rep.Evaluators)
	httpapi.WriteJSON(w, http.StatusOK, rep)
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// weekStart is Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}
