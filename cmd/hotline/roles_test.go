package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seed-1c4692e8/hotline/accounts"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

type memSink struct {
	mu  sync.Mutex
	evs []events.Event
}

func (m *memSink) Publish(_ context.Context, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, evs...)
	return nil
}

// TestEveryEndpointWithEveryRole mounts every part's API as `hotline run` does and walks each
// endpoint with each role, no token and a bad token.
func TestEveryEndpointWithEveryRole(t *testing.T) {
	ctx := context.Background()
	addr := testenv.ClickHouse(t)
	o := chdb.Options{Addr: addr, Database: testenv.NewDatabase(t, addr)}
	conn, err := chdb.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	p, err := newPlatform(ctx, platformConfig{profile: "province", seed: 1, tenant: "GD", dataDir: dataDir, sink: &memSink{}, conn: conn})
	if err != nil {
		t.Fatal(err)
	}
	state, err := statedb.Open(ctx, filepath.Join(dataDir, "state", "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	acc, err := accounts.Open(ctx, state, clock.Real{}, accountsConfig(config.Default().Accounts), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// As `hotline run` serves the simulated centre: users of another centre get 403 on its
	// dialer, QA and desktop, and cannot widen the analytics' ?tenant=.
	srv := httpapi.New(httpapi.WithTenant("GD"), httpapi.WithAuthenticator(acc), httpapi.WithAuditor(acc))
	acc.Register(srv)
	p.register(srv, conn, dataDir)
	if n := len(srv.Endpoints()); n < 30 {
		t.Fatalf("only %d endpoints mounted; the parts' APIs are missing", n)
	}
	httpapitest.CheckRoles(t, srv)
}
