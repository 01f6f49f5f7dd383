package qa

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/statedb/statedbtest"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

func TestWeekStart(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-05-04T00:00:00Z", "2026-05-04"}, // Monday
		{"2026-05-10T23:59:59Z", "2026-05-04"}, // Sunday
		{"2026-05-06T12:00:00Z", "2026-05-04"},
		{"2027-01-01T08:00:00Z", "2026-12-28"}, // across a year
	} {
		at, _ := time.Parse(time.RFC3339, c.in)
		if got := weekStart(at).Format(time.DateOnly); got != c.want {
			t.Errorf("weekStart(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// Run applies retention at once (and then on its schedule) and returns when the context ends.
func TestServiceRunRetention(t *testing.T) {
	sink := &collect{}
	svc, err := NewService(DefaultConfig(t.TempDir()), sink, clock.Real{}, "GD", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := synthFile(t, Timeline{{SegAgent, time.Second}}, 8000, 1)
	f.Seek(0, 0)
	old := time.Now().Add(-3 * Year)
	if _, err := svc.Store.Put(context.Background(), f, RecordingMeta{CallID: "c1", RecordedAt: old}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for (len(sink.ofType("recording.deleted")) == 0 || len(svc.Store.List()) > 0) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(svc.Store.List()); n != 0 {
		t.Errorf("%d recordings left past their retention", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestHelperQAService is not a test: run as a child process by TestQAStateSurvivesSIGKILL, it
// serves the QA API on the state file of QA_HELPER_DIR, relays the outbox to Kafka, and makes
// changes through the API, printing each one ("ACK kind ids...") once it was answered 2xx,
// until it is killed.
func TestHelperQAService(t *testing.T) {
	dir := os.Getenv("QA_HELPER_DIR")
	if dir == "" {
		return
	}
	round := os.Getenv("QA_HELPER_ROUND")
	db := openState(t, dir)
	f := newAPIFixtureIn(t, dir, db)
	pub := events.NewPublisher(events.PublisherConfig{Brokers: []string{os.Getenv("QA_HELPER_BROKERS")}, TopicPrefix: os.Getenv("QA_HELPER_PREFIX")})
	go db.RunOutbox(context.Background(), pub, slog.New(slog.NewTextHandler(io.Discard, nil))) //nolint:errcheck // runs until killed
	post := func(who, path string, payload any, want int) string {
		b, _ := json.Marshal(payload)
		resp := f.do(t, who, "POST", path, string(b))
		out := body(t, resp)
		if resp.StatusCode != want {
			t.Fatalf("POST %s by %s: %d %s", path, who, resp.StatusCode, out)
		}
		var x struct{ ID string }
		json.Unmarshal([]byte(out), &x)
		return x.ID
	}
	ack := func(kind string, ids ...string) { fmt.Println("ACK", kind, strings.Join(ids, " ")) }
	submit := func(who, call, agent, calib string) string {
		return post(who, "/api/qa/evaluations", EvaluationInput{CallID: call, Agent: agent, Scorecard: "t", CalibrationID: calib, Answers: answers(map[string]string{"b2": "no"})}, 201)
	}
	card := loadTestCard(t)
	for i := 0; ; i++ {
		call := fmt.Sprintf("r%s-%d", round, i)
		ev := submit("qa1", call, "ag1", "")
		ack("E", ev, call)
		switch i % 4 {
		case 0, 2:
			post("ag1", "/api/qa/evaluations/"+ev+"/dispute", disputeRequest{Reason: "it was offered"}, 200)
			ack("D", ev)
			if i%4 == 0 {
				post("lead", "/api/qa/evaluations/"+ev+"/resolve", resolveRequest{Uphold: true, Note: "not offered"}, 200)
				ack("U", ev)
			} else {
				ack("R", post("lead", "/api/qa/evaluations/"+ev+"/resolve", resolveRequest{Answers: answers(nil), Note: "agreed"}, 200), ev)
			}
		case 1:
			ack("M", post("qa2", "/api/qa/evaluations/"+ev+"/amend", amendRequest{Answers: answers(nil)}, 201), ev)
		}
		if i%5 == 0 {
			s := post("lead", "/api/qa/calibrations", CalibrationSession{CallID: call, Agent: "ag1", Scorecard: "t", Evaluators: []string{"qa1", "qa2"}}, 201)
			ack("C", s)
			ack("K", submit("qa1", call, "ag1", s), s)
		}
		if i%6 == 0 {
			agent := "s" + call
			var plan struct{ Assigned []Assignment }
			b, _ := json.Marshal(sampleRequest{Candidates: calls(agent, "inquiry", 2, 0), Evaluators: []string{"qa1"}})
			resp := f.do(t, "lead", "POST", "/api/qa/sample", string(b))
			if json.NewDecoder(resp.Body).Decode(&plan); resp.StatusCode != 200 || len(plan.Assigned) != 2 {
				t.Fatalf("sample: %d %+v", resp.StatusCode, plan)
			}
			for _, a := range plan.Assigned {
				ack("S", a.CallID)
			}
			c := plan.Assigned[0].CallID
			ack("E", submit("qa1", c, agent, ""), c)
		}
		if i%10 == 0 {
			card.ID = "card-" + call
			b, _ := yaml.Marshal(card)
			if resp := f.do(t, "admin", "POST", "/api/qa/scorecards", string(b)); resp.StatusCode != 201 {
				t.Fatalf("publishing a scorecard: %d", resp.StatusCode)
			}
			ack("P", card.ID)
		}
	}
}

// A QA service killed with SIGKILL at random points while it scores, amends, disputes,
// resolves, opens calibration sessions, samples and publishes scorecards (three times, each
// start continuing on the same state file): afterwards every acknowledged change is there, at
// most the one change in flight at each kill is there unacknowledged (whole), a call already
// evaluated cannot be evaluated again, and Kafka holds exactly one event_id for each change
// the state holds, none for anything else (the outbox may send an event again after a kill,
// with the same event_id).
func TestQAStateSurvivesSIGKILL(t *testing.T) {
	brokers := testenv.Kafka(t)
	prefix := testenv.TopicPrefix(t)
	topic := prefix + events.TopicOf(events.TypeQAEvaluation)
	testenv.CreateTopic(t, brokers, topic, 1)
	dir := t.TempDir()
	var acks [][]string
	const rounds = 3
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperQAService$")
		cmd.Env = append(os.Environ(), "QA_HELPER_DIR="+dir, "QA_HELPER_ROUND="+strconv.Itoa(round),
			"QA_HELPER_BROKERS="+brokers, "QA_HELPER_PREFIX="+prefix)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n, want := 0, 60+45*round // kill points that differ from round to round
		var other []string
		for n < want && sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "ACK" {
				acks = append(acks, f[1:])
				n++
			} else {
				other = append(other, sc.Text())
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if n < want {
			t.Fatalf("round %d: the service stopped after %d changes:\n%s\n%s", round, n, strings.Join(other, "\n"), stderr.String())
		}
	}

	db := openState(t, dir)
	defer db.Close()
	f := newAPIFixtureIn(t, dir, db)
	get := func(id string) Evaluation {
		t.Helper()
		ev, ok := f.svc.Evals.Get(id)
		if !ok {
			t.Fatalf("acknowledged evaluation %s is gone", id)
		}
		return ev
	}
	type change struct{ evaluation, status string }
	ackedEvals := 0
	evaluatedBy := map[string]string{} // call → evaluation
	for _, a := range acks {
		switch a[0] {
		case "E":
			ackedEvals++
			if ev := get(a[1]); ev.CallID != a[2] {
				t.Errorf("evaluation %s is of call %s, acknowledged for %s", a[1], ev.CallID, a[2])
			}
			evaluatedBy[a[2]] = a[1]
		case "D":
			if ev := get(a[1]); ev.Dispute == nil {
				t.Errorf("acknowledged dispute of %s is gone", a[1])
			}
		case "U":
			if ev := get(a[1]); ev.Status != "upheld" || ev.Dispute == nil || ev.Dispute.Resolution != "upheld" {
				t.Errorf("upheld evaluation %s: %+v", a[1], ev)
			}
		case "R", "M":
			ackedEvals++
			nv, orig := get(a[1]), get(a[2])
			if nv.Amends != orig.ID || orig.SupersededBy != nv.ID || (a[0] == "R" && (orig.Dispute == nil || orig.Dispute.Resolution != "amended")) {
				t.Errorf("amendment %s of %s: %+v / %+v", nv.ID, orig.ID, nv, orig)
			}
		case "C":
			if !slices.ContainsFunc(f.svc.Evals.Calibrations("lead"), func(s CalibrationSession) bool { return s.ID == a[1] }) {
				t.Errorf("calibration session %s is gone", a[1])
			}
		case "K":
			ackedEvals++
			if ev := get(a[1]); ev.CalibrationID != a[2] {
				t.Errorf("calibration evaluation %s: %+v", a[1], ev)
			}
		case "S":
			if _, ok := f.svc.Sampler.Assignment(a[1]); !ok {
				t.Errorf("assignment of %s is gone", a[1])
			}
		case "P":
			if _, err := f.svc.Cards.Get(a[1], 1); err != nil {
				t.Errorf("published scorecard: %v", err)
			}
		}
	}
	for call, ev := range evaluatedBy {
		if as, ok := f.svc.Sampler.Assignment(call); ok && as.EvaluationID != ev {
			t.Errorf("assignment of %s not closed by its evaluation %s: %+v", call, ev, as)
		}
		b, _ := json.Marshal(EvaluationInput{CallID: call, Agent: "ag1", Scorecard: "t", Answers: answers(nil)})
		if resp := f.do(t, "qa2", "POST", "/api/qa/evaluations", string(b)); resp.StatusCode != 409 {
			t.Errorf("call %s evaluated again after the restart: %d", call, resp.StatusCode)
		}
	}
	all := f.svc.Evals.List(Filter{IncludeCalibration: true})
	if extra := len(all) - ackedEvals; extra < 0 || extra > rounds {
		t.Errorf("%d evaluations kept for %d acknowledged: more than one change in flight per kill", len(all), ackedEvals)
	}
	// The changes the state holds, each whole (an amendment with its superseded original) and
	// each to be announced once.
	want := map[change]bool{}
	for _, ev := range all {
		if orig, ok := f.svc.Evals.Get(ev.Amends); ev.Amends != "" && (!ok || orig.SupersededBy != ev.ID) {
			t.Errorf("amendment %s kept without its original %s marked superseded", ev.ID, ev.Amends)
		}
		want[change{ev.ID, map[bool]string{true: "amended", false: "submitted"}[ev.Amends != ""]}] = true
		if ev.Dispute != nil {
			want[change{ev.ID, "disputed"}] = true
		}
		if ev.Status == "upheld" {
			want[change{ev.ID, "upheld"}] = true
		}
	}

	pub := events.NewPublisher(events.PublisherConfig{Brokers: []string{brokers}, TopicPrefix: prefix})
	defer pub.Close()
	statedbtest.Drain(t, db, pub)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := kafka.DialLeader(ctx, "tcp", brokers, topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	last, err := conn.ReadLastOffset()
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokers}, Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	idsOf := map[change]map[string]bool{}
	for off := int64(0); off < last; {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("reading %s at %d of %d: %v", topic, off, last, err)
		}
		off = m.Offset + 1
		ev := statedbtest.Decode(t, m)
		p := ev.Payload.(events.QAEvaluation)
		c := change{p.EvaluationID, p.Status}
		if !want[c] {
			t.Errorf("event %s announces %v, which the state does not hold", ev.EventID, c)
		}
		if idsOf[c] == nil {
			idsOf[c] = map[string]bool{}
		}
		idsOf[c][ev.EventID.String()] = true
	}
	for c := range want {
		if n := len(idsOf[c]); n != 1 {
			t.Errorf("change %v went to Kafka with %d event ids, want 1", c, n)
		}
	}
	t.Logf("%d acknowledged changes, %d evaluations, %d changes announced in %d messages", len(acks), len(all), len(want), last)
}
