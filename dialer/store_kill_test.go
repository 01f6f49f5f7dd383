package dialer

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// The SIGKILL test's dialer runs on a simulated clock that follows the wall clock sped up
// killSpeed times from killStart, so that it goes on, after a restart, from where the killed
// process would have been, as `hotline run` does.
var killStart = time.Date(2026, 3, 2, 19, 30, 0, 0, time.FixedZone("CST", 8*3600))

const killSpeed = 7200

// helperReady is what the helper process prints once it serves the API.
type helperReady struct {
	URL    string            `json:"url"`
	SimNow time.Time         `json:"sim_now"`
	Tokens map[string]string `json:"tokens"`
}

// TestHelperDialerProcess is not a test: run as a child process by TestSIGKILLKeepsDialerState,
// it runs the dialer with the campaign, control and do-not-call APIs on a state file until it is
// killed.
func TestHelperDialerProcess(t *testing.T) {
	path := os.Getenv("DIALER_HELPER_STATE")
	if path == "" {
		return
	}
	epoch, err := strconv.ParseInt(os.Getenv("DIALER_HELPER_EPOCH"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	simNow := func() time.Time { return killStart.Add(time.Since(time.Unix(0, epoch)) * killSpeed) }
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	clk := clock.NewSim(simNow())
	db := openState(t, path)
	// Every call the carrier places is told to the test as it is placed: what the customers
	// lived through, whatever the state file kept.
	far := SeededFarEnd(7, 0.3, 3*time.Minute)
	witness := FarEndFunc(func(c Contact, at time.Time, maxRing time.Duration) FarEndAnswer {
		fmt.Printf("DIAL %s %s %s %d\n", c.CampaignID, c.ID, c.Phone, at.UnixNano())
		return far.Answer(c, at, maxRing)
	})
	svc, err := NewService(ServiceConfig{TeamSize: 3, Seed: 7}, Deps{Clock: clk, Book: newFakeBook(1500, killStart), FarEnd: witness, State: db,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	svc.Register(srv)
	svc.RegisterControl(srv)
	svc.RegisterDNC(srv, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, srv.Handler()) //nolint:errcheck // ends with the process
	ready := helperReady{URL: "http://" + ln.Addr().String(), SimNow: clk.Now(), Tokens: map[string]string{}}
	for _, r := range []httpapi.Role{httpapi.RoleManager, httpapi.RoleMarketer, httpapi.RoleAgent} {
		if ready.Tokens[string(r)], err = srv.Tokens().Generate(httpapi.Principal{User: "u-" + string(r), Role: r, AgentID: "A1", Tenant: httpapi.AllTenants}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(ready)
	fmt.Println(string(b))
	go svc.Run(ctx) //nolint:errcheck // flushes every FlushEvery
	// This goroutine alone drives the clock; API requests only queue work for its ticks.
	for ctx.Err() == nil {
		next := simNow()
		if step := clk.Now().Add(time.Minute); next.After(step) {
			next = step
		}
		clk.RunUntil(next)
		time.Sleep(time.Millisecond)
	}
}

// killChange is a change the test asked for and whether the API acknowledged it.
type killChange struct {
	campaign string // or "" for a do-not-call entry
	state    string // running, paused, stopped; "" for a creation or an entry
	phone    string
	list     string
	acked    bool
	round    int
}

// TestSIGKILLKeepsDialerState: the dialer is killed with SIGKILL at a random moment, three times,
// while the API creates, pauses, resumes and stops campaigns and lists numbers; after each restart
// every acknowledged change is there (a change in flight at the kill is there whole or not at
// all), a stopped campaign places no call, and across all runs no contact is dialled before its
// retry time or after its final outcome, and no attempt has two events.
func TestSIGKILLKeepsDialerState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "hotline.db")
	epoch := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(epoch), 1))
	var changes []*killChange
	var starts []time.Time // simulated time each run started at
	var dials []witnessedDial
	for round := 0; round < 5; round++ {
		cmd, ready, dialled := startHelper(t, path, epoch)
		starts = append(starts, ready.SimNow)
		checkAcked(t, ready, changes, round)
		if round == 4 {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			dials = append(dials, <-dialled...)
			break
		}
		// Changes until the kill, one at a time as a person would make them.
		killAt := time.Now().Add(time.Duration(1500+rng.IntN(1500)) * time.Millisecond)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				ch := nextChange(rng, changes, round, i)
				changes = append(changes, ch)
				code := apply(ready, ch)
				ch.acked = code >= 200 && code < 300
				if code == 0 { // no answer: killed
					return
				}
				time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
			}
		}()
		time.Sleep(time.Until(killAt))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		<-done
		dials = append(dials, <-dialled...)
	}
	acked := 0
	for _, c := range changes {
		if c.acked {
			acked++
		}
	}
	t.Logf("%d changes asked, %d acknowledged; runs started at %v", len(changes), acked, starts)
	if acked < 20 {
		t.Fatalf("only %d changes acknowledged: the test proves little", acked)
	}
	checkAttempts(t, path, changes, starts)
	checkDials(t, dials)
	checkCounted(t, path, dials)
}

// checkCounted: every call placed is counted in its contact's attempts in the state file (a
// call being placed when the process died counts as one), so none is forgotten by a restart.
func checkCounted(t *testing.T, path string, dials []witnessedDial) {
	t.Helper()
	placed := map[string]int{}
	for _, d := range dials {
		placed[d.campaign+"/"+d.contact]++
	}
	counted := map[string]int{}
	err := openState(t, path).View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query("SELECT campaign, id, attempts + (dialed_at <> 0) FROM dialer_contacts")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var campaign, id string
			var n int
			if err := rows.Scan(&campaign, &id, &n); err != nil {
				return err
			}
			counted[campaign+"/"+id] = n
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range placed {
		if counted[k] < n {
			t.Errorf("contact %s: %d calls placed, %d counted in the state file", k, n, counted[k])
		}
	}
}

// checkDials holds the calls placed in all runs to what a restart must not break: a contact is
// not dialled again sooner than the shortest retry of these campaigns (5 min). (The daily cap
// across campaigns is not checked here: calls to one number from several campaigns at once all
// pass it, restart or not, since the gate counts a call when it ends.)
func checkDials(t *testing.T, dials []witnessedDial) {
	t.Helper()
	last := map[string]time.Time{}
	for _, d := range dials {
		k := d.campaign + "/" + d.contact
		if prev, ok := last[k]; ok && d.at.Sub(prev) < 5*time.Minute {
			t.Errorf("contact %s dialled at %s and again at %s", k, prev.Format(time.TimeOnly), d.at.Format(time.TimeOnly))
		}
		last[k] = d.at
	}
	t.Logf("%d calls placed over all runs", len(dials))
}

// witnessedDial is a call the helper's carrier placed.
type witnessedDial struct {
	campaign, contact, phone string
	at                       time.Time
}

// startHelper starts the dialer process; dials gets every call it placed once it has ended.
func startHelper(t *testing.T, path string, epoch int64) (*exec.Cmd, helperReady, <-chan []witnessedDial) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDialerProcess$")
	cmd.Env = append(os.Environ(), "DIALER_HELPER_STATE="+path, "DIALER_HELPER_EPOCH="+strconv.FormatInt(epoch, 10))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readyc := make(chan helperReady, 1)
	dials := make(chan []witnessedDial, 1)
	go func() {
		var ds []witnessedDial
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var r helperReady
			if f := strings.Fields(sc.Text()); len(f) == 5 && f[0] == "DIAL" {
				n, _ := strconv.ParseInt(f[4], 10, 64)
				ds = append(ds, witnessedDial{f[1], f[2], f[3], time.Unix(0, n)})
			} else if json.Unmarshal(sc.Bytes(), &r) == nil && r.URL != "" {
				readyc <- r
			}
		}
		close(readyc)
		dials <- ds
	}()
	r, ok := <-readyc
	if !ok {
		_ = cmd.Wait()
		t.Fatal("the dialer process ended before serving")
	}
	return cmd, r, dials
}

// nextChange picks the next change: mostly new campaigns and state changes of known ones, and
// do-not-call entries; renewal-30d is stopped in the first run.
func nextChange(rng *rand.Rand, changes []*killChange, round, i int) *killChange {
	if round == 0 && i == 3 {
		return &killChange{campaign: "renewal-30d", state: StateStopped, round: round}
	}
	var created []string // acknowledged and not stopped
	for _, c := range changes {
		switch {
		case c.state == "" && c.campaign != "" && c.acked:
			created = append(created, c.campaign)
		case c.state == StateStopped && c.acked:
			created = slices.DeleteFunc(created, func(id string) bool { return id == c.campaign })
		}
	}
	switch n := rng.IntN(10); {
	case len(created) == 0 || n < 2 && len(created) < 5:
		return &killChange{campaign: fmt.Sprintf("rn-%d-%d", round, i), round: round}
	case n < 6:
		// Stopping is for good: rarely, so that most campaigns keep dialling.
		state := []string{StatePaused, StateRunning, StateRunning, StateRunning, StateStopped}[rng.IntN(5)]
		return &killChange{campaign: created[rng.IntN(len(created))], state: state, round: round}
	default:
		ch := &killChange{phone: fmt.Sprintf("+86139%08d", rng.IntN(300)), list: ListCompany, round: round}
		if len(created) > 0 && rng.IntN(2) == 0 {
			ch.list, ch.campaign = ListCampaign, created[rng.IntN(len(created))]
		}
		return ch
	}
}

// apply makes the change over the API and returns the answer's status (0: none).
func apply(r helperReady, ch *killChange) int {
	role, method, path, body := "manager", "POST", "", ""
	switch {
	case ch.phone != "":
		role, path = "agent", "/api/dnc"
		body = fmt.Sprintf(`{"phone": %q, "campaign": %q}`, ch.phone, map[bool]string{true: ch.campaign}[ch.list == ListCampaign])
	case ch.state == "":
		path = "/api/campaigns"
		body = fmt.Sprintf(`{"id": %q, "type": "renewal", "script": "R-%s", "agents": 2, "list": {"source": "book", "expiring_in_days": 2},
			"retry": {"busy": "5m", "no_answer": "20m", "machine": "30m"}}`, ch.campaign, ch.campaign)
	default:
		path = "/api/campaigns/" + ch.campaign + "/" + map[string]string{StatePaused: "pause", StateRunning: "resume", StateStopped: "stop"}[ch.state]
	}
	code, _ := apiCall(r, role, method, path, body)
	return code
}

func apiCall(r helperReady, role, method, path, body string) (int, []byte) {
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+r.Tokens[role])
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// checkAcked compares what a restarted dialer serves with the changes made before round.
func checkAcked(t *testing.T, r helperReady, changes []*killChange, round int) {
	t.Helper()
	// The state each campaign may be in: its last acknowledged one, or a change asked after it
	// whose answer the kill cut off (there whole or not at all).
	type want struct {
		created bool
		states  []string
	}
	wants := map[string]*want{}
	for _, c := range changes {
		if c.campaign == "" || c.phone != "" {
			continue
		}
		w := wants[c.campaign]
		if w == nil {
			w = &want{states: []string{StateRunning}}
			wants[c.campaign] = w
		}
		switch {
		case c.state == "" && c.acked:
			w.created = true
		case c.state == "":
		case c.acked:
			w.states = []string{c.state}
		case !slices.Contains(w.states, StateStopped):
			w.states = append(w.states, c.state)
		}
	}
	for id, w := range wants {
		code, body := apiCall(r, "manager", "GET", "/api/campaigns/"+id, "")
		if !w.created && id != "renewal-30d" {
			if code == http.StatusOK {
				var st CampaignStatus
				if err := json.Unmarshal(body, &st); err != nil || st.Campaign.Script != "R-"+id {
					t.Errorf("run %d: campaign %s whose creation was cut off is there half: %s", round, id, body)
				}
			}
			continue
		}
		var st CampaignStatus
		if code != http.StatusOK || json.Unmarshal(body, &st) != nil {
			t.Errorf("run %d: acknowledged campaign %s: GET = %d %s", round, id, code, body)
			continue
		}
		if !slices.Contains(w.states, st.State) || st.Campaign.Owner != "u-manager" && id != "renewal-30d" {
			t.Errorf("run %d: campaign %s is %s (owner %q), want one of %v", round, id, st.State, st.Campaign.Owner, w.states)
		}
	}
	for _, c := range changes {
		if c.phone == "" || !c.acked {
			continue
		}
		code, body := apiCall(r, "manager", "GET", "/api/dnc/"+c.phone, "")
		want := fmt.Sprintf(`{"phone":%q,"list":%q`, c.phone, c.list)
		if c.list == ListCampaign {
			want += fmt.Sprintf(`,"campaign":%q`, c.campaign)
		}
		if code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("run %d: acknowledged do-not-call entry %s on %s %s: GET = %d %s", round, c.phone, c.list, c.campaign, code, body)
		}
	}
}

// checkAttempts reads every dial attempt event the runs saved (all are in the outbox: nothing
// relays them here) and checks no attempt has two events, no contact was dialled before its
// retry time or after its final outcome, and a campaign stopped in one run placed no call in
// the later ones.
func checkAttempts(t *testing.T, path string, changes []*killChange, starts []time.Time) {
	t.Helper()
	db := openState(t, path)
	var attempts []events.DialAttempt
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query("SELECT value FROM outbox ORDER BY seq")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			ev, err := events.Decode(b, time.Now().Add(365*24*time.Hour))
			if err != nil {
				return err
			}
			if d, ok := ev.Payload.(events.DialAttempt); ok {
				attempts = append(attempts, d)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]bool{}
	byContact := map[string][]events.DialAttempt{}
	placed := 0
	for _, d := range attempts {
		if byID[d.AttemptID] {
			t.Errorf("attempt %s has two events", d.AttemptID)
		}
		byID[d.AttemptID] = true
		if d.Outcome != events.AttemptBlocked {
			byContact[d.Campaign+"/"+d.Contact] = append(byContact[d.Campaign+"/"+d.Contact], d)
			placed++
		}
	}
	t.Logf("%d attempt events, %d calls placed, on %d contacts", len(attempts), placed, len(byContact))
	if placed < 100 {
		t.Errorf("only %d calls placed: the test proves little", placed)
	}
	for k, ds := range byContact {
		slices.SortFunc(ds, func(a, b events.DialAttempt) int { return a.DialedAt.Compare(b.DialedAt) })
		for i := 1; i < len(ds); i++ {
			prev, d := ds[i-1], ds[i]
			switch {
			case prev.Final:
				t.Errorf("contact %s dialled at %s after its final outcome (%s at %s)", k, d.DialedAt, prev.Outcome, prev.EndedAt)
			case prev.RetryAt != nil && d.DialedAt.Before(*prev.RetryAt):
				t.Errorf("contact %s dialled at %s, before its retry time %s (after %s)", k, d.DialedAt, *prev.RetryAt, prev.Outcome)
			case d.AttemptNo <= prev.AttemptNo:
				t.Errorf("contact %s: attempt %d at %s after attempt %d", k, d.AttemptNo, d.DialedAt, prev.AttemptNo)
			}
		}
	}
	// A stop acknowledged in run r: no call placed from run r+1 on.
	for _, c := range changes {
		if c.state != StateStopped || !c.acked || c.round+1 >= len(starts) {
			continue
		}
		for _, ds := range byContact {
			for _, d := range ds {
				if d.Campaign == c.campaign && !d.DialedAt.Before(starts[c.round+1]) {
					t.Errorf("campaign %s, stopped in run %d, placed a call at %s", c.campaign, c.round, d.DialedAt)
				}
			}
		}
	}
}
