package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func runCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("run", "Starts the whole platform in one process: the Kafka broker (the embedded in-memory one when\n"+
		"HOTLINE_KAFKA_BROKERS is empty), ClickHouse (a supervised local clickhouse-server when\n"+
		"HOTLINE_CLICKHOUSE_ADDR is empty), schema migrations, ingest, the HTTP API, and simulated traffic.\n"+
		"Runs until interrupted (Ctrl-C).", stdout)
	f := config.Register(fs)
	profile := fs.String("profile", "province", "simulated centre: province (~700 calls a day) or national (~66,000, 24x7)")
	seed := fs.Uint64("seed", 1, "simulator seed: the same seed plays the same day")
	cfg, err := loadConfig(fs, f, args)
	if err != nil {
		return err
	}
	in, err := startInfra(ctx, cfg, infraNeeds{kafka: true, embeddedKafka: true, clickhouse: true})
	if err != nil {
		return err
	}
	defer in.close()

	tokens := httpapi.NewTokens()
	if cfg.HTTP.TokensFile != "" {
		if err := tokens.LoadFile(cfg.HTTP.TokensFile); err != nil {
			return err
		}
	}
	demo, err := demoTokens(tokens)
	if err != nil {
		return err
	}
	var exporters []httpapi.Role
	for _, r := range cfg.Privacy.ExportRoles {
		exporters = append(exporters, httpapi.Role(r)) // config.Validate checked the names
	}
	srv := httpapi.New(httpapi.WithAddr(cfg.HTTP.Addr), httpapi.WithTokens(tokens), httpapi.WithLogger(slog.Default()),
		httpapi.WithExportRoles(exporters...), httpapi.WithMaxConnections(cfg.HTTP.MaxConnections),
		httpapi.WithRateLimit(cfg.HTTP.RateLimit, cfg.HTTP.RateBurst))
	svc, err := ingest.New(ingestConfig(cfg, in), srv.Registry())
	if err != nil {
		return err
	}
	pub := events.NewPublisher(events.PublisherConfig{Brokers: in.brokers, TopicPrefix: in.topicPrefix})
	defer pub.Close()
	conn, err := chdb.Open(ctx, in.clickhouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	srv.AddHealthCheck("clickhouse", conn.Ping)
	parts, err := newPlatform(platformConfig{profile: *profile, seed: *seed, tenant: cfg.Tenant, dataDir: cfg.DataDir, sink: pub, conn: conn, log: slog.Default(), analytics: cfg.Analytics, floors: cfg.CallingFloors})
	if err != nil {
		return err
	}
	parts.register(srv, conn, cfg.DataDir)

	fmt.Fprintln(stdout, "hotline is running. Started:")
	for _, s := range in.started {
		fmt.Fprintln(stdout, "  -", s)
	}
	fmt.Fprintf(stdout, "  - ingest: topics %s* -> ClickHouse %s, database %s\n", in.topicPrefix, in.clickhouse.Addr, in.clickhouse.Database)
	fmt.Fprintf(stdout, "  - HTTP API on http://%s  (/healthz, /metrics, /api/endpoints)\n", cfg.HTTP.Addr)
	fmt.Fprintf(stdout, "  - simulator (%s profile, seed %d): a day of calls through the routing engine, then real time\n", *profile, *seed)
	fmt.Fprintln(stdout, "  -", dialerBanner(parts.dialer.Statuses(), filepath.Join(cfg.DataDir, "campaigns")))
	fmt.Fprintf(stdout, "  - QA: recordings of answered calls under %s\n", filepath.Join(cfg.DataDir, "recordings"))
	fmt.Fprintln(stdout, "Demo API tokens (valid for this run):")
	for _, d := range demo {
		fmt.Fprintf(stdout, "  %-9s %s\n", d.role, d.token)
	}
	fmt.Fprintf(stdout, "Look at the data:  clickhouse-client --port %s -d %s -q 'SELECT outcome, count() FROM call_records GROUP BY outcome'\n", portOf(in.clickhouse.Addr), in.clickhouse.Database)
	fmt.Fprintln(stdout, "Stop with Ctrl-C.")

	return runAll(ctx, append([]func(context.Context) error{srv.Run, svc.Run}, parts.services()...)...)
}

// dialerBanner names the campaigns the dialer loaded (the defaults and the campaign files in
// dir), so the banner tells what runs rather than a fixed list.
func dialerBanner(sts []dialer.CampaignStatus, dir string) string {
	ids := make([]string, len(sts))
	for i, st := range sts {
		ids[i] = st.Campaign.ID
	}
	return fmt.Sprintf("dialer: %d campaigns on the simulated customers (%s), campaign files from %s",
		len(sts), strings.Join(ids, ", "), dir)
}

type demoToken struct {
	role  httpapi.Role
	token string
}

// demoTokens makes one token per role so a person trying `make run` can call every API.
func demoTokens(tokens *httpapi.Tokens) ([]demoToken, error) {
	var out []demoToken
	for _, r := range httpapi.Roles() {
		p := httpapi.Principal{User: "demo-" + string(r), Role: r}
		if r == httpapi.RoleAgent {
			p.AgentID = "A0001"
		}
		tok, err := tokens.Generate(p)
		if err != nil {
			return nil, fmt.Errorf("making demo tokens: %w", err)
		}
		out = append(out, demoToken{r, tok})
	}
	return out, nil
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}
