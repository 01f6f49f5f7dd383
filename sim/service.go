package sim

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// ServiceConfig configures the simulator as a live service for `hotline run`.
type ServiceConfig struct {
	Profile  string        // "province" (default) or "national"
	Seed     uint64        // default 1
	Sink     events.Sink   // where the events go (Kafka in production)
	Backfill time.Duration // simulated history before now, run as fast as possible; default 24h
	// ResumeAt is where an earlier run's events stopped (zero: none). A restart carries on from
	// there, or from now less Backfill if that is later, instead of playing the history again.
	ResumeAt time.Time
	Tick     time.Duration // how often the clock catches up with real time; default 200ms
	Logger   *slog.Logger
	// EngineOptions are passed to routing.New (e.g. the calendar complaint due dates count by).
	EngineOptions []routing.Option
}

// Validate reports configuration errors naming the field.
func (c ServiceConfig) Validate() error {
	if c.Profile != "" {
		if _, err := ProfileByName(c.Profile); err != nil {
			return fmt.Errorf("simulator config: profile: %w", err)
		}
	}
	if c.Backfill < 0 || c.Tick < 0 {
		return fmt.Errorf("simulator config: backfill and tick must not be negative")
	}
	if c.Sink == nil {
		return fmt.Errorf("simulator config: sink: missing")
	}
	return nil
}

// Service runs a simulated hotline through the real routing code: first a backfill of recent
// history at full speed, then in step with the wall clock. The desktop API reaches the same
// engine through Do, so people can log in as agents next to the simulated ones.
type Service struct {
	mu  sync.Mutex
	sim *Sim
	cfg ServiceConfig
	log *slog.Logger
}

// NewService builds the service; the backfill starts in Run.
func NewService(cfg ServiceConfig) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Profile == "" {
		cfg.Profile = "province"
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Backfill == 0 {
		cfg.Backfill = 24 * time.Hour
	}
	if cfg.Tick == 0 {
		cfg.Tick = 200 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p, _ := ProfileByName(cfg.Profile)
	opt := Options{Profile: p, Seed: cfg.Seed, Start: time.Now().Add(-cfg.Backfill).Truncate(time.Second), Sink: cfg.Sink, Logger: cfg.Logger, EngineOptions: cfg.EngineOptions}
	if !cfg.ResumeAt.IsZero() {
		// The book of business was published by the first run, and new call ids and event ids
		// must not repeat that run's: they count from the resume time (fewer than 1,000 calls a
		// simulated second, so a later resume always starts above an earlier run's last id).
		opt.NoBookEvents = true
		opt.FirstCall = int(cfg.ResumeAt.Unix()) * 1000
		if cfg.ResumeAt.After(opt.Start) {
			opt.Start = cfg.ResumeAt.Truncate(time.Second).Add(time.Second)
		}
	}
	s, err := New(opt)
	if err != nil {
		return nil, err
	}
	return &Service{sim: s, cfg: cfg, log: cfg.Logger}, nil
}

// Do runs f with exclusive access to the routing engine (routing.Runner).
func (s *Service) Do(f func(e *routing.Engine) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s.sim.eng)
}

// Book is the simulated book of business, for the dialer.
func (s *Service) Book() Book { return s.sim.book }

// Population is the simulated customers' answering behaviour, for the dialer.
func (s *Service) Population() *Population { return s.sim.pop }

// Counts is a snapshot of the simulator's counts.
func (s *Service) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sim.Counts()
}

// Run backfills, then follows the wall clock until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	t0 := time.Now()
	// The backfill goes a simulated minute at a time so API calls are not locked out.
	for {
		now := time.Now()
		s.mu.Lock()
		next := s.sim.clk.Now().Add(time.Minute)
		if next.After(now) {
			next = now
		}
		err := s.sim.RunUntil(ctx, next)
		caught := !next.Before(now)
		s.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("simulator backfill: %w", err)
		}
		if caught {
			break
		}
	}
	c := s.Counts()
	s.log.Info("simulator backfill done", "profile", s.cfg.Profile, "calls", c.Calls, "events", c.Events, "took", time.Since(t0).Round(time.Millisecond))
	tick := time.NewTicker(s.cfg.Tick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			s.mu.Lock()
			err := s.sim.RunUntil(ctx, now)
			s.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				// The sink's own retries failed; keep the simulation going and say so.
				s.log.Error("simulator publishing", "error", err)
				s.sim.out.err = nil
			}
		}
	}
}
