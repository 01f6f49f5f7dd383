package telephony

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zaf/g711"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
)

// The tests run hotline's SIP side against user agents built on sipgo/diago in the test, on
// loopback: real SIP over UDP, real RTP with G.711, RFC 4733 keys, and real speech from
// Debian's asterisk-core-sounds-en-wav (scripts/deps.sh qa installs it).
const sounds = "/usr/share/asterisk/sounds/en_US_f_Allison"

var agentPhones = []Agent{
	{AgentID: "a1", Name: "Li", Extension: "1001", Username: "1001", Password: "s3cret-1001", Skills: map[string]int{"claims": 4}},
	{AgentID: "a2", Name: "Wang", Extension: "1002", Username: "1002", Password: "s3cret-1002", Skills: map[string]int{"claims": 4, "service": 3}},
}

type memSink struct {
	mu  sync.Mutex
	evs []events.Event
}

func (m *memSink) Publish(_ context.Context, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, evs...)
	return nil
}

// waitRecord waits for the call record of the call that arrived as the n-th call (0-based).
func (m *memSink) record(t testing.TB, callID string, within time.Duration) events.CallRecord {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		for _, ev := range m.evs {
			if r, ok := ev.Payload.(events.CallRecord); ok && r.CallID == callID {
				m.mu.Unlock()
				return r
			}
		}
		m.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no call record for %s within %s", callID, within)
	return events.CallRecord{}
}

// lastCallID is the id of the last call that arrived.
func (m *memSink) lastCallID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.evs) - 1; i >= 0; i-- {
		if l, ok := m.evs[i].Payload.(events.CallLifecycle); ok && l.Stage == events.StageArrived {
			return l.CallID
		}
	}
	return ""
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fixture struct {
	srv   *Server
	sink  *memSink
	store *qa.Store
	port  int
	logs  *syncBuf
}

func freePort(t testing.TB, ip string) int {
	t.Helper()
	c, err := net.ListenPacket("udp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func start(t testing.TB, offerTimeout time.Duration, agents ...Agent) *fixture {
	return startWith(t, func(_ *Config, rc *routing.Config) { rc.OfferTimeout = offerTimeout }, agents...)
}

// startWith starts hotline's SIP side with tweak applied to its configuration and the routing
// engine's.
func startWith(t testing.TB, tweak func(c *Config, rc *routing.Config), agents ...Agent) *fixture {
	if len(agents) == 0 {
		agents = agentPhones
	}
	t.Helper()
	if _, err := os.Stat(filepath.Join(sounds, "vm-press.wav")); err != nil {
		t.Fatalf("real-speech prompts missing: %v; install asterisk-core-sounds-en-wav (scripts/deps.sh qa)", err)
	}
	menu := routing.DefaultMenu()
	prompts, err := LoadPrompts(menu, "", sounds)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	f := &fixture{sink: &memSink{}, logs: logs, port: freePort(t, "127.0.0.1")}
	dir := t.TempDir()
	f.store, err = qa.OpenStore(filepath.Join(dir, "recordings"), f.sink, qa.WithAutoAnalysis(qa.DefaultAnalyzerConfig()))
	if err != nil {
		t.Fatal(err)
	}
	rc := routing.DefaultConfig()
	rc.MaxWrapUp = 500 * time.Millisecond
	cfg := Config{
		UDP: fmt.Sprintf("127.0.0.1:%d", f.port), TCP: fmt.Sprintf("127.0.0.1:%d", f.port), PublicAddr: "127.0.0.1", Realm: "hotline",
		RTPPortMin: 41000, RTPPortMax: 41999, TrunkAddrs: []string{"127.0.0.1"}, RateLimit: 20,
		Agents: agents, Prompts: prompts,
	}
	tweak(&cfg, &rc)
	f.srv, err = New(cfg, Deps{Routing: rc, Menu: menu, Log: log, Sink: f.sink, Store: f.store, TmpDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	// Ready once it answers OPTIONS.
	ua := newUA(t, "127.0.0.1")
	for i := 0; ; i++ {
		if res, err := options(ua, f.port, 300*time.Millisecond); err == nil && res.StatusCode == 200 {
			break
		}
		if i > 30 {
			t.Fatal("SIP server did not come up")
		}
	}
	return f
}

// ua is a test phone: a diago user agent on its own loopback address and port, whose incoming
// calls are handed to the test.
type ua struct {
	tcp      bool
	dg       *diago.Diago
	client   *sipgo.Client
	incoming chan inbound
}

type inbound struct {
	d    *diago.DialogServerSession
	done chan struct{} // close when the test is done with the call
}

func newUA(t testing.TB, ip string) *ua { return newUAOn(t, ip, "udp") }

func newUAOn(t testing.TB, ip, transport string) *ua {
	t.Helper()
	agent, err := sipgo.NewUA(sipgo.WithUserAgent("test-phone"), sipgo.WithUserAgentHostname(ip))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	u := &ua{incoming: make(chan inbound, 4), tcp: transport == "tcp"}
	u.dg = diago.NewDiago(agent, diago.WithLogger(quiet), diago.WithTransport(diago.Transport{Transport: transport, BindHost: ip, BindPort: freePort(t, ip)}))
	u.client, err = sipgo.NewClient(agent, sipgo.WithClientHostname(ip), sipgo.WithClientConnectionAddr(ip+":0"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); agent.Close() })
	err = u.dg.ServeBackground(ctx, func(d *diago.DialogServerSession) {
		in := inbound{d: d, done: make(chan struct{})}
		u.incoming <- in
		select {
		case <-in.done:
		case <-ctx.Done():
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func options(u *ua, port int, timeout time.Duration) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Host: "127.0.0.1", Port: port})
	return u.client.Do(ctx, req)
}

func (u *ua) register(t testing.TB, port int, user, password string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	to := sip.Uri{User: user, Host: "127.0.0.1", Port: port}
	if u.tcp {
		to.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	}
	reg, err := u.dg.RegisterTransaction(ctx, to,
		diago.RegisterOptions{Username: user, Password: password, Expiry: time.Hour})
	if err != nil {
		return err
	}
	return reg.Register(ctx)
}

func (u *ua) call(t testing.TB, port int) (*diago.DialogClientSession, *diago.DialogMedia, time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, med, err := u.dg.Invite(ctx, sip.Uri{User: "95518", Host: "127.0.0.1", Port: port}, diago.InviteOptions{})
	if err != nil {
		t.Fatalf("calling the hotline: %v", err)
	}
	t.Cleanup(func() { _ = med.Close(); _ = d.Close() })
	return d, med, time.Now()
}

// press sends keys as RFC 4733 events, a beat apart; it returns when the last was sent.
func press(t testing.TB, med *diago.DialogMedia, keys string) time.Time {
	t.Helper()
	w, err := med.AudioWriterDTMF()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		time.Sleep(600 * time.Millisecond) // into the prompt: the key interrupts it
		if err := w.WriteDTMF(k); err != nil {
			t.Fatal(err)
		}
	}
	return time.Now()
}

// say plays a prompt of the sound package into the call and returns when it started.
func say(t testing.TB, med *diago.DialogMedia, name string) time.Time {
	t.Helper()
	pb, err := med.PlaybackCreate()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	if _, err := pb.PlayFile(filepath.Join(sounds, name+".wav")); err != nil {
		t.Fatal(err)
	}
	return at
}

// speech is where a prompt's speech is: its first and last sample louder than 1% of full
// scale, in seconds from its start (the convention of qa's accuracy test).
func speech(t *testing.T, name string) (from, to float64) {
	t.Helper()
	s, err := readPrompt(filepath.Join(sounds, name+".wav"))
	if err != nil {
		t.Fatal(err)
	}
	first, last := -1, 0
	for i, v := range s {
		if v > 327 || v < -327 {
			if first < 0 {
				first = i
			}
			last = i + 1
		}
	}
	return float64(first) / 8000, float64(last) / 8000
}

func waitInbound(t testing.TB, u *ua, within time.Duration) inbound {
	t.Helper()
	select {
	case in := <-u.incoming:
		return in
	case <-time.After(within):
		t.Fatalf("the agent's phone did not ring within %s", within)
	}
	return inbound{}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s: %.3f s, want %.3f s ± %.3f", what, got, want, tol)
	} else {
		t.Logf("%-34s %7.3f s (happened: %7.3f s)", what, got, want)
	}
}

// A customer calls, reports a car accident (1, then 2), waits in the claims queue, is answered
// by the agent whose phone registered meanwhile; both talk, the agent hangs up. The call record
// has the IVR time, the wait and the talk as they happened, and the stereo recording's analysis
// finds each utterance where the phones played it.
func TestInboundCallRecordedAndRouted(t *testing.T) {
	f := start(t, 5*time.Second)
	cust := newUA(t, "127.0.0.1")
	agent := newUA(t, "127.0.0.2")

	_, cmed, answered := cust.call(t, f.port)
	keysDone := press(t, cmed, "12")
	callID := f.sink.lastCallID()
	time.Sleep(1500 * time.Millisecond) // waiting in the queue, with music on hold
	if err := agent.register(t, f.port, "1001", "s3cret-1001"); err != nil {
		t.Fatalf("agent's phone registering: %v", err)
	}
	in := waitInbound(t, agent, 3*time.Second)
	time.Sleep(400 * time.Millisecond) // it rings
	_ = in.d.Ringing()
	amed, err := in.d.Answer(diago.AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pickedUp := time.Now()
	time.Sleep(300 * time.Millisecond)
	type utt struct {
		side   int
		prompt string
		at     time.Time
	}
	var utts []utt
	utts = append(utts, utt{0, "pls-hold-while-try", say(t, amed, "pls-hold-while-try")})
	time.Sleep(600 * time.Millisecond)
	utts = append(utts, utt{1, "please-try-call-later", say(t, cmed, "please-try-call-later")})
	time.Sleep(600 * time.Millisecond)
	utts = append(utts, utt{0, "vm-goodbye", say(t, amed, "vm-goodbye")})
	time.Sleep(500 * time.Millisecond)
	hctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if err := in.d.Hangup(hctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	hungUp := time.Now()
	close(in.done)

	r := f.sink.record(t, callID, 15*time.Second)
	if r.Outcome != events.OutcomeAnswered || r.Agent != "a1" || r.Queue != "claims_report" || r.IVRPath != "1>2" || r.Direction != events.Inbound {
		t.Fatalf("call record %+v", r)
	}
	const tol = 0.5
	near(t, "IVR time", r.IVRSec, keysDone.Sub(answered).Seconds(), tol)
	near(t, "wait in queue", r.WaitSec, pickedUp.Sub(keysDone).Seconds(), tol)
	near(t, "talk", r.TalkSec, hungUp.Sub(pickedUp).Seconds(), tol)
	if r.RecordingID == "" {
		t.Fatal("call record without its recording")
	}
	stored, ok := f.store.Get(r.RecordingID)
	if !ok || stored.CallID != callID || stored.Agent != "a1" || stored.Channels != 2 || stored.SampleRate != 8000 {
		t.Fatalf("recording %+v (found %t)", stored, ok)
	}
	rf, err := f.store.Open(r.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	a, err := qa.Analyze(context.Background(), rf, qa.DefaultAnalyzerConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Each utterance is found on its side where it was played (times from the agent's pick-up,
	// which is when recording starts), within the 100 ms per utterance of qa's accuracy test.
	got := [2][]qa.Interval{a.AgentSpeech, a.CustomerSpeech}
	if len(got[0]) != 2 || len(got[1]) != 1 {
		t.Fatalf("analysis found agent speech %v and customer speech %v, want 2 and 1 utterances", got[0], got[1])
	}
	next := [2]int{}
	for _, u := range utts {
		from, to := speech(t, u.prompt)
		off := u.at.Sub(pickedUp).Seconds()
		iv := got[u.side][next[u.side]]
		next[u.side]++
		side := [2]string{"agent", "customer"}[u.side]
		near(t, side+" "+u.prompt+" start", iv.Start, off+from, 0.1)
		near(t, side+" "+u.prompt+" end", iv.End, off+to, 0.1)
	}
	q := f.srv.Quality()
	t.Logf("audio packets received %d, lost %d, late %d", q.Received.Load(), q.Lost.Load(), q.Late.Load())
	if q.Received.Load() < 200 || q.Lost.Load() != 0 { // the phones send audio only while they speak: about 5 s here
		t.Errorf("audio packets received %d, lost %d: on loopback every packet arrives", q.Received.Load(), q.Lost.Load())
	}
	// The phones offer μ-law first, hotline A-law first: the bridge transcodes between them.
	if !strings.Contains(f.logs.String(), `customer_codec=pcmu agent_codec=pcma`) {
		t.Errorf("the legs' codecs are not μ-law and A-law:\n%s", f.logs)
	}
	if a.OvertalkCount != 0 {
		t.Errorf("overtalk found where nobody spoke at once: %v", a.Overtalks)
	}
}

// A caller who hangs up while waiting is an abandoned call; an agent whose phone does not
// answer loses the call back to the queue at its place and goes not ready.
func TestAbandonAndRingNoAnswer(t *testing.T) {
	f := start(t, 2*time.Second)
	t.Run("abandoned in the queue", func(t *testing.T) {
		cust := newUA(t, "127.0.0.1")
		d, cmed, _ := cust.call(t, f.port)
		keysDone := press(t, cmed, "12")
		id := f.sink.lastCallID()
		// Waiting, the caller hears something: the place in the queue ("you are now first in
		// line") and the hold music.
		if loud := heard(t, cmed, time.Second); loud < 10 {
			t.Errorf("%d loud frames in a second on hold, want the announcement", loud)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := d.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		left := time.Now()
		r := f.sink.record(t, id, 5*time.Second)
		if r.Outcome != events.OutcomeAbandoned || r.Queue != "claims_report" || r.AnsweredAt != nil {
			t.Fatalf("record %+v, want abandoned in claims_report", r)
		}
		near(t, "wait before abandoning", r.WaitSec, left.Sub(keysDone).Seconds(), 0.5)
	})
	t.Run("ring no answer", func(t *testing.T) {
		agent := newUA(t, "127.0.0.2")
		if err := agent.register(t, f.port, "1002", "s3cret-1002"); err != nil {
			t.Fatal(err)
		}
		cust := newUA(t, "127.0.0.1")
		d, cmed, _ := cust.call(t, f.port)
		press(t, cmed, "12")
		id := f.sink.lastCallID()
		in := waitInbound(t, agent, 3*time.Second)
		rang := time.Now()
		select { // never answered: hotline cancels the ring at the offer timeout
		case <-in.d.Context().Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the unanswered phone kept ringing")
		}
		near(t, "ring time", time.Since(rang).Seconds(), 2, 0.5)
		close(in.done)
		time.Sleep(200 * time.Millisecond)
		_ = f.srv.Engine().Do(func(e *routing.Engine) error {
			a, err := e.Agent("a2")
			if err != nil || a.State != "break" || a.Reason != routing.ReasonNoAnswer {
				t.Errorf("agent after not answering: %+v (%v), want on a no_answer break", a, err)
			}
			if w := e.Waiting()["claims_report"]; w != 1 {
				t.Errorf("%d calls waiting in claims_report, want the unanswered one back", w)
			}
			return nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = d.Hangup(ctx)
		r := f.sink.record(t, id, 5*time.Second)
		if r.Outcome != events.OutcomeAbandoned {
			t.Errorf("record %+v, want abandoned after the agent did not answer", r)
		}
	})
}

// A REGISTER with a wrong password and an INVITE from an address that is neither the trunk nor
// an agent's phone are refused, each logged once however often it is tried; a scanner's flood
// is cut to the rate limit while other sources are still served.
func TestRefusals(t *testing.T) {
	f := start(t, 2*time.Second)
	phone := newUA(t, "127.0.0.2")
	for range 3 {
		err := phone.register(t, f.port, "1001", "guessed-password")
		var re *diago.RegisterResponseError
		if !errors.As(err, &re) || re.StatusCode() != sip.StatusForbidden {
			t.Fatalf("REGISTER with a wrong password: %v, want 403", err)
		}
	}
	if n := strings.Count(f.logs.String(), "reason=\"wrong password\""); n != 1 {
		t.Errorf("wrong password logged %d times, want once:\n%s", n, f.logs)
	}
	if !strings.Contains(f.logs.String(), "source=127.0.0.2") {
		t.Errorf("refusal log does not name the source:\n%s", f.logs)
	}
	if err := phone.register(t, f.port, "1009", "whatever-pw"); err == nil {
		t.Error("REGISTER of an unknown user accepted")
	}

	stranger := newUA(t, "127.0.0.3")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, _, err := stranger.dg.Invite(ctx, sip.Uri{User: "95518", Host: "127.0.0.1", Port: f.port}, diago.InviteOptions{})
	var de *sipgo.ErrDialogResponse
	if !errors.As(err, &de) || de.Res.StatusCode != sip.StatusForbidden {
		t.Fatalf("INVITE from an unknown address: %v, want 403", err)
	}
	if !strings.Contains(f.logs.String(), "not from the trunk or an agent's phone") {
		t.Errorf("refused INVITE not logged:\n%s", f.logs)
	}

	// A scanner sends 200 OPTIONS at once: at most the burst (40) and the rate (20/s) get an
	// answer; a phone elsewhere is still answered.
	scanner := newUA(t, "127.0.0.4")
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered := 0
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := options(scanner, f.port, time.Second); err == nil && res.StatusCode == 200 {
				mu.Lock()
				answered++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of 200 flooding OPTIONS answered", answered)
	if answered < 20 || answered > 70 {
		t.Errorf("%d of 200 flooding OPTIONS answered, want the burst and about a second of rate (40..60)", answered)
	}
	if res, err := options(newUA(t, "127.0.0.5"), f.port, time.Second); err != nil || res.StatusCode != 200 {
		t.Errorf("another source during the flood: %v, %v", res, err)
	}
	if n := strings.Count(f.logs.String(), "reason=\"rate limited\""); n != 1 {
		t.Errorf("rate limiting logged %d times, want once", n)
	}
	// Every refusal is counted, though logged once.
	reg := prometheus.NewRegistry()
	reg.MustRegister(f.srv.Collectors()...)
	refused := func(reason string) float64 {
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range fams {
			for _, m := range fam.GetMetric() {
				if fam.GetName() == "hotline_sip_refused_total" && len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
		return 0
	}
	if got := refused("wrong password"); got != 3 {
		t.Errorf("hotline_sip_refused_total{reason=\"wrong password\"} = %v, want 3", got)
	}
	if got := refused("rate limited"); got < 130 {
		t.Errorf("hotline_sip_refused_total{reason=\"rate limited\"} = %v, want the flood's refusals", got)
	}
}

// An agent blind-transfers the call to another queue: the agent's phone is released, the
// customer hears music on hold again and the next agent's phone rings.
func TestBlindTransfer(t *testing.T) {
	f := start(t, 5*time.Second)
	// The second phone is on SIP over TCP.
	first, second := newUA(t, "127.0.0.2"), newUAOn(t, "127.0.0.6", "tcp")
	if err := first.register(t, f.port, "1001", "s3cret-1001"); err != nil {
		t.Fatal(err)
	}
	cust := newUA(t, "127.0.0.1")
	cd, cmed, _ := cust.call(t, f.port)
	press(t, cmed, "12")
	id := f.sink.lastCallID()
	in1 := waitInbound(t, first, 3*time.Second)
	if _, err := in1.d.Answer(diago.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := second.register(t, f.port, "1002", "s3cret-1002"); err != nil {
		t.Fatal(err)
	}
	if reg, err := f.srv.contact("a2"); err != nil || !strings.EqualFold(reg.transport, "tcp") {
		t.Fatalf("second phone registered as %+v (%v), want over TCP", reg, err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := f.srv.Engine().Do(func(e *routing.Engine) error { return e.Transfer("a1", routing.TransferQueue, "inquiry") }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in1.d.Context().Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the transferring agent's phone was not released")
	}
	close(in1.done)
	in2 := waitInbound(t, second, 3*time.Second)
	if _, err := in2.d.Answer(diago.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := in2.d.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	close(in2.done)
	select {
	case <-cd.Context().Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the customer was not hung up when the agent hung up")
	}
	r := f.sink.record(t, id, 10*time.Second)
	if !r.Transferred || r.TransferTarget != "inquiry" || r.Agent != "a2" || r.Outcome != events.OutcomeAnswered {
		t.Fatalf("record %+v, want transferred to inquiry and answered by a2", r)
	}
}

// heard reads what the phone receives for d and counts 20 ms frames louder than -30 dBFS.
func heard(t *testing.T, med *diago.DialogMedia, d time.Duration) int {
	t.Helper()
	var props diago.MediaProps
	r, err := med.AudioReader(diago.WithAudioReaderMediaProps(&props))
	if err != nil {
		t.Fatal(err)
	}
	decode := g711.DecodeUlawFrame
	if props.Codec.Name == "pcma" {
		decode = g711.DecodeAlawFrame
	}
	buf := make([]byte, 1500)
	// Skip what queued up while nobody read (the IVR's prompts): live packets come 20 ms apart.
	for {
		t0 := time.Now()
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		if time.Since(t0) > 10*time.Millisecond {
			break
		}
	}
	loud := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, b := range buf[:n] {
			v := float64(decode(b))
			sum += v * v
		}
		if n > 0 && math.Sqrt(sum/float64(n)) > 1036 { // -30 dBFS
			loud++
		}
	}
	return loud
}

// A caller who has waited the queue's max wait hears the centre's callback offer and presses 1:
// the call leaves the queue with a call back request and the line is released.
func TestCallbackOffer(t *testing.T) {
	dir := t.TempDir()
	offer, err := os.ReadFile(filepath.Join(sounds, "vm-press.wav")) // stands in for the centre's recording
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "callback_offer.wav"), offer, 0o644); err != nil {
		t.Fatal(err)
	}
	f := startWith(t, func(c *Config, rc *routing.Config) {
		p, err := LoadPrompts(routing.DefaultMenu(), dir, sounds)
		if err != nil {
			t.Fatal(err)
		}
		c.Prompts = p
		for i := range rc.Queues {
			if rc.Queues[i].Name == "claims_report" {
				rc.Queues[i].MaxWait = 1500 * time.Millisecond
			}
		}
	})
	cust := newUA(t, "127.0.0.1")
	d, cmed, _ := cust.call(t, f.port)
	keysDone := press(t, cmed, "12")
	id := f.sink.lastCallID()
	time.Sleep(2500 * time.Millisecond) // max wait passed; the offer is playing
	w, err := cmed.AudioWriterDTMF()
	if err != nil {
		t.Fatal(err)
	}
	pressed := time.Now()
	// hotline acts on the key's first packets and releases the line while the phone still sends
	// the key's end packets: that write may fail.
	_ = w.WriteDTMF('1')
	select {
	case <-d.Context().Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the line was not released after the call back request")
	}
	r := f.sink.record(t, id, 5*time.Second)
	if r.Outcome != events.OutcomeCallbackRequested {
		t.Fatalf("record %+v, want callback_requested", r)
	}
	near(t, "wait until the call back request", r.WaitSec, pressed.Sub(keysDone).Seconds(), 0.5)
	f.sink.mu.Lock()
	defer f.sink.mu.Unlock()
	for _, ev := range f.sink.evs {
		if cb, ok := ev.Payload.(events.CallbackRequested); ok && cb.CallID == id && cb.Queue == "claims_report" {
			return
		}
	}
	t.Error("no callback.requested event for the dialer")
}

// A caller who chooses recorded information hears it to its end; then the line is released and
// the call is self-served.
func TestMessageNode(t *testing.T) {
	f := start(t, 5*time.Second)
	cust := newUA(t, "127.0.0.1")
	d, cmed, _ := cust.call(t, f.port)
	press(t, cmed, "31") // products and procedures, recorded information
	id := f.sink.lastCallID()
	if loud := heard(t, cmed, time.Second); loud < 10 {
		t.Errorf("%d loud frames in the first second of the message, want its prompt", loud)
	}
	select {
	case <-d.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the line was not released after the message")
	}
	r := f.sink.record(t, id, 5*time.Second)
	if r.Outcome != events.OutcomeSelfServed || r.SelfService != "product_info" || r.IVRPath != "3>1" {
		t.Fatalf("record %+v, want self-served with product_info", r)
	}
}
