package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
)

// Options configure a simulation.
type Options struct {
	Profile Profile
	Seed    uint64
	// Start is when the simulation begins; arrivals follow the profile in its local time.
	Start time.Time
	// Sink receives every event (batched); nil discards them after counting.
	Sink events.Sink
	// BatchSize is how many events are sent to Sink at once (default 5000).
	BatchSize int
	// Routing and Menu default to routing.DefaultConfig and routing.DefaultMenu.
	Routing *routing.Config
	Menu    *routing.Menu
	// NoBookEvents skips emitting the book of business at the start.
	NoBookEvents bool
	// FirstCall is the number after which call ids count (default 0: GD-1-0000001 first), so a
	// run resumed after an earlier one never reuses its call ids.
	FirstCall int
	// Customers overrides the profile's book size.
	Customers int
	Logger    *slog.Logger
	// EngineOptions are passed to routing.New (e.g. a decision timer).
	EngineOptions []routing.Option
}

// Counts are the simulator's own tally, kept apart from the events so tests can check that the
// records reproduce them.
type Counts struct {
	Calls        int            // calls placed by simulated callers
	Redials      int            // of which repeat calls
	Records      int            // call records seen
	Outcomes     map[string]int // records by outcome
	ByLine       map[string]int // records by business line
	Callbacks    int            // callback requests
	Complaints   int            // complaints registered by agents
	ClaimsFiled  int            // claims created by claims-reporting calls
	BookEvents   int            // customers, policies and claims emitted
	Events       int            // all events emitted
	AgentStates  int
	DoubleEnded  int // calls with more than one record (must stay 0)
	Transfers    int
	SelfServeRun int // self-service tasks done
	PeakHour     int // most calls placed in one clock hour
	DesktopsLost int // agent desktops that disappeared (lease recovery)
	perHour      map[int64]int
}

// Sim is one simulation: the world, the clock and the real routing engine.
type Sim struct {
	opt   Options
	prof  Profile
	clk   *clock.Sim
	eng   *routing.Engine
	book  *MemBook
	pop   *Population
	menu  *routing.Menu
	plans plans
	after map[string]bool // menu nodes reached after a self-service answer
	log   *slog.Logger

	rArr, rCall, rAgent, rBook *rand.Rand
	ids                        func() uuid.UUID
	out                        *batch
	counts                     Counts
	ended                      map[string]uint8
	callers                    map[string]*caller
	agents                     []*simAgent
	byAgent                    map[string]*simAgent
	intents                    []string
	intentW                    []float64
	nextCall                   int
	stopAt                     time.Time // no arrivals after this
	day                        time.Time // local midnight of the current arrival day
	dayRate                    float64   // calls per second at the busiest hour of the day
	dayVolume                  float64
	loc                        *time.Location
}

// New builds a simulation; nothing runs until Run or RunUntil.
func New(opt Options) (*Sim, error) {
	p := opt.Profile
	if p.Name == "" {
		return nil, fmt.Errorf("simulation: no profile")
	}
	if opt.Start.IsZero() {
		return nil, fmt.Errorf("simulation: no start time")
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 5000
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		return nil, fmt.Errorf("simulation: zone %q: %w", p.Zone, err)
	}
	rcfg := routing.DefaultConfig()
	if opt.Routing != nil {
		rcfg = *opt.Routing
	}
	rcfg.Tenant = p.Tenant
	if p.AllHours {
		rcfg.Queues = slices.Clone(rcfg.Queues)
		for i := range rcfg.Queues {
			rcfg.Queues[i].Hours = nil
			rcfg.Queues[i].AfterHoursCallback = false
		}
	}
	menu := opt.Menu
	if menu == nil {
		menu = routing.DefaultMenu()
	}
	s := &Sim{
		opt: opt, prof: p, clk: clock.NewSim(opt.Start), menu: menu, log: opt.Logger, loc: loc,
		rArr: rand.New(rand.NewPCG(opt.Seed, 1)), rCall: rand.New(rand.NewPCG(opt.Seed, 2)),
		rAgent: rand.New(rand.NewPCG(opt.Seed, 3)), rBook: rand.New(rand.NewPCG(opt.Seed, 4)),
		ids: routing.SeededIDs(opt.Seed + uint64(opt.FirstCall)*0x9E3779B97F4A7C15), ended: map[string]uint8{}, callers: map[string]*caller{},
		byAgent: map[string]*simAgent{}, pop: NewPopulation(opt.Seed),
		counts: Counts{Outcomes: map[string]int{}, ByLine: map[string]int{}}, nextCall: opt.FirstCall,
	}
	s.out = &batch{next: opt.Sink, size: opt.BatchSize}
	if s.plans, err = buildPlans(menu); err != nil {
		return nil, err
	}
	s.after = map[string]bool{}
	for _, n := range menu.Nodes {
		if n.Type == routing.NodeCollect {
			s.after[n.Next] = true
		}
	}
	for _, k := range sortedKeys(p.Intents) {
		s.intents = append(s.intents, k)
		s.intentW = append(s.intentW, p.Intents[k])
	}
	n := p.Customers
	if opt.Customers > 0 {
		n = opt.Customers
	}
	s.book = NewBook(opt.Seed, n, opt.Start, p.Tenant)
	engOpts := append([]routing.Option{
		routing.WithSink(tee{s}), routing.WithMenu(menu), routing.WithDirectory(s.book),
		routing.WithEventIDs(s.ids), routing.WithLogger(opt.Logger),
	}, opt.EngineOptions...)
	s.eng, err = routing.New(rcfg, s.clk, engOpts...)
	if err != nil {
		return nil, err
	}
	s.eng.AddObserver(s)
	s.hireAgents()
	if !opt.NoBookEvents {
		if opt.Sink != nil {
			evs := s.book.Events(opt.Start, "sim/book", p.Tenant, s.ids)
			s.counts.BookEvents = len(evs)
			s.out.add(evs...)
		} else {
			c, pol, cl := s.book.Size()
			s.counts.BookEvents = c + pol + cl // counted, not built: nobody would read them
		}
		s.counts.Events += s.counts.BookEvents
	}
	s.startDay(s.localMidnight(opt.Start))
	s.clk.AfterFunc(time.Hour, s.advanceClaims)
	return s, nil
}

// Clock is the simulation clock. Engine is the routing engine it drives. Book and Population
// are the world the dialer can use.
func (s *Sim) Clock() *clock.Sim                   { return s.clk }
func (s *Sim) Engine() *routing.Engine             { return s.eng }
func (s *Sim) Book() *MemBook                      { return s.book }
func (s *Sim) Population() *Population             { return s.pop }
func (s *Sim) Counts() Counts                      { return s.counts }
func (s *Sim) isAfterService(n *routing.Node) bool { return s.after[n.ID] }

// Stop ends arrivals at t (callers already in the system finish).
func (s *Sim) Stop(t time.Time) { s.stopAt = t }

// RunUntil advances the simulation to t and flushes the events produced.
func (s *Sim) RunUntil(ctx context.Context, t time.Time) error {
	for {
		next, ok := s.clk.Next()
		if !ok || next.After(t) {
			break
		}
		s.clk.Step()
		if s.out.err != nil {
			return s.out.err
		}
		if len(s.out.buf) >= s.out.size {
			if err := s.out.flush(ctx); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	s.clk.RunUntil(t)
	return s.out.flush(ctx)
}

// Drain stops arrivals at the current time, lets every call in progress end, logs every agent
// out and flushes. Afterwards every call placed has exactly one record.
func (s *Sim) Drain(ctx context.Context) error {
	s.stopAt = s.clk.Now()
	for _, a := range s.agents {
		a.leaving = true
	}
	limit := s.clk.Now().Add(12 * time.Hour)
	for s.eng.Active() > 0 {
		if _, ok := s.clk.Next(); !ok || s.clk.Now().After(limit) {
			break
		}
		s.clk.Step()
	}
	for _, a := range s.agents {
		_ = s.eng.Logout(a.id, "end_of_simulation")
	}
	if n := s.eng.Active(); n > 0 {
		return fmt.Errorf("simulation drain: %d calls still in progress after 12 h", n)
	}
	return s.out.flush(ctx)
}

func (s *Sim) localMidnight(t time.Time) time.Time {
	lt := t.In(s.loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, s.loc)
}

// startDay draws the day's volume and schedules the first arrival and the next day.
func (s *Sim) startDay(midnight time.Time) {
	s.day = midnight
	p := &s.prof
	s.dayVolume = p.CallsPerDay * p.DayFactor[midnight.Weekday()] * math.Exp(p.DayNoise*s.rArr.NormFloat64()-p.DayNoise*p.DayNoise/2)
	sum, peak := 0.0, 0.0
	for _, w := range p.Hourly {
		sum += w
		peak = math.Max(peak, w)
	}
	s.dayRate = s.dayVolume * peak / sum / 3600
	next := midnight.AddDate(0, 0, 1)
	s.clk.AfterFunc(next.Sub(s.clk.Now()), func() { s.startDay(next) })
	s.scheduleArrival()
}

// rateAt is the arrival rate (calls per second) at t.
func (s *Sim) rateAt(t time.Time) float64 {
	p := &s.prof
	sum := 0.0
	for _, w := range p.Hourly {
		sum += w
	}
	return s.dayVolume * p.Hourly[t.In(s.loc).Hour()] / sum / 3600
}

// scheduleArrival draws the next arrival of the day by thinning a Poisson process at the day's
// peak rate: exact for the hourly step profile.
func (s *Sim) scheduleArrival() {
	day := s.day
	t := s.clk.Now()
	end := day.AddDate(0, 0, 1)
	for {
		t = t.Add(time.Duration(s.rArr.ExpFloat64() / s.dayRate * float64(time.Second)))
		if !t.Before(end) {
			return // startDay continues tomorrow
		}
		if s.rArr.Float64()*s.dayRate <= s.rateAt(t) {
			break
		}
	}
	s.clk.AfterFunc(t.Sub(s.clk.Now()), func() {
		if s.day != day {
			return
		}
		if s.stopAt.IsZero() || s.clk.Now().Before(s.stopAt) {
			s.newCaller(nil)
		}
		s.scheduleArrival()
	})
}

// newCaller places a call: a fresh caller, or prev calling again.
func (s *Sim) newCaller(prev *caller) {
	r := s.rCall
	c := &caller{s: s, r: r}
	if prev != nil {
		c.intent, c.customer, c.number = prev.intent, prev.customer, prev.number
		s.counts.Redials++
	} else {
		c.intent = s.intents[pick(r, s.intentW)]
		if r.Float64() < s.prof.Known {
			n, _, _ := s.book.Size()
			c.customer = s.book.customerAt(r.IntN(n)).Customer
		}
		switch c.intent {
		case IntentClaimStatus:
			// Whoever asks about a claim has one: a caller from an unknown number (or the
			// customer drawn first) is replaced by a claimant, calling from elsewhere when
			// the caller was anonymous.
			known := c.customer != ""
			for try := 0; try < 50 && len(s.book.ClaimsOf(c.customer)) == 0; try++ {
				n, _, _ := s.book.Size()
				c.customer = s.book.customerAt(r.IntN(n)).Customer
			}
			if cls := s.book.ClaimsOf(c.customer); len(cls) > 0 {
				c.number = cls[len(cls)-1].Claim
			} else {
				c.intent = IntentInquiry
			}
			if !known {
				c.customer = ""
			}
		case IntentPolicyLookup, IntentPaymentLookup:
			who := c.customer
			if who == "" {
				n, _, _ := s.book.Size()
				who = s.book.customerAt(r.IntN(n)).Customer
			}
			pols := s.book.PoliciesOf(who)
			c.number = pols[r.IntN(len(pols))].Policy
		}
	}
	routes := s.plans[c.intent]
	c.route = routes[r.IntN(len(routes))]
	s.nextCall++
	id := fmt.Sprintf("%s-%d-%07d", s.prof.Tenant, s.opt.Seed, s.nextCall)
	phone := fmt.Sprintf("+86137%08d", r.IntN(1e8))
	if c.customer != "" {
		cu, _ := s.book.Customer(c.customer)
		phone = cu.Phone
	}
	s.counts.Calls++
	if s.counts.perHour == nil {
		s.counts.perHour = map[int64]int{}
	}
	h := s.clk.Now().Unix() / 3600
	s.counts.perHour[h]++
	s.counts.PeakHour = max(s.counts.PeakHour, s.counts.perHour[h])
	s.callers[id] = c
	if err := s.eng.Arrive(routing.Arrival{CallID: id, Phone: phone, Caller: c}); err != nil {
		s.log.Error("simulated arrival", "call", id, "error", err)
	}
}

func pick(r *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// patience draws how long a caller waits in a queue before hanging up.
func (s *Sim) patience(r *rand.Rand) time.Duration {
	p := &s.prof
	if p.PatienceSigma == 0 {
		return dur(r.ExpFloat64() * p.Patience)
	}
	mu := math.Log(p.Patience) - p.PatienceSigma*p.PatienceSigma/2
	return dur(math.Exp(mu + p.PatienceSigma*r.NormFloat64()))
}

// observe sees every event the engine emits, before it is batched.
func (s *Sim) observe(ev events.Event) {
	s.counts.Events++
	switch p := ev.Payload.(type) {
	case events.CallLifecycle:
		if p.Stage == events.StageQueued {
			id := p.CallID
			s.clk.AfterFunc(s.patience(s.rCall), func() { _, _ = s.eng.Abandon(id) })
		}
		if p.Stage == events.StageTransferred {
			s.counts.Transfers++
		}
	case events.AgentState:
		s.counts.AgentStates++
	case events.CallbackRequested:
		s.counts.Callbacks++
	case events.Complaint:
		s.counts.Complaints++
	case events.CallRecord:
		s.record(p)
	}
}

func (s *Sim) record(r events.CallRecord) {
	s.counts.Records++
	s.counts.Outcomes[r.Outcome]++
	s.counts.ByLine[r.Line]++
	if r.SelfService != "" && r.Outcome == events.OutcomeSelfServed {
		s.counts.SelfServeRun++
	}
	s.ended[r.CallID]++
	if s.ended[r.CallID] > 1 {
		s.counts.DoubleEnded++
	}
	c := s.callers[r.CallID]
	delete(s.callers, r.CallID)
	if c == nil {
		return
	}
	// Calling again: after abandoning, or when the issue was not resolved (this is what FCR
	// measures), the same caller comes back about the same thing.
	p := &s.prof
	var after time.Duration
	switch {
	case r.Outcome == events.OutcomeAbandoned || r.Outcome == events.OutcomeIVRAbandoned:
		if s.rCall.Float64() < p.RedialAfterAbandon {
			after = dur(s.rCall.ExpFloat64() * p.RedialAbandonDelay.Seconds())
		}
	case r.Outcome == events.OutcomeAnswered && !r.Resolved && r.Direction == events.Inbound:
		if s.rCall.Float64() < p.RedialUnresolved {
			after = dur(s.rCall.ExpFloat64() * p.RedialUnresolvedWait.Seconds())
		}
	}
	if after > 0 {
		s.clk.AfterFunc(after+time.Minute, func() {
			if s.stopAt.IsZero() || s.clk.Now().Before(s.stopAt) {
				s.newCaller(c)
			}
		})
	}
}

// advanceClaims moves claims along every simulated hour and emits the changes.
func (s *Sim) advanceClaims() {
	now := s.clk.Now()
	for _, c := range s.book.Advance(s.rBook, now.Add(-time.Hour), now) {
		s.emitBook(c)
	}
	s.clk.AfterFunc(time.Hour, s.advanceClaims)
}

func (s *Sim) emitBook(p events.Payload) {
	ev := events.New(p, s.clk.Now(), "sim/book", s.prof.Tenant)
	ev.EventID = s.ids()
	s.counts.BookEvents++
	s.counts.Events++
	s.out.add(ev)
}

// tee hands the engine's events to the simulator, then to the batch.
type tee struct{ s *Sim }

func (t tee) Publish(_ context.Context, evs ...events.Event) error {
	for _, ev := range evs {
		t.s.observe(ev)
	}
	t.s.out.add(evs...)
	return nil
}

// batch collects events and sends them on in batches.
type batch struct {
	next events.Sink
	size int
	buf  []events.Event
	err  error
}

func (b *batch) add(evs ...events.Event) {
	if b.next == nil {
		return
	}
	b.buf = append(b.buf, evs...)
}

func (b *batch) flush(ctx context.Context) error {
	if b.next == nil || len(b.buf) == 0 {
		return b.err
	}
	for i := 0; i < len(b.buf); i += b.size {
		j := min(i+b.size, len(b.buf))
		if err := b.next.Publish(ctx, b.buf[i:j]...); err != nil {
			b.err = fmt.Errorf("publishing simulated events: %w", err)
			return b.err
		}
	}
	clear(b.buf)
	b.buf = b.buf[:0]
	return nil
}
