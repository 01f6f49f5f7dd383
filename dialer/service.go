package dialer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// DefaultCampaigns are the campaigns `hotline run` starts with: renewal reminders 30 days
// before expiry and post-claim callbacks (first attempt within 24 h, 90% reached within 72 h).
func DefaultCampaigns() []Campaign {
	cs := []Campaign{
		{ID: "renewal-30d", Name: "Renewal reminders, 30 days before expiry", Type: events.CampaignRenewal, Script: "RENEWAL-V1", Priority: 1,
			List: ListRule{Source: "book", ExpiringInDays: 30}, SMS: SMSPolicy{FallbackAfter: 3}},
		{ID: "claim-callback", Name: "Post-claim callback", Type: events.CampaignClaimCallback, Script: "CLAIM-CB-V1", Priority: 5,
			List: ListRule{Source: "book"}, Survey: "ivr", SMS: SMSPolicy{FallbackAfter: 3}, Agents: 3,
			// Closed claims must be reached within 72 h: retry sooner than the defaults.
			Retry: RetryPolicy{Busy: 15 * time.Minute, NoAnswer: time.Hour, Machine: 90 * time.Minute, Failed: 6 * time.Hour}},
		{ID: "virtual-hold", Name: "Callbacks requested in the IVR queue", Type: events.CampaignVirtualHold, Script: "VHOLD-V1", Priority: 9,
			List: ListRule{Source: "requests"}, Agents: 2, SMS: SMSPolicy{FallbackAfter: 2}},
		// Complaints registered on calls: reach the customer within 7 working days.
		{ID: "complaint-followup", Name: "Complaint follow-up within 7 working days", Type: events.CampaignComplaintFollowup, Script: "CMP-FU-V1", Priority: 7,
			List: ListRule{Source: "requests"}, Agents: 2, Survey: "ivr", SMS: SMSPolicy{FallbackAfter: 4},
			Retry: RetryPolicy{Busy: 30 * time.Minute, NoAnswer: 2 * time.Hour, Machine: 3 * time.Hour, Failed: 6 * time.Hour}},
	}
	for i := range cs {
		cs[i].Normalize()
	}
	return cs
}

// Deps are what the service dials through. Everything but Clock has a simulated default.
type Deps struct {
	Clock clock.Clock
	// Book feeds the book list rules (renewals, premiums due, closed claims).
	Book Book
	// FarEnd is how called customers behave (default: 30% reach, 3 min talk).
	FarEnd FarEnd
	// Sink receives every event (dial attempts, SMS, survey responses).
	Sink events.Sink
	// SMS is the SMS gateway (default simulated; it reports to the service's messenger).
	SMS func(ev SMSEvents) SMSGateway
	// Respondent answers post-call IVR surveys (default simulated).
	Respondent Respondent
	// Calendar gives complaint follow-ups their deadline of 7 working days (analytics.Calendar in
	// `hotline run`, whose holidays are also ServiceConfig.Holidays); without it the deadline
	// the complaint event carries is used. The holiday check follows it too: a listed holiday
	// it counts as a working day is a calling day.
	Calendar WorkCalendar
	// Segments resolves segment lists when a campaign starts (analytics segments in
	// `hotline run`); a segment campaign without it fails to start.
	Segments Segments
	// ClickHouse runs clickhouse list queries (optional).
	ClickHouse driver.Conn
	// Agents, when set, are the ACD's agents the call campaigns borrow (blended with inbound,
	// each campaign up to its Agents, default TeamSize); without it each campaign has a
	// simulated team of its own.
	Agents *Blend
	// State, when set, keeps campaigns created over the API, every campaign's state and list
	// progress, and do-not-call changes across restarts (store.go); the events then leave
	// through its outbox, in the transactions that save what they report, instead of Sink.
	State *statedb.DB
	Log   *slog.Logger
}

// Service runs the outbound campaigns of `hotline run`: it keeps their lists filled from the
// book, dials them through the engine with compliance at dial time, texts and surveys, and
// publishes every attempt, SMS and survey answer.
type Service struct {
	cfg  ServiceConfig
	deps Deps
	log  *slog.Logger
	gate *Compliance
	msgr *Messenger
	// store is the state file's part of the dialer (nil: in memory only).
	store *store
	// fileDNC is the company do-not-call file as read at start (LoadDNC): it is merged again
	// after the saved changes, so a number an admin lists there stays listed.
	fileDNC *DNCList
	// ctl makes the API's changes to campaigns one at a time.
	ctl sync.Mutex

	mu      sync.Mutex
	runs    map[string]*campaignRun
	order   []string
	mailbox []func()
	started bool
	// startedAt bounds the coverage figures: claims that closed before the dialer ran were
	// another run's to call.
	startedAt time.Time
	// now is the clock's time at the last tick: the HTTP goroutines read it, since only the
	// goroutine driving a clock.Sim may read the clock.
	now    time.Time
	status map[string]CampaignStatus
	// history is the answered calls of earlier runs by campaign, until the campaign takes them.
	history map[string][]AnsweredCall
	buf     []events.Event
	dropped int
}

type campaignRun struct {
	c        Campaign
	list     *ContactList
	eng      *Engine
	team     *Team
	lastPoll time.Time
	pruned   time.Time
	agents   []string     // the simulated team
	pool     *RoutingPool // the blend's agents, when it has them (nil: the simulated team)
	onShift  bool
	blended  atomic.Bool // on shift, for the blend
	// paused: the engine takes no new contact (calls in progress finish); stopped: paused for
	// good, the open contacts closed as expired.
	paused  atomic.Bool
	stopped atomic.Bool
}

// pausable is a campaign's list as its engine dials it: while the campaign is paused it hands
// out nothing, so no call starts, and the blend lends it no agent. A stop hands out nothing at
// once but keeps the lent agents until the tick that takes the records off their preview desks
// (SetState), so the stop, not the blend, gives those records back and tells the desktops.
type pausable struct {
	*ContactList
	paused, stopped *atomic.Bool
}

func (p pausable) Next(now time.Time) (Contact, bool) {
	if p.paused.Load() || p.stopped.Load() {
		return Contact{}, false
	}
	return p.ContactList.Next(now)
}

func (p pausable) HasDue(now time.Time) bool {
	return !p.paused.Load() && p.ContactList.HasDue(now)
}

// shift keeps the simulated team logged in during the campaign's calling window (centre time)
// and logged out outside it, so occupancy is measured on working hours.
func (s *Service) shift(r *campaignRun, now time.Time) {
	start, _ := clockMinutes(r.c.Rules.WindowStart)
	end, _ := clockMinutes(r.c.Rules.WindowEnd)
	local := now.In(s.cfg.Home)
	m := local.Hour()*60 + local.Minute()
	on := m >= start && m < end
	if on == r.onShift {
		return
	}
	r.onShift = on
	r.blended.Store(on)
	for _, a := range r.agents {
		if on {
			r.eng.Login(a)
		} else {
			r.eng.Logout(a)
		}
	}
}

// NewService builds the service; Start schedules it on the clock.
func NewService(cfg ServiceConfig, d Deps) (*Service, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Clock == nil {
		return nil, fmt.Errorf("dialer service: no clock")
	}
	if d.FarEnd == nil {
		d.FarEnd = SeededFarEnd(cfg.Seed, 0.3, 3*time.Minute)
	}
	if d.Respondent == nil {
		d.Respondent = NewSimRespondent(cfg.Seed)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Service{cfg: cfg, deps: d, log: d.Log, runs: map[string]*campaignRun{}, status: map[string]CampaignStatus{}}
	var customers Customers
	if d.Book != nil {
		customers = &BookCustomers{Book: d.Book}
	}
	s.gate = NewCompliance(customers, cfg.Home)
	if err := s.gate.SetFloors(cfg.Floors); err != nil {
		return nil, err
	}
	for _, h := range cfg.Holidays {
		if err := s.gate.AddHoliday(h); err != nil {
			return nil, err
		}
	}
	if d.Calendar != nil {
		// One calendar: a day complaint deadlines count as working is a calling day.
		s.gate.SetCalendar(d.Calendar)
	}
	s.msgr = NewMessenger(d.Clock, s.emit)
	// "Reply TD to opt out": the campaign that texted calls and texts that number no more (its
	// do-not-call list, checked at dial time); without a campaign, the company's list.
	s.msgr.OnOptOut(func(phone, campaign string) {
		s.gate.OptOut(phone, campaign)
		if s.store != nil {
			list := ListCampaign
			if campaign == "" {
				list = ListCompany
			}
			s.store.noteDNC(dncRow{list: list, campaign: campaign, phone: phone, listed: true, reason: "sms opt-out", by: "customer", at: d.Clock.Now()})
		}
		s.log.Info("sms opt-out", "campaign", campaign)
	})
	if d.State != nil {
		var err error
		if s.store, err = newStore(context.Background(), d.State, d.Log); err != nil {
			return nil, err
		}
	}
	if d.SMS != nil {
		s.msgr.SetGateway(d.SMS(s.msgr))
	} else {
		s.msgr.SetGateway(NewSimSMSGateway(d.Clock, cfg.Seed, s.msgr))
	}
	return s, nil
}

// Gate is the service's compliance gate (do-not-call lists, holidays, rules).
func (s *Service) Gate() *Compliance { return s.gate }

// LoadDNC adds a do-not-call file (DNCList.Load) to the national or the company list.
func (s *Service) LoadDNC(list string, r io.Reader) (int, error) {
	switch list {
	case "national":
		return s.gate.National().Load(r, s.cfg.CountryCode)
	case "company":
		// Kept apart too: Start merges it again over the saved changes (restoreSaved).
		file := NewDNCList()
		n, err := file.Load(r, s.cfg.CountryCode)
		file.mu.RLock()
		for phone, until := range file.m {
			s.gate.Company().Add(phone, until)
		}
		file.mu.RUnlock()
		s.mu.Lock()
		s.fileDNC = file
		s.mu.Unlock()
		return n, err
	}
	return 0, fmt.Errorf("do-not-call list %q is not one of national, company", list)
}

// Messenger is the service's SMS sender.
func (s *Service) Messenger() *Messenger { return s.msgr }

// Start schedules the campaigns on the clock. On a clock.Sim, call it before the clock is
// driven or from the goroutine that drives it.
func (s *Service) Start() error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return nil
	}
	s.started = true
	s.startedAt = s.deps.Clock.Now()
	s.now = s.startedAt
	s.mu.Unlock()
	if s.deps.ClickHouse != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		n, err := s.gate.Restore(ctx, s.deps.ClickHouse, s.cfg.Tenant, s.startedAt)
		cancel()
		if err != nil {
			return err
		}
		s.log.Info("dialer compliance restored", "do_not_call", n.DoNotCall, "refusals", n.Refusals,
			"abandoned", n.Abandoned, "wrong_numbers", n.WrongNumbers, "sms_opt_outs", n.OptOuts)
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		h, err := AnswerHistory(ctx, s.deps.ClickHouse, s.cfg.Tenant, s.startedAt)
		cancel()
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.history = h
		s.mu.Unlock()
	}
	var saved *savedState
	if s.store != nil {
		var err error
		if saved, err = s.store.load(context.Background(), s.startedAt.Add(-dialsKept)); err != nil {
			return err
		}
	}
	for _, c := range s.cfg.Campaigns {
		c.Normalize()
		sc := saved.campaign(c.ID)
		if sc != nil && sc.origin == "api" {
			return fmt.Errorf("campaign %q: a campaign file (or a default campaign) has the id of a campaign %s created over the API on %s; "+
				"one never replaces the other: give the file's campaign another id", c.ID, sc.createdBy, sc.createdAt.Format(time.RFC3339))
		}
		var cs []Contact
		if sc.readsList(c) {
			var err error
			if cs, err = s.listContacts(context.Background(), c, s.startedAt); err != nil {
				return fmt.Errorf("campaign %s: %w", c.ID, err)
			}
		}
		if err := s.addCampaign(c, cs, sc); err != nil {
			return err
		}
	}
	if saved != nil {
		s.restoreSaved(saved)
	}
	if s.deps.Agents != nil {
		s.deps.Agents.Start()
	}
	s.tick()
	return nil
}

// tick runs queued API commands, refreshes book lists and the live status; it reschedules
// itself on the clock, so on a clock.Sim everything happens on the driving goroutine.
func (s *Service) tick() {
	now := s.deps.Clock.Now()
	s.mu.Lock()
	s.now = now
	todo := s.mailbox
	s.mailbox = nil
	runs := make([]*campaignRun, 0, len(s.order))
	for _, id := range s.order {
		runs = append(runs, s.runs[id])
	}
	s.mu.Unlock()
	for _, f := range todo {
		f()
	}
	for _, r := range runs {
		s.shift(r, now)
		// A paused campaign reads the book again when resumed (from its last read on), so it
		// texts nobody meanwhile.
		if r.c.List.Source == "book" && s.deps.Book != nil && now.Sub(r.lastPoll) >= s.cfg.RefreshEvery && !r.paused.Load() && !r.stopped.Load() {
			s.refresh(r, now)
		}
		// An ended or stopped campaign closes what is still open every tick: a call in progress
		// at the end or stop (Expire leaves it in flight) reports afterwards, and its retry would
		// leave the contact open for good.
		if r.stopped.Load() || (!r.c.End.IsZero() && now.After(r.c.End)) {
			r.eng.Stop()
			r.list.Expire(now)
		}
		if now.Sub(r.pruned) >= 24*time.Hour {
			// Book rules look at most 30 days ahead (renewals) or since the last read (claims):
			// contacts closed 60 days ago cannot be selected again.
			r.list.Prune(now.Add(-60 * 24 * time.Hour))
			r.pruned = now
		}
	}
	s.snapshot(now)
	s.deps.Clock.AfterFunc(s.cfg.StatusEvery, s.tick)
}

func (s *Service) refresh(r *campaignRun, now time.Time) {
	since := r.lastPoll
	if since.IsZero() {
		// First read: claims closed in the last three days are still inside their 72 h window.
		since = now.Add(-72 * time.Hour)
	}
	cs := BookContacts(r.c, s.deps.Book, since, now)
	r.lastPoll = now
	if s.store != nil {
		s.store.noteProgress(r.c.ID, 0, now)
	}
	var fresh []Contact
	for _, c := range cs {
		if r.list.Add(c) == 1 {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) > 0 {
		s.log.Debug("dialer list refreshed", "campaign", r.c.ID, "added", len(fresh))
	}
	if r.c.SMS.Reminder || r.c.Channel == "sms" {
		for _, c := range fresh {
			s.text(r, c, now)
		}
	}
}

// text sends a campaign's reminder to a new contact, if the rules allow (consent, do-not-call
// lists, blacklist); an SMS-only campaign closes the contact with it.
func (s *Service) text(r *campaignRun, c Contact, now time.Time) {
	c.Attempt = 1
	switch s.gate.Check(c, now) {
	case "", RuleCallingWindow, RuleDailyCap, RuleHoliday, RuleAbandonLockout:
		// Call-timing rules do not stop a text.
	default:
		return
	}
	kind := "reminder"
	if r.c.Survey == "sms" {
		kind = "survey_link"
	}
	_ = s.msgr.Send(context.Background(), c.Phone, SMSMeta{Kind: kind, Campaign: r.c.ID, Customer: c.CustomerID, ClaimID: c.ClaimID, ComplaintID: c.ComplaintID})
}

// listContacts reads a file, ClickHouse or segment list (book and request lists fill while the
// campaign runs: none). It runs before the campaign is added, so a list that cannot be read
// fails the campaign's creation with the reason instead of leaving an empty campaign running.
func (s *Service) listContacts(ctx context.Context, c Campaign, now time.Time) ([]Contact, error) {
	switch c.List.Source {
	case "file":
		return readCampaignList(c, s.cfg.CountryCode, now)
	case "clickhouse":
		if s.deps.ClickHouse == nil {
			return nil, fmt.Errorf("list.query: no ClickHouse connection to run it on")
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		cs, err := QueryList(ctx, s.deps.ClickHouse, c.List.Query, c, s.cfg.CountryCode, now)
		if err != nil {
			return nil, fmt.Errorf("list.query: %w", err)
		}
		return cs, nil
	case "segment":
		if s.deps.Segments == nil {
			return nil, fmt.Errorf("list.segment %q: no segment source is configured", c.List.Segment)
		}
		cs, err := s.deps.Segments.Contacts(ctx, c.List.Segment, c, now)
		if err != nil {
			return nil, fmt.Errorf("list.segment %q: %w", c.List.Segment, err)
		}
		for i := range cs {
			cs[i].CampaignID, cs[i].CampaignType = c.ID, c.Type
			if cs[i].Priority == 0 {
				cs[i].Priority = c.Priority
			}
		}
		return cs, nil
	}
	return nil, nil
}

// addCampaign starts a campaign with its list's contacts (listContacts) and, after a restart,
// what the state file saved of it (nil: nothing). It registers the campaign only once nothing
// can fail any more.
func (s *Service) addCampaign(c Campaign, contacts []Contact, saved *savedCampaign) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Floors.Check(c); err != nil {
		return err
	}
	s.mu.Lock()
	if _, dup := s.runs[c.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("campaign %q %w", c.ID, ErrCampaignExists)
	}
	s.mu.Unlock()
	if err := s.gate.SetRules(c.ID, *c.Rules); err != nil {
		return err
	}
	clk := s.deps.Clock
	now := clk.Now()
	shiftEnd := now.Add(12 * time.Hour)
	if !c.End.IsZero() {
		shiftEnd = c.End
	}
	pacer, err := NewPacer(c.Pacing, min(c.AbandonTarget, s.cfg.Floors.AbandonCap), now, shiftEnd) // the cap holds whatever slipped past Check
	if err != nil {
		return err
	}
	seed := s.cfg.Seed ^ hashString(c.ID)
	list := NewContactList(c.Retry, func(Contact) int { return c.MaxAttempts() })
	list.Window(s.gate.InWindow)
	if c.Type == events.CampaignClaimCallback {
		list.FirstAttemptWithin(ClaimFirstAttemptWithin)
	}
	if s.store != nil {
		list.journal = func(e *listEntry) { s.store.noteContact(list.rowOf(c.ID, e)) }
	}
	list.OnFallback(func(ct Contact) {
		_ = s.msgr.Send(context.Background(), ct.Phone, SMSMeta{Kind: "fallback", Campaign: c.ID, Customer: ct.CustomerID, ClaimID: ct.ClaimID, ComplaintID: ct.ComplaintID})
	})
	carrier := NewCarrier(clk, s.deps.FarEnd, 25*time.Second, s.cfg.AMDFalsePositive, seed)
	team := NewTeam(clk, carrier, c.Type, seed)
	team.OnConnected = func(agentID, callID string, ct Contact, disposition string, end time.Time) {
		s.afterCall(c, agentID, callID, ct, disposition, end)
	}
	size := s.cfg.TeamSize
	if c.Agents > 0 {
		size = c.Agents
	}
	if c.Channel == "sms" {
		size = 0 // texts only: the list is worked by refresh, nobody dials
	}
	r := &campaignRun{c: c, list: list, team: team}
	lastSeq := 0
	if saved != nil {
		r.paused.Store(saved.state == StatePaused || saved.state == StateStopped)
		r.stopped.Store(saved.state == StateStopped)
		r.lastPoll, lastSeq = saved.lastPoll, saved.lastSeq
	}
	source := pausable{ContactList: list, paused: &r.paused, stopped: &r.stopped}
	var pool AgentPool = team
	var shared *RoutingPool
	if s.deps.Agents != nil && size > 0 {
		shared = s.deps.Agents.Join(c, size, team, func(now time.Time) bool {
			return r.blended.Load() && source.HasDue(now)
		})
		shared.AtRisk(func(now time.Time) bool { return source.AtRisk(now, s.riskBy(c, now)) })
		pool = shared
		r.pool = shared
	}
	opts := []EngineOption{WithGate(s.gate), WithRecorder(func(d events.DialAttempt) {
		seq := attemptSeq(d.AttemptID)
		d.AttemptID = c.ID + "-" + d.AttemptID
		if d.CallID != "" {
			d.CallID = d.AttemptID
		}
		s.emit(d, d.EndedAt)
		if s.store != nil {
			s.saveAttempt(c.ID, d, seq)
		}
	})}
	if s.store != nil {
		opts = append(opts, WithDialGuard(func(ct Contact, at time.Time) error {
			list.markDialed(ct.ID, at)
			return s.store.commit(context.Background(), dialRow{campaign: c.ID, contact: ct.ID, customer: ct.CustomerID, phone: ct.Phone, at: at})
		}))
	}
	eng, err := NewEngine(EngineConfig{Campaign: c.ID, CampaignType: c.Type, Pacer: pacer, Lines: c.Lines, Machine: c.Machine, LastSeq: lastSeq},
		clk, carrier, pool, source, opts...)
	if err != nil {
		return err
	}
	carrier.Bind(eng)
	if shared != nil {
		shared.Bind(eng)
	} else {
		team.Bind(eng)
	}
	r.eng = eng
	s.mu.Lock()
	past := s.history[c.ID]
	delete(s.history, c.ID)
	s.mu.Unlock()
	eng.RestoreAnswers(past)
	if saved != nil {
		list.restore(saved.contacts)
	}
	s.load(r, contacts, now)
	if c.List.Source == "book" && s.deps.Book != nil && !r.paused.Load() {
		s.refresh(r, now)
	}
	if shared == nil {
		for i := range size {
			r.agents = append(r.agents, c.ID+"-A"+strconv.Itoa(i+1))
		}
	}
	s.mu.Lock()
	s.runs[c.ID] = r
	s.order = append(s.order, c.ID)
	s.mu.Unlock()
	s.shift(r, now)
	if size > 0 {
		eng.Start()
	}
	s.log.Info("dialer campaign started", "campaign", c.ID, "type", c.Type, "pacing", c.Pacing, "contacts", list.Progress().Contacts)
	return nil
}

// ClaimFirstAttemptWithin is the post-claim callback's first-attempt deadline after the claim
// closes; ClaimAtRiskWithin is how close to it a claim not called yet puts its campaign ahead
// of the others for agents. 18 h (6 h after closing): the calling window is shut 11 h a night
// (21:00–08:00), so any 18 h before a deadline hold at least 7 calling hours, enough for a
// campaign of 3 agents to work through a day's claims; with 12 h a deadline at 09:00 leaves one
// calling hour (a `hotline run` backfill with 330 claims closing around 11:00 got 180 of them
// called by 10:43 the next day), with 4 h claims closed between 01:00 and 08:00 are at risk
// only at night.
const (
	ClaimFirstAttemptWithin = 24 * time.Hour
	ClaimAtRiskWithin       = 18 * time.Hour
)

// riskBy is how far ahead a campaign's deadlines put it at risk: complaint follow-ups as their
// status counts them at risk (the end of the next working day, else 48 h), so the blend hurries
// the very contacts a manager sees flagged; post-claim callbacks ClaimAtRiskWithin.
func (s *Service) riskBy(c Campaign, now time.Time) time.Time {
	if c.Type != events.CampaignComplaintFollowup {
		return now.Add(ClaimAtRiskWithin)
	}
	if s.deps.Calendar != nil {
		return AtRiskBy(s.deps.Calendar, now, s.cfg.Home)
	}
	return now.Add(48 * time.Hour)
}

// load puts a file or query list on the campaign, texting new contacts when it is an SMS one.
func (s *Service) load(r *campaignRun, cs []Contact, now time.Time) {
	for _, c := range cs {
		if r.list.Add(c) == 1 && (r.c.SMS.Reminder || r.c.Channel == "sms") {
			s.text(r, c, now)
		}
	}
}

// afterCall runs the campaign's survey after a conversation, and records an issue the customer
// raised on a callback as feedback to follow up.
func (s *Service) afterCall(c Campaign, agentID, callID string, ct Contact, disposition string, end time.Time) {
	meta := SMSMeta{Campaign: c.ID, Customer: ct.CustomerID, CallID: c.ID + "-" + callID, ClaimID: ct.ClaimID, ComplaintID: ct.ComplaintID, Agent: agentID}
	if disposition == "issue_raised" || disposition == "dissatisfied" {
		s.feedback(c, meta, disposition, end)
	}
	if disposition == DispositionCallback {
		notice := meta
		notice.Kind = "callback_notice"
		_ = s.msgr.Send(context.Background(), ct.Phone, notice)
	}
	switch c.Survey {
	case "ivr":
		// One survey a call: the call's id makes the survey's, unique across restarts too.
		id := meta.CallID + "-survey"
		if resp, ok := PostCallSurvey(s.deps.Respondent, id, meta, end); ok {
			s.emit(resp, end.Add(30*time.Second))
		}
	case "sms":
		meta.Kind = "survey_link"
		_ = s.msgr.Send(context.Background(), ct.Phone, meta)
	}
}

// feedback records an issue raised on a callback as a survey response with the issue, and
// republishes the same response marked resolved when the follow-up closes it (simulated: most
// within 48 h, the rest later), which is what feedback resolution is measured on.
func (s *Service) feedback(c Campaign, meta SMSMeta, disposition string, at time.Time) {
	id := meta.CallID + "-feedback"
	r := hashString(id)
	unresolved := false
	resp := surveyResponse(id, "call", meta, nil, nil, &unresolved)
	resp.Issue = "customer raised an issue on the " + c.Type + " call (" + disposition + ")"
	s.emit(resp, at)
	// 75% closed within 2..47 h, the rest in 49..120 h.
	delay := time.Duration(2+r%46) * time.Hour
	if r%4 == 0 {
		delay = time.Duration(49+r%72) * time.Hour
	}
	s.deps.Clock.AfterFunc(delay, func() {
		resolved := true
		done := resp
		done.Resolved = &resolved
		s.emit(done, s.deps.Clock.Now())
	})
}

// AddCallbackRequest queues a virtual-hold callback from the IVR queue on the campaign of that
// type (the first one), creating nothing if there is none.
func (s *Service) AddCallbackRequest(req events.CallbackRequested, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		r := s.runs[id]
		if r.c.Type == events.CampaignVirtualHold && !r.stopped.Load() {
			r.list.Add(CallbackContact(r.c, req, at))
			return true
		}
	}
	return false
}

// ComplaintFollowupAfter is how long after registration the follow-up is first due: the
// department responsible has had a day to act.
const ComplaintFollowupAfter = 24 * time.Hour

// AddComplaint puts a newly registered complaint on the first complaint follow-up campaign,
// with its deadline; false when there is no such campaign, the complaint is not new, or the
// customer has no number.
func (s *Service) AddComplaint(cp events.Complaint) bool {
	if cp.Stage != "registered" || cp.Customer == "" || s.deps.Book == nil {
		return false
	}
	cu, ok := s.deps.Book.Customer(cp.Customer)
	if !ok || cu.Phone == "" {
		return false
	}
	deadline := cp.DueAt
	if s.deps.Calendar != nil {
		deadline = calendar.Deadline(s.deps.Calendar, cp.RegisteredAt, s.cfg.ComplaintWorkdays, s.cfg.Home)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		r := s.runs[id]
		if r.c.Type != events.CampaignComplaintFollowup || r.stopped.Load() {
			continue
		}
		r.list.Add(Contact{
			ID: cp.ComplaintID, CustomerID: cp.Customer, Phone: cu.Phone, CampaignID: r.c.ID, CampaignType: r.c.Type,
			Priority: r.c.Priority, Due: cp.RegisteredAt.Add(ComplaintFollowupAfter), Deadline: deadline,
			ComplaintID: cp.ComplaintID, ClaimID: cp.Claim, PolicyID: cp.Policy, CallID: cp.CallID,
		})
		return true
	}
	return false
}

// Create adds a campaign while running; it starts at the next tick. Its list (a file, a query,
// a segment) is read here, so a list that cannot be read is this call's error. With a state
// file the campaign and its list are saved before Create returns.
func (s *Service) Create(c Campaign) error { return s.create(c, nil, false) }

// CreateWithContacts is Create for a campaign whose contacts the caller has (a segment launched
// as a campaign): they are its list.
// Numbers are normalised as list files' are; one that is not a number refuses the campaign.
func (s *Service) CreateWithContacts(c Campaign, contacts []Contact) error {
	c.Normalize()
	cs := make([]Contact, len(contacts))
	for i, ct := range contacts {
		phone := events.NormalizePhone(ct.Phone, s.cfg.CountryCode)
		if phone == "" {
			return fmt.Errorf("campaign %s: contact %d (customer %s): %q is not a phone number", c.ID, i+1, ct.CustomerID, ct.Phone)
		}
		ct.Phone, ct.CampaignID, ct.CampaignType = phone, c.ID, c.Type
		ct.ID = cmp.Or(ct.ID, c.ID+":"+ct.CustomerID)
		ct.Priority = cmp.Or(ct.Priority, c.Priority)
		cs[i] = ct
	}
	return s.create(c, cs, true)
}

func (s *Service) create(c Campaign, cs []Contact, given bool) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Floors.Check(c); err != nil {
		return err
	}
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.mu.Lock()
	err := s.unusedID(c.ID)
	started, now := s.started, s.now
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if started && !given {
		if cs, err = s.listContacts(context.Background(), c, now); err != nil {
			return fmt.Errorf("campaign %s: %w", c.ID, err)
		}
	}
	if s.store != nil {
		// Saved before it is answered; a campaign created before the start has its list read
		// when the dialer starts, which loads it from the state file like any other.
		if err := s.store.createCampaign(context.Background(), c, cs, started || given, now); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		if s.store == nil {
			s.cfg.Campaigns = append(s.cfg.Campaigns, c)
		}
		s.status[c.ID] = CampaignStatus{Campaign: c, State: "pending"}
		return nil
	}
	s.status[c.ID] = CampaignStatus{Campaign: c, State: "pending"}
	s.mailbox = append(s.mailbox, func() { s.startCampaign(c, cs, nil) })
	return nil
}

// startCampaign starts a campaign created over the API; one that fails is listed as failed.
func (s *Service) startCampaign(c Campaign, cs []Contact, saved *savedCampaign) {
	if err := s.addCampaign(c, cs, saved); err != nil {
		s.log.Error("starting campaign", "campaign", c.ID, "error", err)
		s.mu.Lock()
		st := s.status[c.ID]
		st.Campaign, st.State, st.Error = c, "failed", err.Error()
		s.status[c.ID] = st
		s.mu.Unlock()
	}
}

// Campaign states a manager can set: paused campaigns start no call (calls in progress finish)
// until resumed; a stopped campaign never calls again and its open contacts close as expired.
const (
	StatePaused  = "paused"
	StateRunning = "running"
	StateStopped = "stopped"
)

// SetState pauses, resumes or stops a running campaign. Pausing takes effect at once; stopping
// takes the records off the agents' preview desks and closes the open contacts at the next tick.
// With a state file the new state is saved first (an error wrapping ErrNotSaved if it cannot be).
func (s *Service) SetState(id, state string) (CampaignStatus, error) {
	return s.setState(id, state, "")
}

func (s *Service) setState(id, state, by string) (CampaignStatus, error) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.mu.Lock()
	r, ok := s.runs[id]
	st, known := s.status[id]
	now := s.now
	s.mu.Unlock()
	switch {
	case !ok && !known:
		return CampaignStatus{}, ErrNoCampaign
	case !ok:
		return st, fmt.Errorf("campaign %s is %s, not running", id, st.State)
	case r.stopped.Load():
		return st, fmt.Errorf("campaign %s is stopped for good; create a new campaign to call again", id)
	case st.State == "ended":
		return st, fmt.Errorf("campaign %s ended at %s", id, r.c.End.Format(time.RFC3339))
	}
	switch state {
	case StatePaused, StateRunning, StateStopped:
	default:
		return st, fmt.Errorf("state: %q is not one of %s, %s, %s", state, StatePaused, StateRunning, StateStopped)
	}
	if s.store != nil {
		if err := s.store.setState(context.Background(), id, state, by, now); err != nil {
			return st, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st = s.status[id]
	switch state {
	case StatePaused:
		r.paused.Store(true)
	case StateRunning:
		r.paused.Store(false)
	case StateStopped:
		r.stopped.Store(true)
		s.mailbox = append(s.mailbox, func() {
			r.paused.Store(true) // the blend takes its agents back
			r.eng.Stop()
			if r.pool != nil {
				// A record on a person's desk is in flight, which Expire leaves open (and the
				// blend, letting the agent go, would put back on the list): take it off the
				// desk first, telling the desktop, so it closes with the others.
				r.pool.StopPreviews()
			}
			r.list.Expire(s.deps.Clock.Now())
		})
	}
	st.State = runState(r, st.AsOf)
	s.status[id] = st
	s.log.Info("dialer campaign "+st.State, "campaign", id)
	return st, nil
}

// ErrNoCampaign is SetState's error for an id no campaign has.
var ErrNoCampaign = errors.New("no such campaign")

// runState is a started campaign's state at now.
func runState(r *campaignRun, now time.Time) string {
	switch {
	case r.stopped.Load():
		return StateStopped
	case !r.c.End.IsZero() && now.After(r.c.End):
		return "ended"
	case r.paused.Load():
		return StatePaused
	}
	return StateRunning
}

// unusedID reports an id taken by a running, pending or configured campaign; s.mu held.
func (s *Service) unusedID(id string) error {
	_, running := s.runs[id]
	_, known := s.status[id]
	configured := slices.ContainsFunc(s.cfg.Campaigns, func(q Campaign) bool { return q.ID == id })
	if running || known || configured {
		return fmt.Errorf("campaign %q %w", id, ErrCampaignExists)
	}
	return nil
}

// ErrCampaignExists is Create's error for an id in use (the API's 409); its other errors are
// the campaign's own (a list that cannot be read).
var ErrCampaignExists = errors.New("already exists")

// CampaignStatus is a campaign's live progress, as GET /api/campaigns/{id} shows it.
type CampaignStatus struct {
	Campaign Campaign     `json:"campaign"`
	State    string       `json:"state"` // pending, running, paused, stopped, ended, failed
	Error    string       `json:"error,omitempty"`
	AsOf     time.Time    `json:"as_of"`
	Figures  Figures      `json:"figures"`
	List     ListProgress `json:"list"`
	// Callback coverage for post-claim callbacks: share of contacts due in the last 30 days first
	// attempted within 24 h and reached within 72 h of the claim closing.
	FirstAttempt24h *float64 `json:"first_attempt_24h,omitempty"`
	Reached72h      *float64 `json:"reached_72h,omitempty"`
	// Deadlines: complaint follow-ups reached in time, overdue and at risk.
	Deadlines *DeadlineStatus `json:"deadlines,omitempty"`
}

func (s *Service) snapshot(now time.Time) {
	s.mu.Lock()
	runs := make([]*campaignRun, 0, len(s.order))
	for _, id := range s.order {
		runs = append(runs, s.runs[id])
	}
	s.mu.Unlock()
	for _, r := range runs {
		st := CampaignStatus{Campaign: r.c, State: runState(r, now), AsOf: now, Figures: r.eng.Figures(), List: r.list.Progress()}
		if r.c.Type == events.CampaignComplaintFollowup {
			riskBy := now.Add(48 * time.Hour)
			if s.deps.Calendar != nil {
				riskBy = AtRiskBy(s.deps.Calendar, now, s.cfg.Home)
			}
			d := r.list.Deadlines(now, riskBy)
			st.Deadlines = &d
		}
		if r.c.Type == events.CampaignClaimCallback {
			// Only contacts whose 72 h window has closed, and that closed while the dialer ran.
			s.mu.Lock()
			from := s.startedAt
			s.mu.Unlock()
			if from.Before(now.Add(-30 * 24 * time.Hour)) {
				from = now.Add(-30 * 24 * time.Hour)
			}
			f, re, n := r.list.Coverage(from, now.Add(-72*time.Hour), 24*time.Hour, 72*time.Hour)
			if n > 0 {
				st.FirstAttempt24h, st.Reached72h = &f, &re
			}
		}
		s.mu.Lock()
		s.status[r.c.ID] = st
		s.mu.Unlock()
	}
}

// Status returns a campaign's last live progress.
func (s *Service) Status(id string) (CampaignStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.status[id]
	return st, ok
}

// Statuses returns every campaign's progress, in creation order.
func (s *Service) Statuses() []CampaignStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CampaignStatus, 0, len(s.status))
	seen := map[string]bool{}
	for _, id := range s.order {
		out = append(out, s.status[id])
		seen[id] = true
	}
	for id, st := range s.status {
		if !seen[id] {
			out = append(out, st)
		}
	}
	return out
}

// maxBuffered bounds the events waiting for the sink; beyond it new ones are counted and
// dropped, so a dead sink cannot exhaust memory.
const maxBuffered = 1 << 20

func (s *Service) emit(p events.Payload, at time.Time) {
	ev := events.New(p, at, s.cfg.Source, s.cfg.Tenant)
	if s.store != nil {
		// One invalid event in a batch would fail every later commit: it is refused here.
		if err := ev.Validate(at); err != nil {
			s.log.Error("dialer event dropped", "type", ev.Type, "err", err)
			s.mu.Lock()
			s.dropped++
			s.mu.Unlock()
			return
		}
		s.store.noteEvent(ev)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) >= maxBuffered {
		s.dropped++
		return
	}
	s.buf = append(s.buf, ev)
}

// Flush publishes buffered events to the sink; with a state file it saves the engine's changes
// made since the last flush, with their events.
func (s *Service) Flush(ctx context.Context) error {
	if s.store != nil {
		return s.store.commit(ctx)
	}
	s.mu.Lock()
	buf := s.buf
	s.buf = nil
	s.mu.Unlock()
	if len(buf) == 0 || s.deps.Sink == nil {
		return nil
	}
	if err := s.deps.Sink.Publish(ctx, buf...); err != nil {
		// Put them back in front, so nothing is lost on a transient failure.
		s.mu.Lock()
		s.buf = append(buf, s.buf...)
		s.mu.Unlock()
		return fmt.Errorf("publishing dialer events: %w", err)
	}
	return nil
}

// Run starts the campaigns (if not started) and publishes their events until ctx ends, then
// flushes what is left.
func (s *Service) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	t := time.NewTicker(s.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return s.Flush(fctx)
		case <-t.C:
			if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("dialer events not published yet; retrying", "error", err)
			}
		}
	}
}
