package main

import (
	"context"
	"io"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func ingestConfig(cfg config.Config, in *infra) ingest.Config {
	return ingest.Config{
		Brokers:       in.brokers,
		TopicPrefix:   in.topicPrefix,
		GroupID:       cfg.Ingest.GroupID,
		ClickHouse:    in.clickhouse,
		BatchSize:     cfg.Ingest.BatchSize,
		FlushInterval: cfg.Ingest.FlushInterval,
		Logger:        slog.Default(),
	}
}

func ingestCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("ingest", "Consumes every event topic into ClickHouse: decode and validate, Arrow batches, columnar inserts,\n"+
		"offsets committed only after the rows are stored (exactly once in ClickHouse across crashes and\n"+
		"rebalances). Bad messages go to the dead_letter topic with the reason. Serves /metrics and /healthz.", stdout)
	f := config.Register(fs)
	cfg, err := loadConfig(fs, f, args)
	if err != nil {
		return err
	}
	in, err := startInfra(ctx, cfg, infraNeeds{kafka: true, clickhouse: true})
	if err != nil {
		return err
	}
	defer in.close()
	srv := httpapi.New(httpapi.WithAddr(cfg.HTTP.Addr), httpapi.WithLogger(slog.Default()))
	ingest.TuneGC()
	svc, err := ingest.New(ingestConfig(cfg, in), srv.Registry())
	if err != nil {
		return err
	}
	srv.AddHealthCheck("ingest", svc.Health)
	return runAll(ctx, srv.Run, svc.Run)
}

// runAll runs services until ctx ends or one fails, then stops the others.
func runAll(ctx context.Context, services ...func(context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, run := range services {
		g.Go(func() error { return run(gctx) })
	}
	return g.Wait()
}
