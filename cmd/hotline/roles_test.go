package main

import (
	"context"
	"sync"
	"testing"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
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
	p, err := newPlatform(ctx, platformConfig{profile: "province", seed: 1, tenant: "HQ", dataDir: dataDir, sink: &memSink{}, conn: conn})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New()
	p.register(srv, conn, dataDir)
	if n := len(srv.Endpoints()); n < 30 {
		t.Fatalf("only %d endpoints mounted; the parts' APIs are missing", n)
	}
	httpapitest.CheckRoles(t, srv)
}
