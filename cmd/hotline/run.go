package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/seed-1c4692e8/hotline/accounts"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/retention"
	"github.com/seed-1c4692e8/hotline/sim"
	"github.com/seed-1c4692e8/hotline/web"
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

	// The centre this process serves is the simulated one: its events, campaigns and recordings
	// are that centre's, and only its users and head office's may see them.
	prof, err := sim.ProfileByName(*profile)
	if err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	centre := prof.Tenant
	tokens := httpapi.NewTokens()
	if cfg.HTTP.TokensFile != "" {
		if err := tokens.LoadFile(cfg.HTTP.TokensFile); err != nil {
			return err
		}
	}
	// What people create and change lives in the state file; events that go with a change leave
	// through its outbox. Users, sessions, API tokens and the audit log live there too.
	state, err := statedb.Open(ctx, filepath.Join(cfg.DataDir, "state", "hotline.db"))
	if err != nil {
		return err
	}
	defer state.Close()
	acc, err := accounts.Open(ctx, state, clock.Real{}, accountsConfig(cfg.Accounts), slog.Default())
	if err != nil {
		return err
	}
	firstUsers, err := firstStart(ctx, acc, cfg.HTTP.TokensFile, centre)
	if err != nil {
		return err
	}
	var exporters []httpapi.Role
	for _, r := range cfg.Privacy.ExportRoles {
		exporters = append(exporters, httpapi.Role(r)) // config.Validate checked the names
	}
	opts := []httpapi.Option{httpapi.WithAddr(cfg.HTTP.Addr), httpapi.WithTokens(tokens), httpapi.WithLogger(slog.Default()),
		httpapi.WithAuthenticator(acc), httpapi.WithAuditor(acc), httpapi.WithTenant(centre),
		httpapi.WithExportRoles(exporters...), httpapi.WithMaxConnections(cfg.HTTP.MaxConnections),
		httpapi.WithRateLimit(cfg.HTTP.RateLimit, cfg.HTTP.RateBurst)}
	scheme := "http"
	if cfg.HTTP.TLSCert != "" {
		opts, scheme = append(opts, httpapi.WithTLS(cfg.HTTP.TLSCert, cfg.HTTP.TLSKey)), "https"
	}
	srv := httpapi.New(opts...)
	acc.Register(srv)
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
	srv.AddHealthCheck("ingest", svc.Health)
	parts, err := newPlatform(ctx, platformConfig{profile: *profile, seed: *seed, tenant: centre, dataDir: cfg.DataDir, sink: pub, conn: conn, state: state, log: slog.Default(), analytics: cfg.Analytics, floors: cfg.CallingFloors, retention: &cfg.Retention, telephony: cfg.Telephony})
	if err != nil {
		return err
	}
	parts.register(srv, conn, cfg.DataDir)
	keep := retentionJob(cfg.Retention, retentionParts{recordings: parts.qa.Store, conn: conn, accounts: acc, state: state}, acc, clock.Real{}, slog.Default())
	keep.Register(srv.Registry())
	web.Register(srv)

	fmt.Fprintln(stdout, "hotline is running. Started:")
	for _, s := range in.started {
		fmt.Fprintln(stdout, "  -", s)
	}
	fmt.Fprintf(stdout, "  - ingest: topics %s* -> ClickHouse %s, database %s\n", in.topicPrefix, in.clickhouse.Addr, in.clickhouse.Database)
	fmt.Fprintf(stdout, "  - HTTP API on %s://%s  (/healthz, /metrics, /api/endpoints), serving centre %s\n", scheme, cfg.HTTP.Addr, centre)
	fmt.Fprintf(stdout, "  - web workspace: open %s://%s/ in a browser and sign in\n", scheme, cfg.HTTP.Addr)
	fmt.Fprintf(stdout, "  - simulator (%s profile, seed %d): a day of calls through the routing engine, then real time\n", *profile, *seed)
	if cfg.Telephony.Mode == "sip" {
		fmt.Fprintf(stdout, "  - real calls over SIP: udp %q, tcp %q, public address %q, RTP ports %d-%d (docs/telephony.md)\n", cfg.Telephony.UDP, cfg.Telephony.TCP, cfg.Telephony.PublicAddr, cfg.Telephony.RTPPortMin, cfg.Telephony.RTPPortMax)
	}
	fmt.Fprintln(stdout, "  -", dialerBanner(parts.dialer.Statuses(), filepath.Join(cfg.DataDir, "campaigns")))
	fmt.Fprintf(stdout, "  - QA: recordings of answered calls under %s\n", filepath.Join(cfg.DataDir, "recordings"))
	r := cfg.Retention
	fmt.Fprintf(stdout, "  - retention, daily: recordings %s (sales %s), personal data %s, audit log %s, stopped campaigns' contacts %s\n",
		retention.Format(r.ServiceRecordings), retention.Format(r.SalesRecordings), retention.Format(r.PersonalData), retention.Format(r.AuditLog), retention.Format(r.CampaignContacts))
	signInBanner(stdout, firstUsers, cfg.HTTP.TokensFile, scheme+"://"+cfg.HTTP.Addr)
	fmt.Fprintf(stdout, "Look at the data:  clickhouse-client --port %s -d %s -q 'SELECT outcome, count() FROM call_records GROUP BY outcome'\n", portOf(in.clickhouse.Addr), in.clickhouse.Database)
	fmt.Fprintln(stdout, "Stop with Ctrl-C.")

	relay := func(ctx context.Context) error { return state.RunOutbox(ctx, pub, slog.Default()) }
	return runAll(ctx, append([]func(context.Context) error{srv.Run, svc.Run, relay, keep.Run}, parts.services()...)...)
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

// demoAgent is the simulated agent the demo agent user is.
const demoAgent = "A0001"

// firstStart creates the first accounts (accounts.Bootstrap: a head-office admin, and demo
// users of the simulated centre) unless users exist or a tokens file is set: whoever set one up
// manages access themselves, and no account appears on its own.
func firstStart(ctx context.Context, acc *accounts.Store, tokensFile, centre string) ([]accounts.Credential, error) {
	if tokensFile != "" {
		return nil, nil
	}
	return acc.Bootstrap(ctx, centre, demoAgent)
}

// signInBanner tells how to get in: the first start's users and passwords, shown this once;
// otherwise where access comes from.
func signInBanner(w io.Writer, first []accounts.Credential, tokensFile, base string) {
	switch {
	case tokensFile != "":
		fmt.Fprintf(w, "API tokens from %s; no demo accounts. An admin token creates users: POST /api/admin/users.\n", tokensFile)
		return
	case len(first) == 0:
		fmt.Fprintf(w, "Sign in with your account: POST %s/api/session {\"user\",\"password\"} (users are kept in the state file).\n", base)
		return
	}
	fmt.Fprintf(w, "First start: these accounts were created. Their passwords are shown only now and stored hashed; sign in with\n"+
		"  curl -c jar -H 'Content-Type: application/json' -d '{\"user\":\"demo-manager\",\"password\":\"…\"}' %s/api/session\n", base)
	for _, c := range first {
		where := "centre " + c.Tenant
		if c.Tenant == httpapi.AllTenants {
			where = "head office (all centres); change the password at first sign-in"
		}
		fmt.Fprintf(w, "  %-13s %s  %s, %s\n", c.User, c.Password, c.Role, where)
	}
}

func accountsConfig(c config.Accounts) accounts.Config {
	a := accounts.DefaultConfig()
	a.SessionIdle, a.SessionMax, a.LockoutFailures, a.LockoutFor = c.SessionIdle, c.SessionMax, c.LockoutFailures, c.LockoutFor
	return a
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}
