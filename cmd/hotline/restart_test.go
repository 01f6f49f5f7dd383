package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// TestHelperHotlineRun is not a test: as a child process of the restart tests it is `hotline
// run`, configured by the environment they give it.
func TestHelperHotlineRun(t *testing.T) {
	if os.Getenv("HOTLINE_TEST_CHILD_RUN") == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, []string{"run"}, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild is one `hotline run` in a child process on a data dir and database of a test.
type runChild struct {
	cmd     *exec.Cmd
	httpURL string
	ready   chan struct{}
	// passwords are the first-start accounts' passwords hotline run printed, by user.
	passwords map[string]string
}

// startRun starts `hotline run` and returns once its simulator has caught up with the clock.
func startRun(t *testing.T, chAddr, database, dataDir string) *runChild {
	t.Helper()
	port := testenv.FreePorts(t, 1)[0]
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHotlineRun$")
	cmd.Env = append(os.Environ(), "HOTLINE_TEST_CHILD_RUN=1",
		"HOTLINE_CLICKHOUSE_ADDR="+chAddr, "HOTLINE_CLICKHOUSE_DATABASE="+database, "HOTLINE_DATA_DIR="+dataDir,
		fmt.Sprintf("HOTLINE_HTTP_ADDR=127.0.0.1:%d", port), "HOTLINE_KAFKA_EMBEDDED_PORT=0", "HOTLINE_INGEST_FLUSH_INTERVAL=200ms")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &runChild{cmd: cmd, httpURL: fmt.Sprintf("http://127.0.0.1:%d", port), ready: make(chan struct{}), passwords: map[string]string{}}
	banner := make(chan struct{})
	go func() {
		var once sync.Once
		defer once.Do(func() { close(banner) })
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // read to the end, so the child never blocks on a full pipe
			if f := strings.Fields(sc.Text()); len(f) >= 3 && (strings.HasPrefix(f[0], "demo-") || f[0] == "admin") {
				c.passwords[f[0]] = f[1]
			}
			if strings.HasPrefix(sc.Text(), "Stop with Ctrl-C") {
				once.Do(func() { close(banner) })
			}
		}
	}()
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "hotline:") {
				t.Logf("hotline run: %s", line)
			}
			if !once && strings.Contains(line, "simulator backfill done") {
				once = true
				close(c.ready)
			}
		}
	}()
	select {
	case <-c.ready:
	case <-time.After(4 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("hotline run did not finish its backfill in 4 minutes")
	}
	<-banner
	return c
}

// healthy fails unless /healthz says ok: after a restart ingest must take its topics back (a
// broker that lost its data would make it refuse them).
func (c *runChild) healthy(t *testing.T, when string) {
	t.Helper()
	resp, err := http.Get(c.httpURL + "/healthz")
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: /healthz answered %d: %s", when, resp.StatusCode, body)
	}
}

func (c *runChild) kill(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

func (c *runChild) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("hotline run did not stop cleanly on SIGINT: %v", err)
		}
	case <-time.After(time.Minute):
		_ = c.cmd.Process.Kill()
		t.Error("hotline run did not stop within a minute of SIGINT")
	}
}

// settled waits until ClickHouse's call records stop changing for a few seconds: ingest has
// stored what the run published so far.
func settled(t *testing.T, conn driver.Conn) {
	t.Helper()
	ctx := context.Background()
	var last uint64
	stable := 0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM call_records").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == last && n > 0 {
			if stable++; stable >= 4 {
				return
			}
		} else {
			stable = 0
		}
		last = n
	}
	t.Fatal("call records kept changing for 2 minutes")
}

// dayFigures are what a manager reads of the calls that arrived before cutoff: the count per
// outcome, with the interrupted calls apart (a stop adds those, and only those).
func dayFigures(t *testing.T, conn driver.Conn, cutoff time.Time) map[string]uint64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT outcome, count() FROM call_records WHERE arrived_at < ? AND outcome != 'interrupted' GROUP BY outcome", cutoff)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var o string
		var n uint64
		if err := rows.Scan(&o, &n); err != nil {
			t.Fatal(err)
		}
		out[o] = n
	}
	return out
}

// noneTwice fails when any fact was stored twice: a call id or an event id on two rows.
func noneTwice(t *testing.T, conn driver.Conn, when string) {
	t.Helper()
	for _, table := range []string{"call_records", "call_events", "agent_states", "dial_attempts", "recordings", "qa_evaluations"} {
		var rows, ids uint64
		if err := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(event_id) FROM "+table).Scan(&rows, &ids); err != nil {
			t.Fatal(err)
		}
		if rows != ids {
			var copies []string
			_ = conn.QueryRow(context.Background(), "SELECT groupArray(concat(toString(event_id), ' ', kafka_topic, '/', toString(kafka_partition), '@', toString(kafka_offset))) FROM "+table+
				" WHERE event_id IN (SELECT event_id FROM "+table+" GROUP BY event_id HAVING count() > 1)").Scan(&copies)
			t.Errorf("%s: %s holds %d rows for %d event ids; the copies: %v", when, table, rows, ids, copies)
		}
	}
	var rows, calls uint64
	if err := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(call_id) FROM call_records").Scan(&rows, &calls); err != nil {
		t.Fatal(err)
	}
	if rows != calls {
		t.Errorf("%s: call_records holds %d records for %d calls", when, rows, calls)
	}
}

// A restart of `hotline run` on the same data dir, after a SIGKILL or a clean stop, carries on:
// the simulated day is not played again, no event or call is stored twice, and the figures of
// what had happened are the same after every restart.
func TestRunRestartsContinueNeverReplay(t *testing.T) {
	addr := testenv.ClickHouse(t)
	database := testenv.NewDatabase(t, addr)
	dataDir := t.TempDir()

	first := startRun(t, addr, database, dataDir)
	conn, err := chdb.Open(context.Background(), chdb.Options{Addr: addr, Database: database})
	if err != nil {
		first.kill(t)
		t.Fatal(err)
	}
	defer conn.Close()
	settled(t, conn)
	cutoff := time.Now().Add(-time.Minute).UTC()
	first.kill(t)

	second := startRun(t, addr, database, dataDir)
	settled(t, conn)
	second.healthy(t, "after a SIGKILL and a restart")
	noneTwice(t, conn, "after a SIGKILL and a restart")
	afterKill := dayFigures(t, conn, cutoff)
	second.stop(t)

	third := startRun(t, addr, database, dataDir)
	settled(t, conn)
	third.healthy(t, "after a clean stop and a restart")
	noneTwice(t, conn, "after a clean stop and a restart")
	afterStop := dayFigures(t, conn, cutoff)
	third.stop(t)

	if len(afterKill) == 0 || afterKill["answered"] == 0 {
		t.Fatalf("the simulated day left no answered calls: %v", afterKill)
	}
	if fmt.Sprint(afterKill) != fmt.Sprint(afterStop) {
		t.Errorf("calls before %s per outcome differ between restarts:\n after the kill %v\n after the stop %v", cutoff, afterKill, afterStop)
	}
}

// person is a signed-in user of a running hotline, with the session cookie a browser keeps.
type person struct {
	base string
	c    *http.Client
}

func signIn(t *testing.T, run *runChild, user, password string) *person {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &person{base: run.httpURL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	if code, out := p.send("POST", "/api/session", body); code != http.StatusOK {
		t.Fatalf("signing in as %s: %d %s", user, code, out)
	}
	return p
}

// send makes a request and returns its status and body; a request cut off by a kill is status 0.
func (p *person) send(method, path string, body []byte) (int, []byte) {
	req, err := http.NewRequest(method, p.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (p *person) get(t *testing.T, path string, into any) {
	t.Helper()
	code, body := p.send("GET", path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// answersFor answers every item of a scorecard well: yes, or the top of its scale.
func answersFor(t *testing.T, qa *person, card string) []map[string]string {
	t.Helper()
	var sc struct {
		Sections []struct {
			Items []struct {
				ID, Type string
				Max      int
			}
		}
	}
	qa.get(t, "/api/qa/scorecards/"+card, &sc)
	var out []map[string]string
	for _, s := range sc.Sections {
		for _, it := range s.Items {
			v := "yes"
			if it.Type != "yes_no" {
				v = strconv.Itoa(it.Max)
			}
			out = append(out, map[string]string{"item": it.ID, "value": v})
		}
	}
	if len(out) == 0 {
		t.Fatalf("scorecard %s has no items", card)
	}
	return out
}

// hotline run is SIGKILLed while a manager creates and stops campaigns and a QA reviewer scores
// calls: after the restart every change the API acknowledged is there, the stopped campaigns
// stay stopped, a scored call cannot be scored again, and no event is stored twice.
func TestRunSIGKILLKeepsWhatPeopleDid(t *testing.T) {
	addr := testenv.ClickHouse(t)
	database := testenv.NewDatabase(t, addr)
	dataDir := t.TempDir()
	ctx := context.Background()

	first := startRun(t, addr, database, dataDir)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: database})
	if err != nil {
		first.kill(t)
		t.Fatal(err)
	}
	defer conn.Close()
	settled(t, conn)
	passwords := first.passwords
	mgr := signIn(t, first, "demo-manager", passwords["demo-manager"])
	qa := signIn(t, first, "demo-qa", passwords["demo-qa"])

	type scored struct{ call, agent string }
	var calls []scored
	rows, err := conn.Query(ctx, "SELECT call_id, agent_id FROM call_records WHERE outcome = 'answered' ORDER BY call_id LIMIT 60")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c scored
		if err := rows.Scan(&c.call, &c.agent); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	rows.Close()
	if len(calls) < 10 {
		t.Fatalf("only %d answered calls to score", len(calls))
	}
	answers := answersFor(t, qa, "insurance-hotline")

	var mu sync.Mutex
	created, stopped, evaluated := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var wg sync.WaitGroup
	wg.Add(2)
	// Each works at a person's pace, under the server's rate limit (50 requests a second).
	const pace = 50 * time.Millisecond
	go func() { // the manager
		defer wg.Done()
		for i := 0; ; i++ {
			time.Sleep(pace)
			id := fmt.Sprintf("pd-kill-%d", i)
			body := fmt.Sprintf(`{"id":%q,"type":"premium_due","script":"PD","list":{"source":"book","due_in_days":5}}`, id)
			code, _ := mgr.send("POST", "/api/campaigns", []byte(body))
			if code == 0 {
				return
			}
			if code != http.StatusCreated {
				t.Errorf("creating %s: %d", id, code)
				return
			}
			mu.Lock()
			created[id] = true
			mu.Unlock()
			if i%2 == 0 {
				code, _ := mgr.send("POST", "/api/campaigns/"+id+"/stop", nil)
				if code == 0 {
					return
				}
				if code == http.StatusOK {
					mu.Lock()
					stopped[id] = true
					mu.Unlock()
				}
			}
		}
	}()
	go func() { // the QA reviewer
		defer wg.Done()
		for _, c := range calls {
			time.Sleep(pace)
			body, _ := json.Marshal(map[string]any{"call_id": c.call, "agent_id": c.agent, "scorecard_id": "insurance-hotline", "answers": answers})
			code, out := qa.send("POST", "/api/qa/evaluations", body)
			if code == 0 {
				return
			}
			if code != http.StatusCreated {
				t.Errorf("scoring %s: %d %s", c.call, code, out)
				return
			}
			mu.Lock()
			evaluated[c.call] = true
			mu.Unlock()
		}
	}()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		enough := len(created) >= 6 && len(evaluated) >= 5
		mu.Unlock()
		if enough || time.Now().After(deadline) {
			break
		}
	}
	first.kill(t)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(created) < 6 || len(evaluated) < 5 {
		t.Fatalf("only %d campaigns created and %d calls scored before the kill", len(created), len(evaluated))
	}

	second := startRun(t, addr, database, dataDir)
	defer second.stop(t)
	mgr = signIn(t, second, "demo-manager", passwords["demo-manager"])
	qa = signIn(t, second, "demo-qa", passwords["demo-qa"])
	var list struct {
		Campaigns []struct {
			Campaign struct{ ID string }
			State    string
		}
	}
	mgr.get(t, "/api/campaigns", &list)
	state := map[string]string{}
	for _, c := range list.Campaigns {
		state[c.Campaign.ID] = c.State
	}
	for id := range created {
		switch st, ok := state[id]; {
		case !ok:
			t.Errorf("campaign %s was created (201) and is gone after the restart", id)
		case stopped[id] && st != "stopped":
			t.Errorf("campaign %s was stopped (200) and is %s after the restart", id, st)
		}
	}
	for _, c := range calls {
		if !evaluated[c.call] {
			continue
		}
		var evs struct{ Evaluations []json.RawMessage }
		qa.get(t, "/api/qa/evaluations?call="+c.call, &evs)
		if len(evs.Evaluations) == 0 {
			t.Errorf("the evaluation of %s was acknowledged (201) and is gone after the restart", c.call)
		}
		body, _ := json.Marshal(map[string]any{"call_id": c.call, "agent_id": c.agent, "scorecard_id": "insurance-hotline", "answers": answers})
		if code, _ := qa.send("POST", "/api/qa/evaluations", body); code != http.StatusConflict {
			t.Errorf("scoring %s again after the restart: %d, want 409", c.call, code)
		}
	}
	settled(t, conn)
	noneTwice(t, conn, "after a SIGKILL during changes and a restart")
	var stored uint64
	if err := conn.QueryRow(ctx, "SELECT uniqExact(call_id) FROM qa_evaluations").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored < uint64(len(evaluated)) {
		t.Errorf("ClickHouse holds evaluations of %d calls, %d were acknowledged", stored, len(evaluated))
	}
}
