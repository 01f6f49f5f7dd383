package qa

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Service is the QA part for `hotline run`: the recording store (with automatic analysis of new
// recordings), scorecards, evaluations, sampling and their API, plus the retention job.
type Service struct {
	Store   *Store
	Cards   *Scorecards
	Evals   *Evaluations
	Sampler *Sampler
	API     *API

	cfg Config
	clk clock.Clock
	log *slog.Logger

	conn        driver.Conn
	plannedWeek string // last week sampled by Run
}

// UseClickHouse lets the service load sampling candidates (LoadCandidates) from conn: on
// POST /api/qa/sample without candidates, and every Monday for the week before when
// Config.Evaluators is set.
func (s *Service) UseClickHouse(conn driver.Conn) {
	s.conn = conn
	s.API.Calls = ClickHouseCalls{Store: s.Store, Conn: conn}
	s.API.Candidates = func(ctx context.Context, from, to time.Time) ([]Candidate, error) {
		return LoadCandidates(ctx, conn, from, to, newAgentDays)
	}
}

// newAgentDays: agents whose first call is this recent get the new-agent quota.
const newAgentDays = 30

// sampleLastWeek plans the previous ISO week once.
func (s *Service) sampleLastWeek(ctx context.Context) {
	if s.conn == nil || len(s.cfg.Evaluators) == 0 {
		return
	}
	to := weekStart(s.clk.Now())
	from := to.AddDate(0, 0, -7)
	y, w := from.ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	if week == s.plannedWeek {
		return
	}
	cands, err := LoadCandidates(ctx, s.conn, from, to, newAgentDays)
	if err != nil {
		s.log.Error("loading QA sampling candidates", "week", week, "error", err)
		return
	}
	out, err := s.Sampler.Plan(ctx, from, cands, s.Evals.EvaluatedCalls(), s.cfg.Evaluators, from.Unix())
	if err != nil {
		s.log.Error("sampling calls for QA", "week", week, "error", err)
		return
	}
	s.plannedWeek = week
	s.log.Info("calls sampled for QA", "week", week, "candidates", len(cands), "assigned", len(out))
}

// NewService opens the store and builds the parts. Events go to sink, stamped with tenant.
func NewService(cfg Config, sink events.Sink, clk clock.Clock, tenant string, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	st, err := OpenStore(cfg.RecordingsDir, sink, WithClock(clk), WithRetention(cfg.Retention),
		WithAutoAnalysis(cfg.Analyzer), WithLogger(log), WithSource("qa/store", tenant))
	if err != nil {
		return nil, err
	}
	cards, err := NewScorecards(cfg.ScorecardsDir)
	if err != nil {
		return nil, err
	}
	sampler, err := NewSampler(cfg.Sampling)
	if err != nil {
		return nil, err
	}
	evals := NewEvaluations(cards, sink, clk, cfg.DisputeWindow, tenant)
	evals.OnSubmitted = sampler.Complete
	api := &API{Store: st, Evals: evals, Sampler: sampler, Cards: cards, Sink: sink, Clock: clk, Tenant: tenant, Analyzer: cfg.Analyzer, Log: log}
	return &Service{Store: st, Cards: cards, Evals: evals, Sampler: sampler, API: api, cfg: cfg, clk: clk, log: log}, nil
}

// Register mounts the QA API on the shared server.
func (s *Service) Register(srv *httpapi.Server) { s.API.Register(srv) }

// Run applies the retention policy and samples last week's calls (once per week, when
// ClickHouse and evaluators are configured) now and every RetentionEvery until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	tick := make(chan struct{}, 1)
	for {
		s.sampleLastWeek(ctx)
		if !s.cfg.ExpireElsewhere {
			s.expire(ctx)
		}
		t := s.clk.AfterFunc(s.cfg.RetentionEvery, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-tick:
		}
	}
}

func (s *Service) expire(ctx context.Context) {
	if n, err := s.Store.Expire(ctx); err != nil {
		s.log.Error("applying recording retention", "error", err)
	} else if n > 0 {
		s.log.Info("recordings deleted by retention", "count", n)
	}
}
