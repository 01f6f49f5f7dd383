package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/report"
	"github.com/seed-1c4692e8/hotline/analytics/segments"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/retention"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/sim"
	"github.com/seed-1c4692e8/hotline/telephony"
)

// platform is the domain parts of `hotline run`: the simulator driving the real routing engine,
// the dialer on the same simulated clock and book, QA, and the analytics API.
type platform struct {
	sim      *sim.Service
	dialer   *dialer.Service
	desktop  *routing.Desktop
	qa       *qa.Service
	recorder *recorder
	sip      *telephony.Server // real calls (telephony mode sip); nil when simulated
	// analytics are the KPI settings of the config file; daily keeps the tables the
	// dashboards read (nil without ClickHouse).
	analytics analytics.Settings
	daily     *analytics.DailyJobs
}

type platformConfig struct {
	profile string
	seed    uint64
	tenant  string
	dataDir string
	sink    events.Sink
	conn    driver.Conn // analytics and QA sampling; nil in tests without ClickHouse
	// state keeps what people create and change (statedb); its Tx.Publish queues events.
	state *statedb.DB
	log   *slog.Logger
	// analytics is the config file's analytics: section; zero (no variant) means the defaults.
	analytics analytics.Settings
	// floors are the config file's calling_floors: section; zero means the regulator's defaults.
	floors dialer.Floors
	// retention is the config file's retention: section; with it QA keeps recordings for its
	// periods and leaves deleting them to the retention job. nil: QA's defaults and own job.
	retention *retention.Policy
	telephony config.Telephony
}

func newPlatform(ctx context.Context, cfg platformConfig) (*platform, error) {
	p := &platform{analytics: cfg.analytics}
	if p.analytics.SLVariant == "" {
		p.analytics = analytics.DefaultSettings()
	}
	if cfg.log == nil {
		cfg.log = slog.Default()
	}
	var err error
	qaCfg := qa.DefaultConfig(cfg.dataDir)
	if cfg.retention != nil {
		qaCfg.Retention, qaCfg.ExpireElsewhere = qa.RetentionOf(*cfg.retention), true
	}
	p.qa, err = qa.NewService(qaCfg, cfg.sink, clock.Real{}, cfg.tenant, cfg.log)
	if err != nil {
		return nil, fmt.Errorf("starting QA: %w", err)
	}
	if cfg.state != nil {
		if err := p.qa.UseState(ctx, cfg.state); err != nil {
			return nil, fmt.Errorf("starting QA: %w", err)
		}
	}
	if cfg.conn != nil {
		p.qa.UseClickHouse(cfg.conn)
	}
	// The simulated centre's events leave through the state file's call journal: a restart
	// closes the calls a stop interrupted and carries on from the last event instead of playing
	// the day again.
	simSink, resumeAt := cfg.sink, time.Time{}
	if cfg.state != nil {
		journal, err := routing.NewCallJournal(context.Background(), cfg.state, "sim")
		if err != nil {
			return nil, err
		}
		var closed int
		if resumeAt, closed, err = journal.Recover(context.Background()); err != nil {
			return nil, err
		}
		if !resumeAt.IsZero() {
			cfg.log.Info("simulated centre resumes where its events stopped", "at", resumeAt, "interrupted_calls_closed", closed)
		}
		simSink = journal
	}
	p.recorder = newRecorder(simSink, p.qa.Store, time.Now(), cfg.log)
	// Callback requests made in the IVR queue go to Kafka and to the dialer's virtual-hold
	// campaign; the dialer is built after the simulator, so the tee looks it up late.
	tee := &callbackTee{next: p.recorder}
	// Complaint due dates count working days by the same holiday calendar as the dialer's
	// follow-up deadlines and the analytics reports.
	p.sim, err = sim.NewService(sim.ServiceConfig{Profile: cfg.profile, Seed: cfg.seed, Sink: tee, Logger: cfg.log, ResumeAt: resumeAt,
		EngineOptions: []routing.Option{routing.WithCalendar(p.analytics.Calendar)}})
	if err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	// The dialer's call campaigns borrow the simulator's agents from routing (blended: idle agents
	// only, inbound first); the blend hears of every agent state change. Keeping the 4 longest
	// idle for inbound held the province's inbound answered-in-20-s near 90% (85% with 2, 94%
	// with no outbound on the same agents) in a simulated day.
	var clk clock.Clock
	var blend *dialer.Blend
	_ = p.sim.Do(func(e *routing.Engine) error {
		clk = e.Clock()
		blend = dialer.NewBlend(e, clk, dialer.BlendConfig{KeepIdle: 4})
		e.AddObserver(blend)
		return nil
	})
	pop := p.sim.Population()
	far := dialer.FarEndFunc(func(c dialer.Contact, at time.Time, maxRing time.Duration) dialer.FarEndAnswer {
		a := pop.Answer(c.CustomerID, at, maxRing)
		o := a.Outcome
		if o == events.OutcomeAnswered {
			o = "person"
		}
		return dialer.FarEndAnswer{Outcome: o, Ring: seconds(a.RingSec), Talk: seconds(a.TalkSec)}
	})
	// Campaigns naming a segment (`segment: at_risk`) get its customers from analytics.
	var segs dialer.Segments
	if cfg.conn != nil {
		segs = segmentContacts{engine: &analytics.Engine{Conn: cfg.conn, Settings: p.analytics}, tenant: cfg.tenant}
	}
	campaigns, err := campaignFiles(filepath.Join(cfg.dataDir, "campaigns"), cfg.log)
	if err != nil {
		return nil, err
	}
	if cfg.floors == (dialer.Floors{}) {
		cfg.floors = dialer.DefaultFloors()
	}
	logFloors(cfg.log, cfg.floors)
	// One holiday list, the config file's analytics calendar: sales campaigns do not call on its
	// holidays and complaint follow-up deadlines skip them, as the analytics reports do.
	p.dialer, err = dialer.NewService(dialer.ServiceConfig{Tenant: cfg.tenant, Seed: cfg.seed, ComplaintWorkdays: p.analytics.ComplaintWorkdays,
		Holidays: p.analytics.Calendar.Holidays, Campaigns: campaigns, Floors: cfg.floors},
		dialer.Deps{Clock: clk, Book: p.sim.Book(), FarEnd: far, Sink: cfg.sink, ClickHouse: cfg.conn, Agents: blend, Segments: segs,
			Calendar: p.analytics.Calendar, State: cfg.state})
	if err != nil {
		return nil, fmt.Errorf("starting the dialer: %w", err)
	}
	if err := loadDNC(p.dialer, filepath.Join(cfg.dataDir, "dnc"), cfg.log); err != nil {
		return nil, err
	}
	// The dialer schedules itself on the simulator's clock, which only the simulator's goroutine
	// may touch: start it from there.
	if err := p.sim.Do(func(*routing.Engine) error { return p.dialer.Start() }); err != nil {
		return nil, fmt.Errorf("starting the dialer's campaigns (campaign files in %s, state in %s): %w",
			filepath.Join(cfg.dataDir, "campaigns"), statePath(cfg.state), err)
	}
	tee.dialer = p.dialer
	// A person at the agent desktop ends a campaign call by reporting its outcome; the simulated
	// team plays only the simulator's agents.
	p.desktop = routing.NewDesktop(p.sim, routing.WithOutbound(blend))
	blend.SetAttended(p.desktop.Attended)
	if cfg.telephony.Mode == "sip" {
		// Real calls have their own engine; the desktop serves its agents (campaign calls stay
		// with the simulated centre until the dialer gets a SIP trunk).
		p.sip, err = newSIP(ctx, cfg.telephony, cfg.dataDir, cfg.state, cfg.sink, p.qa.Store, routing.WithCalendar(p.analytics.Calendar), cfg.log)
		if err != nil {
			return nil, err
		}
		p.desktop = routing.NewDesktop(p.sip.Engine())
	}
	return p, nil
}

// register mounts every part's API on the server.
func (p *platform) register(srv *httpapi.Server, conn driver.Conn, dataDir string) {
	p.desktop.Register(srv)
	p.sim.Register(srv)
	p.dialer.Register(srv)
	p.dialer.RegisterControl(srv)
	// Numbers listed over the API are kept in the state file; a removal also takes the number out
	// of the admin's company file, which start-up reads (loadDNC).
	p.dialer.RegisterDNC(srv, filepath.Join(dataDir, "dnc", "company.txt"))
	p.qa.Register(srv)
	p.recorder.register(srv)
	if p.sip != nil {
		srv.Registry().MustRegister(p.sip.Collectors()...)
	}
	engine := &analytics.Engine{Conn: conn, Settings: p.analytics}
	if conn != nil {
		p.daily = &analytics.DailyJobs{Engine: engine}
	}
	report.Register(srv, engine, time.Now)
	segments.Register(srv, engine, &segmentLauncher{dialer: p.dialer}, time.Now)
}

func (p *platform) services() []func(context.Context) error {
	// The dialer runs on the simulator's clock: what it did until the simulator stopped is
	// saved once the simulator has stopped.
	sim := func(ctx context.Context) error {
		err := p.sim.Run(ctx)
		fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return errors.Join(err, p.dialer.Flush(fctx))
	}
	out := []func(context.Context) error{sim, p.dialer.Run, p.qa.Run, p.recorder.Run}
	if p.sip != nil {
		out = append(out, p.sip.Run)
	}
	if p.daily != nil {
		out = append(out, p.daily.Run)
	}
	return out
}

// campaignFiles are the dialer's campaigns: the defaults, and the campaign files (YAML, as
// `hotline dialer validate` checks them) an admin puts in dir, a file replacing the default of
// the same id. File lists and ClickHouse queries, which the API refuses, come this way.
func campaignFiles(dir string, log *slog.Logger) ([]dialer.Campaign, error) {
	files, err := dialer.LoadCampaigns(dir)
	if err != nil {
		return nil, fmt.Errorf("campaign files in %s: %w", dir, err)
	}
	out := dialer.DefaultCampaigns()
	for _, f := range files {
		if i := slices.IndexFunc(out, func(c dialer.Campaign) bool { return c.ID == f.ID }); i >= 0 {
			out[i] = f
			continue
		}
		out = append(out, f)
	}
	if len(files) > 0 {
		log.Info("dialer campaign files read", "dir", dir, "campaigns", len(files))
	}
	return out, nil
}

// logFloors records the calling floors in force and, as a warning, every one the configuration
// changed from the regulator's: the trace of an administrator's decision to move a floor.
func logFloors(log *slog.Logger, f dialer.Floors) {
	log.Info("calling floors in force", "window_start", f.WindowStart, "window_end", f.WindowEnd,
		"permitted_days_only", f.PermittedDaysOnly, "marketing_consent", f.MarketingConsent,
		"refusal_lockout", f.RefusalLockout, "abandon_lockout", f.AbandonLockout, "abandon_cap", f.AbandonCap)
	for _, c := range f.Changes() {
		log.Warn("calling floor changed by configuration", "audit", true, "change", c, "section", "calling_floors")
	}
}

// loadDNC reads the national decline-calls list and the company's do-not-call list from
// dir/national.txt and dir/company.txt, when there: one number a line (DNCList.Load). The
// dialer checks them at dial time; numbers customers give agents or texts add to them as it runs.
func loadDNC(d *dialer.Service, dir string, log *slog.Logger) error {
	for _, list := range []string{"national", "company"} {
		path := filepath.Join(dir, list+".txt")
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("do-not-call list: %w", err)
		}
		n, err := d.LoadDNC(list, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("do-not-call list %s: %w", path, err)
		}
		log.Info("do-not-call list read", "list", list, "path", path, "numbers", n)
	}
	return nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// callbackTee passes events on and hands callback requests and newly registered complaints to
// the dialer (virtual-hold callbacks, complaint follow-ups).
type callbackTee struct {
	next   events.Sink
	dialer *dialer.Service
}

func (t *callbackTee) Publish(ctx context.Context, evs ...events.Event) error {
	if t.dialer != nil {
		for _, e := range evs {
			switch v := e.Payload.(type) {
			case events.CallbackRequested:
				t.dialer.AddCallbackRequest(v, e.OccurredAt)
			case events.Complaint:
				t.dialer.AddComplaint(v)
			}
		}
	}
	return t.next.Publish(ctx, evs...)
}

// segmentContacts resolves a campaign's named segment (a satisfaction × loyalty quadrant) to
// its customers as of the campaign's start, through the analytics segments package.
type segmentContacts struct {
	engine *analytics.Engine
	tenant string // the dialer's centre: it calls only its own customers
}

func (s segmentContacts) Contacts(ctx context.Context, name string, c dialer.Campaign, due time.Time) ([]dialer.Contact, error) {
	segs, err := s.engine.Segment(ctx, due, s.tenant, analytics.SegmentFilter{Quadrant: name})
	if err != nil {
		return nil, err
	}
	return segments.Contacts(segs, c.ID, c.Type, due)
}

// segmentLauncher turns a marketer's segment into a dialer campaign whose list is the segment's
// customers. The dialer saves it in the state file, like a campaign created with POST
// /api/campaigns; the campaign files in <data-dir>/campaigns stay the admin's.
type segmentLauncher struct {
	dialer *dialer.Service
}

func (l *segmentLauncher) Launch(ctx context.Context, req segments.LaunchRequest, contacts []dialer.Contact) error {
	p, _ := httpapi.PrincipalFrom(ctx)
	id := req.CampaignID
	// Without a script the campaign's own id stands for it. The list is the contacts given
	// here: no book rule, no file.
	c := dialer.Campaign{ID: id, Name: "Segment campaign " + id, Type: req.CampaignType, Script: cmp.Or(req.Script, "SEG-"+strings.ToUpper(id)),
		Priority: req.Priority, List: dialer.ListRule{Source: "requests"}, Owner: p.User}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return &segments.RequestError{Status: http.StatusBadRequest, Err: err}
	}
	if err := dialer.MayCreate(p.Role, req.CampaignType); err != nil {
		return &segments.RequestError{Status: http.StatusForbidden, Err: err}
	}
	return l.dialer.CreateWithContacts(c, contacts)
}

// statePath names the state file for messages ("none" in tests without one).
func statePath(db *statedb.DB) string {
	if db == nil {
		return "none"
	}
	return db.Path()
}
