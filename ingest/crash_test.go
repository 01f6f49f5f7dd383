package ingest_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chserver"
)

// child is an ingest process started from this test binary.
type child struct {
	cmd  *exec.Cmd
	done chan error
}

func startChild(t *testing.T, env *ingesttest.Env, logPath string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"HOTLINE_INGEST_CHILD=1",
		"CHILD_BROKERS="+strings.Join(env.Brokers, ","),
		"CHILD_PREFIX="+env.TopicPrefix,
		"CHILD_GROUP="+env.TopicPrefix+"crash",
		"CHILD_CH_ADDR="+env.ClickHouse.Addr,
		"CHILD_CH_DB="+env.ClickHouse.Database,
	)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); logf.Close() }()
	t.Cleanup(func() { c.cmd.Process.Kill(); <-c.done })
	return c
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.done
	c.done <- nil // let the cleanup's receive return
}

func (c *child) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- nil
		if err != nil {
			t.Fatalf("ingest did not stop cleanly on SIGTERM: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ingest did not stop within a minute of SIGTERM")
	}
}

// waitStored polls ClickHouse until it holds want rows and wantDead dead letters, through a
// server that comes and goes (a poll it does not answer waits for the next).
func waitStored(t *testing.T, env *ingesttest.Env, want, wantDead uint64, timeout time.Duration, logPath string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if err := env.Conn.Ping(context.Background()); err == nil {
			rows, _, dead, _ := stored(t, env.Conn)
			if rows >= want && dead >= wantDead {
				return
			}
			if time.Now().After(deadline) {
				logs, _ := os.ReadFile(logPath)
				t.Fatalf("after %s ClickHouse holds %d rows and %d dead letters, want %d and %d; ingest log tail:\n%s",
					timeout, rows, dead, want, wantDead, tail(string(logs), 3000))
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func checkExactlyOnce(t *testing.T, env *ingesttest.Env, wantRows, wantDead uint64, logPath string) {
	t.Helper()
	time.Sleep(2 * time.Second) // anything still in flight would land now and be counted
	rows, distinct, dead, deadDistinct := stored(t, env.Conn)
	if rows != wantRows || distinct != wantRows {
		t.Errorf("ClickHouse holds %d rows with %d distinct event ids, want exactly %d", rows, distinct, wantRows)
		describeDuplicates(t, env)
		logs, _ := os.ReadFile(logPath)
		for _, l := range strings.Split(string(logs), "\n") {
			if strings.Contains(l, "WARN") || strings.Contains(l, "ERROR") {
				t.Log(l)
			}
		}
	}
	if dead != wantDead || deadDistinct != wantDead {
		t.Errorf("dead_letters holds %d rows at %d distinct positions, want exactly %d", dead, deadDistinct, wantDead)
	}
}

// Ingest is SIGKILLed five times while 500,000 events stream in, 1% of them published twice
// (the copy at a later offset): every event is stored once and every rollup equals its facts.
func TestIngestSurvivesRepeatedKills(t *testing.T) {
	env := ingesttest.NewEnv(t)
	logPath := filepath.Join(t.TempDir(), "ingest.log")
	const total = 500_000
	g := eventgen.New(2, total, 0.005, time.Now().Add(-3*time.Hour), "GD")
	bad := uint64(g.Malformed())
	produced := make(chan error, 1)
	go func() {
		_, _, err := produceWithCopies(t, env, g, 5_000, 100, 60*time.Millisecond)
		produced <- err
	}()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	c := startChild(t, env, logPath)
	for kill := 1; kill <= 5; kill++ {
		time.Sleep(time.Duration(1500+rng.IntN(3000)) * time.Millisecond)
		c.kill(t)
		t.Logf("kill %d: ingest SIGKILLed", kill)
		c = startChild(t, env, logPath)
	}
	if err := <-produced; err != nil {
		t.Fatal(err)
	}
	waitStored(t, env, total-bad, bad, 5*time.Minute, logPath)
	c.stop(t)
	checkExactlyOnce(t, env, total-bad, bad, logPath)
	checkDerived(t, env)
}

func TestIngestWaitsOutAClickHouseOutage(t *testing.T) {
	// A ClickHouse of its own, so stopping it does not disturb tests running beside this one.
	ctx := context.Background()
	chOpts := chserver.Options{DataDir: filepath.Join(t.TempDir(), "clickhouse"), TCPPort: 19110, HTTPPort: 18210, Detached: true}
	if _, err := chserver.Start(ctx, chOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chserver.Stop(context.Background(), chOpts) })
	env := ingesttest.NewEnvOn(t, "127.0.0.1:19110")
	logPath := filepath.Join(t.TempDir(), "ingest.log")
	const total = 500_000
	g := eventgen.New(3, total, 0.005, time.Now().Add(-3*time.Hour), "GD")
	bad := uint64(g.Malformed())
	produced := make(chan error, 1)
	go func() { produced <- produce(t, env, g, 5_000, 40*time.Millisecond) }()

	c := startChild(t, env, logPath)
	time.Sleep(3 * time.Second)
	if err := chserver.Stop(ctx, chOpts); err != nil {
		t.Fatal(err)
	}
	t.Log("clickhouse stopped")
	time.Sleep(30 * time.Second)
	if _, err := chserver.Start(ctx, chOpts); err != nil {
		t.Fatal(err)
	}
	t.Log("clickhouse started again")
	env.Reconnect(t)
	if err := <-produced; err != nil {
		t.Fatal(err)
	}
	waitStored(t, env, total-bad, bad, 5*time.Minute, logPath)
	c.stop(t)
	checkExactlyOnce(t, env, total-bad, bad, logPath)
}

// describeDuplicates logs where duplicated rows sit, to tell a replay bug from a rebalance race.
func describeDuplicates(t *testing.T, env *ingesttest.Env) {
	for _, typ := range events.Types() {
		table := ingest.TableOf(typ)
		rows, err := env.Conn.Query(context.Background(), "SELECT kafka_partition, min(kafka_offset), max(kafka_offset), count(), groupUniqArray(toString(ingested_at)) FROM "+
			"(SELECT event_id, any(kafka_partition) AS kafka_partition, any(kafka_offset) AS kafka_offset, count() AS c, any(ingested_at) AS ingested_at FROM "+table+" GROUP BY event_id HAVING c > 1) GROUP BY kafka_partition")
		if err != nil {
			t.Log(err)
			return
		}
		for rows.Next() {
			var p uint16
			var lo, hi, n uint64
			var at []string
			rows.Scan(&p, &lo, &hi, &n, &at)
			t.Logf("%s partition %d: %d duplicated events at offsets %d..%d, ingested at %v", table, p, n, lo, hi, at)
		}
		rows.Close()
	}
}
