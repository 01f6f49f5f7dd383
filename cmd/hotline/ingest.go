package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

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
	if len(args) > 0 && args[0] == "accept-topic" {
		return acceptTopicCommand(ctx, args[1:], stdout)
	}
	fs := newFlags("ingest", "Consumes every event topic into ClickHouse: decode and validate, Arrow batches, columnar inserts,\n"+
		"offsets committed only after the rows are stored (exactly once in ClickHouse across crashes and\n"+
		"rebalances). Bad messages go to the dead_letter topic with the reason. Serves /metrics and /healthz.\n"+
		"A topic recreated under the same name is refused until `hotline ingest accept-topic TOPIC...`.", stdout)
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

// acceptTopicCommand lets ingest read topics it refuses because they were recreated (or the
// broker lost messages): see docs/ingest-operations.md.
func acceptTopicCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("ingest accept-topic", "Accepts topics ingest refuses because their offsets started over (deleted and created again,\n"+
		"or a broker that lost its data): each partition is read from its start, its rows stored after\n"+
		"every row stored before (kafka_offset = offset_base + Kafka offset). Name the topics in full,\n"+
		"with the prefix: hotline ingest accept-topic [flags] hotline.calls ...", stdout)
	f := config.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	topics := fs.Args()
	if len(topics) == 0 {
		return errors.New("ingest accept-topic: name the topics to accept, e.g. hotline ingest accept-topic hotline.calls")
	}
	cfg, err := config.Load(f, os.Getenv)
	if err != nil {
		return err
	}
	in, err := startInfra(ctx, cfg, infraNeeds{kafka: true, clickhouse: true})
	if err != nil {
		return err
	}
	defer in.close()
	accepted, err := ingest.AcceptTopics(ctx, ingestConfig(cfg, in), topics)
	if err != nil {
		return err
	}
	for _, a := range accepted {
		fmt.Fprintf(stdout, "%s partition %d: epoch %d, topic id %s, stored from kafka_offset %d on\n", a.Topic, a.Partition, a.Epoch, a.TopicID, a.OffsetBase)
	}
	return nil
}

// runAll runs services until ctx ends or one fails, then stops the others.
func runAll(ctx context.Context, services ...func(context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, run := range services {
		g.Go(func() error { return run(gctx) })
	}
	return g.Wait()
}
