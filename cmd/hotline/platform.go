package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/report"
	"github.com/seed-1c4692e8/hotline/analytics/segments"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/atomicfile"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/sim"
)

// platform is the domain parts of `hotline run`: the simulator driving the real routing engine,
// the dialer on the same simulated clock and book, QA, and the analytics API.
type platform struct {
	sim      *sim.Service
	dialer   *dialer.Service
	desktop  *routing.Desktop
	qa       *qa.Service
	recorder *recorder
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
	log     *slog.Logger
	// analytics is the config file's analytics: section; zero (no variant) means the defaults.
	analytics analytics.Settings
	// floors are the config file's calling_floors: section; zero means the regulator's defaults.
	floors dialer.Floors
}

func newPlatform(cfg platformConfig) (*platform, error) {
	p := &platform{analytics: cfg.analytics}
	if p.analytics.SLVariant == "" {
		p.analytics = analytics.DefaultSettings()
	}
	if cfg.log == nil {
		cfg.log = slog.Default()
	}
	var err error
	p.qa, err = qa.NewService(qa.DefaultConfig(cfg.dataDir), cfg.sink, clock.Real{}, cfg.tenant, cfg.log)
	if err != nil {
		return nil, fmt.Errorf("starting QA: %w", err)
	}
	if cfg.conn != nil {
		p.qa.UseClickHouse(cfg.conn)
	}
	p.recorder = newRecorder(cfg.sink, p.qa.Store, time.Now(), cfg.log)
	// Callback requests made in the IVR queue go to Kafka and to the dialer's virtual-hold
	// campaign; the dialer is built after the simulator, so the tee looks it up late.
	tee := &callbackTee{next: p.recorder}
	// Complaint due dates count working days by the same holiday calendar as the dialer's
	// follow-up deadlines and the analytics reports.
	p.sim, err = sim.NewService(sim.ServiceConfig{Profile: cfg.profile, Seed: cfg.seed, Sink: tee, Logger: cfg.log,
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
		segs = segmentContacts{engine: &analytics.Engine{Conn: cfg.conn, Settings: p.analytics}}
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
			Calendar: p.analytics.Calendar})
	if err != nil {
		return nil, fmt.Errorf("starting the dialer: %w", err)
	}
	if err := loadDNC(p.dialer, filepath.Join(cfg.dataDir, "dnc"), cfg.log); err != nil {
		return nil, err
	}
	// The dialer schedules itself on the simulator's clock, which only the simulator's goroutine
	// may touch: start it from there.
	if err := p.sim.Do(func(*routing.Engine) error { return p.dialer.Start() }); err != nil {
		return nil, fmt.Errorf("starting the dialer's campaigns: %w", err)
	}
	tee.dialer = p.dialer
	// A person at the agent desktop ends a campaign call by reporting its outcome; the simulated
	// team plays only the simulator's agents.
	p.desktop = routing.NewDesktop(p.sim, routing.WithOutbound(blend))
	blend.SetAttended(p.desktop.Attended)
	return p, nil
}

// register mounts every part's API on the server.
func (p *platform) register(srv *httpapi.Server, conn driver.Conn, dataDir string) {
	p.desktop.Register(srv)
	p.dialer.Register(srv)
	p.dialer.RegisterControl(srv)
	// Numbers put on the company list over the API are kept where start-up reads them (loadDNC).
	p.dialer.RegisterDNC(srv, filepath.Join(dataDir, "dnc", "company.txt"))
	p.qa.Register(srv)
	engine := &analytics.Engine{Conn: conn, Settings: p.analytics}
	if conn != nil {
		p.daily = &analytics.DailyJobs{Engine: engine}
	}
	report.Register(srv, engine, time.Now)
	segments.Register(srv, engine, &segmentLauncher{dialer: p.dialer, dir: filepath.Join(dataDir, "campaigns")}, time.Now)
}

func (p *platform) services() []func(context.Context) error {
	out := []func(context.Context) error{p.sim.Run, p.dialer.Run, p.qa.Run, p.recorder.Run}
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
type segmentContacts struct{ engine *analytics.Engine }

func (s segmentContacts) Contacts(ctx context.Context, name string, c dialer.Campaign, due time.Time) ([]dialer.Contact, error) {
	segs, err := s.engine.Segment(ctx, due, "", analytics.SegmentFilter{Quadrant: name})
	if err != nil {
		return nil, err
	}
	return segments.Contacts(segs, c.ID, c.Type, due)
}

// segmentLauncher turns a marketer's segment into a dialer campaign: the contacts become the
// campaign's list file (<id>.csv) and, once the dialer accepts it, the campaign a campaign file
// (<id>.yaml) beside it, which `hotline run` loads at start-up (campaignFiles) like any other:
// a launched campaign survives a restart.
type segmentLauncher struct {
	dialer *dialer.Service
	dir    string
	// mu makes launches one at a time: a launch refused by the dialer removes the list it wrote,
	// which must not be one a concurrent launch of the same id is running on.
	mu sync.Mutex
}

func (l *segmentLauncher) Launch(ctx context.Context, req segments.LaunchRequest, contacts []dialer.Contact) error {
	p, _ := httpapi.PrincipalFrom(ctx)
	id := req.CampaignID
	path := filepath.Join(l.dir, id+".csv")
	// Without a script the campaign's own id stands for it.
	file := launchedCampaign{ID: id, Name: "Segment campaign " + id, Type: req.CampaignType, Script: cmp.Or(req.Script, "SEG-"+strings.ToUpper(id)),
		Priority: req.Priority, List: dialer.ListRule{Source: "file", File: path}}
	c := file.campaign()
	c.Owner = p.User
	c.Normalize()
	if err := c.Validate(); err != nil {
		return &segments.RequestError{Status: http.StatusBadRequest, Err: err}
	}
	if err := dialer.MayCreate(p.Role, req.CampaignType); err != nil {
		return &segments.RequestError{Status: http.StatusForbidden, Err: err}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, exists := l.dialer.Status(id); exists {
		return fmt.Errorf("campaign %q %w", id, dialer.ErrCampaignExists)
	}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("launching campaign %s: %w", id, err)
	}
	// An administrator's file of that name (whatever id it holds), or a link, is never replaced
	// nor followed: the list is created exclusively, and so is the campaign file below.
	for _, name := range []string{id + ".yaml", id + ".yml", id + ".csv"} {
		if _, err := os.Lstat(filepath.Join(l.dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("campaign %q %w: the campaigns directory already holds %s", id, dialer.ErrCampaignExists, name)
		}
	}
	if err := writeList(path, contacts); err != nil {
		if errors.Is(err, fs.ErrExist) { // created meanwhile by someone else: theirs, keep it
			return fmt.Errorf("campaign %q %w: the campaigns directory already holds %s.csv", id, dialer.ErrCampaignExists, id)
		}
		return fmt.Errorf("writing the list of campaign %s: %w", id, err)
	}
	if err := l.dialer.Create(c); err != nil {
		// Refused (an id in use meanwhile, a list the dialer cannot read): no campaign, no list.
		if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return errors.Join(err, fmt.Errorf("removing the list of refused campaign %s: %w", id, rmErr))
		}
		return err
	}
	// Only the fields the launch set: start-up applies the same defaults (Normalize) as here.
	data, err := yaml.Marshal(file)
	if err == nil {
		data = append([]byte(fmt.Sprintf("# Launched from a segment by %s over the API.\n", cmp.Or(p.User, "unknown"))), data...)
		err = atomicfile.WriteNew(filepath.Join(l.dir, id+".yaml"), data, 0o644) // start-up never reads half a campaign file
	}
	if err != nil {
		return fmt.Errorf("campaign %s is running but was not saved for a restart: %w", id, err)
	}
	return nil
}

// launchedCampaign is the campaign file a segment launch writes: what the launch set, no more.
type launchedCampaign struct {
	ID       string          `yaml:"id"`
	Name     string          `yaml:"name"`
	Type     string          `yaml:"type"`
	Script   string          `yaml:"script"`
	Priority int             `yaml:"priority,omitempty"`
	List     dialer.ListRule `yaml:"list"`
}

func (f launchedCampaign) campaign() dialer.Campaign {
	return dialer.Campaign{ID: f.ID, Name: f.Name, Type: f.Type, Script: f.Script, Priority: f.Priority, List: f.List}
}

// writeList writes a campaign's list file: customer_id,phone,priority a line. The file must not
// exist, and a link at path is not followed (fs.ErrExist): the list holds customers' numbers.
func writeList(path string, contacts []dialer.Contact) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	for _, c := range contacts {
		w.Write([]string{c.CustomerID, c.Phone, strconv.Itoa(c.Priority)})
	}
	w.Flush()
	err = w.Error()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // this call created it: no half list stays behind
	}
	return err
}
