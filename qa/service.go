package qa

import (
	"context"
	"log/slog"

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

// Run applies the retention policy now and every RetentionEvery until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	tick := make(chan struct{}, 1)
	for {
		if n, err := s.Store.Expire(ctx); err != nil {
			s.log.Error("applying recording retention", "error", err)
		} else if n > 0 {
			s.log.Info("recordings deleted by retention", "count", n)
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
