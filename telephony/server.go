package telephony

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
)

// RecordingStore keeps the recordings of bridged calls (qa.Store).
type RecordingStore interface {
	Put(ctx context.Context, src io.Reader, meta qa.RecordingMeta) (events.RecordingStored, error)
}

// Server is the SIP application server. It owns the routing engine real calls go through.
type Server struct {
	cfg   Config
	menu  *routing.Menu
	live  *routing.Live
	clk   clock.Clock
	log   *slog.Logger
	next  events.Sink
	store RecordingStore
	tmp   string // directory for recordings in progress

	dg    *diago.Diago
	ua    *sipgo.UserAgent
	auth  *diago.DigestAuthServer
	guard *guard

	quality Quality // of every leg's incoming audio

	byUser  map[string]*Agent
	byAgent map[string]*Agent

	mu    sync.Mutex
	regs  map[string]*registration // by agent id
	calls map[string]*call         // by call id
	recs  map[string]chan string   // call id → its recording id once stored ("" when it failed)
}

// Deps are the parts the server works with.
type Deps struct {
	Routing routing.Config
	Menu    *routing.Menu
	Clock   clock.Clock
	Log     *slog.Logger
	// Sink receives every routing event (call records carry their recording id).
	Sink events.Sink
	// Store keeps the recordings; TmpDir holds them while the call lasts.
	Store  RecordingStore
	TmpDir string
	// Options are more routing engine options (directory, observers, calendar).
	Options []routing.Option
}

// New builds the server and its routing engine; Run starts listening.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if cfg.Prompts == nil {
		return nil, errors.New("telephony: prompts missing")
	}
	if cfg.RecordingWait == 0 {
		cfg.RecordingWait = 10 * time.Second
	}
	trunk, err := newTrunkMatcher(cfg.TrunkAddrs)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, menu: d.Menu, clk: d.Clock, log: d.Log.With("part", "telephony"), next: d.Sink, store: d.Store, tmp: d.TmpDir,
		auth: diago.NewDigestServer(), byUser: map[string]*Agent{}, byAgent: map[string]*Agent{},
		regs: map[string]*registration{}, calls: map[string]*call{}, recs: map[string]chan string{},
	}
	s.guard = newGuard(d.Clock, s.log, cfg.RateLimit, trunk)
	for i := range cfg.Agents {
		a := &cfg.Agents[i]
		s.byUser[a.Username], s.byAgent[a.AgentID] = a, a
	}
	opts := append([]routing.Option{routing.WithSink(sinkFunc(s.publish)), routing.WithMenu(d.Menu), routing.WithLogger(d.Log)}, d.Options...)
	s.live, err = routing.NewLive(d.Routing, d.Clock, opts...)
	if err != nil {
		return nil, fmt.Errorf("telephony: building the routing engine: %w", err)
	}
	return s, nil
}

// Quality is what the far ends' audio has been like since start.
func (s *Server) Quality() *Quality { return &s.quality }

// Collectors are the SIP side's metrics for /metrics: refusals by reason, audio packets
// received, lost and late, registered phones and calls in progress.
func (s *Server) Collectors() []prometheus.Collector {
	count := func(name, help string, v *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v.Load()) })
	}
	gauge := func(name, help string, f func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(f())
		})
	}
	return []prometheus.Collector{
		s.guard.refused,
		count("hotline_sip_audio_packets_received_total", "Audio packets received from callers and agents' phones.", &s.quality.Received),
		count("hotline_sip_audio_packets_lost_total", "Audio packets missing from the RTP sequence.", &s.quality.Lost),
		count("hotline_sip_audio_packets_late_total", "Audio packets more than 60 ms behind their RTP timestamp.", &s.quality.Late),
		gauge("hotline_sip_registered_phones", "Agents' phones registered now.", func() int { return len(s.regs) }),
		gauge("hotline_sip_calls", "Real calls in progress.", func() int { return len(s.calls) }),
	}
}

// Engine is the routing engine real calls go through (for the agent desktop API).
func (s *Server) Engine() *routing.Live { return s.live }

type sinkFunc func(ctx context.Context, evs ...events.Event) error

func (f sinkFunc) Publish(ctx context.Context, evs ...events.Event) error { return f(ctx, evs...) }

// publish is the engine's sink: lifecycle steps of live calls drive their media; a call record
// waits for its recording; everything goes on to the next sink. It runs under the engine's lock
// and so never blocks.
func (s *Server) publish(ctx context.Context, evs ...events.Event) error {
	var errs []error
	for _, ev := range evs {
		switch p := ev.Payload.(type) {
		case events.CallLifecycle:
			s.mu.Lock()
			c := s.calls[p.CallID]
			s.mu.Unlock()
			if c != nil {
				c.lifecycle(p)
			}
		case events.CallRecord:
			s.mu.Lock()
			ch, ok := s.recs[p.CallID]
			delete(s.recs, p.CallID)
			s.mu.Unlock()
			if ok {
				go s.publishWithRecording(ev, p, ch)
				continue
			}
		}
		if s.next != nil {
			errs = append(errs, s.next.Publish(ctx, ev))
		}
	}
	return errors.Join(errs...)
}

func (s *Server) publishWithRecording(ev events.Event, rec events.CallRecord, ch chan string) {
	select {
	case id := <-ch:
		rec.RecordingID = id
	case <-time.After(s.cfg.RecordingWait):
		s.log.Error("call record published without its recording: storing it took too long", "call_id", rec.CallID)
	}
	ev.Payload = rec
	if s.next == nil {
		return
	}
	if err := s.next.Publish(context.Background(), ev); err != nil {
		s.log.Error("publishing call record", "call_id", rec.CallID, "error", err)
	}
}

// Run listens for SIP until ctx ends, then logs every agent out.
func (s *Server) Run(ctx context.Context) error {
	media.RTPPortStart, media.RTPPortEnd = s.cfg.RTPPortMin, s.cfg.RTPPortMax
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hotline"))
	if err != nil {
		return fmt.Errorf("telephony: starting SIP user agent: %w", err)
	}
	defer ua.Close()
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	if err != nil {
		return fmt.Errorf("telephony: starting SIP server: %w", err)
	}
	opts := []diago.DiagoOption{
		diago.WithServer(srv), diago.WithLogger(s.log), diago.WithServerRequestMiddleware(s.screen),
		// A-law first: the norm on Chinese networks; μ-law for the rest; RFC 4733 for keys.
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioAlaw, media.CodecAudioUlaw, media.CodecTelephoneEvent8000}}),
	}
	for _, l := range []struct{ network, addr string }{{"udp", s.cfg.UDP}, {"tcp", s.cfg.TCP}} {
		if l.addr == "" {
			continue
		}
		host, port, err := net.SplitHostPort(l.addr)
		if err != nil {
			return fieldErr("telephony."+l.network, "%q is not host:port", l.addr)
		}
		p, _ := strconv.Atoi(port)
		t := diago.Transport{Transport: l.network, BindHost: host, BindPort: p}
		if s.cfg.PublicAddr != "" {
			t.ExternalHost = s.cfg.PublicAddr
			t.MediaExternalIP = net.ParseIP(s.cfg.PublicAddr)
		}
		opts = append(opts, diago.WithTransport(t))
	}
	s.ua = ua
	s.dg = diago.NewDiago(ua, opts...)
	srv.OnRegister(s.screen(s.register))
	defer s.auth.Close()
	if err := s.dg.ServeBackground(ctx, s.handleInvite); err != nil {
		return fmt.Errorf("telephony: listening for SIP: %w", err)
	}
	s.log.Info("SIP listening", "udp", s.cfg.UDP, "tcp", s.cfg.TCP, "public_addr", s.cfg.PublicAddr, "agents", len(s.cfg.Agents))
	go s.expireLoop(ctx)
	return s.live.Run(ctx)
}

// screen is in front of every out-of-dialog request: per-source rate limit. Requests inside a
// dialog (To tag set: ACK, BYE, re-INVITE of a live call) pass, so a flood never hurts a call
// in progress; diago answers those of unknown dialogs with 481.
func (s *Server) screen(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if to := req.To(); to != nil {
			if _, ok := to.Params.Get("tag"); ok {
				next(req, tx)
				return
			}
		}
		ip := sourceIP(req)
		if !s.guard.allow(ip) {
			s.guard.refuse(ip, req.Method.String(), "rate limited")
			tx.Terminate() // no answer: a flood costs us no response traffic
			return
		}
		next(req, tx)
	}
}

func sourceIP(req *sip.Request) net.IP {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		host = req.Source()
	}
	return net.ParseIP(host)
}
