package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// TestHelperHotlineRun is not a test: as a child process of the restart tests it is `hotline
// run`, configured by the environment they give it.
func TestHelperHotlineRun(t *testing.T) {
	if os.Getenv("HOTLINE_TEST_CHILD_RUN") == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, []string{"run"}, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild is one `hotline run` in a child process on a data dir and database of a test.
type runChild struct {
	cmd     *exec.Cmd
	httpURL string
	ready   chan struct{}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRun starts `hotline run` and returns once its simulator has caught up with the clock.
func startRun(t *testing.T, chAddr, database, dataDir string) *runChild {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHotlineRun$")
	cmd.Env = append(os.Environ(), "HOTLINE_TEST_CHILD_RUN=1",
		"HOTLINE_CLICKHOUSE_ADDR="+chAddr, "HOTLINE_CLICKHOUSE_DATABASE="+database, "HOTLINE_DATA_DIR="+dataDir,
		fmt.Sprintf("HOTLINE_HTTP_ADDR=127.0.0.1:%d", port), "HOTLINE_KAFKA_EMBEDDED_PORT=0", "HOTLINE_INGEST_FLUSH_INTERVAL=200ms")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &runChild{cmd: cmd, httpURL: fmt.Sprintf("http://127.0.0.1:%d", port), ready: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "hotline:") {
				t.Logf("hotline run: %s", line)
			}
			if !once && strings.Contains(line, "simulator backfill done") {
				once = true
				close(c.ready)
			}
		}
	}()
	select {
	case <-c.ready:
	case <-time.After(4 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("hotline run did not finish its backfill in 4 minutes")
	}
	return c
}

// healthy fails unless /healthz says ok: after a restart ingest must take its topics back (a
// broker that lost its data would make it refuse them).
func (c *runChild) healthy(t *testing.T, when string) {
	t.Helper()
	resp, err := http.Get(c.httpURL + "/healthz")
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: /healthz answered %d: %s", when, resp.StatusCode, body)
	}
}

func (c *runChild) kill(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

func (c *runChild) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("hotline run did not stop cleanly on SIGINT: %v", err)
		}
	case <-time.After(time.Minute):
		_ = c.cmd.Process.Kill()
		t.Error("hotline run did not stop within a minute of SIGINT")
	}
}

// settled waits until ClickHouse's call records stop changing for a few seconds: ingest has
// stored what the run published so far.
func settled(t *testing.T, conn driver.Conn) {
	t.Helper()
	ctx := context.Background()
	var last uint64
	stable := 0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM call_records").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == last && n > 0 {
			if stable++; stable >= 4 {
				return
			}
		} else {
			stable = 0
		}
		last = n
	}
	t.Fatal("call records kept changing for 2 minutes")
}

// dayFigures are what a manager reads of the calls that arrived before cutoff: the count per
// outcome, with the interrupted calls apart (a stop adds those, and only those).
func dayFigures(t *testing.T, conn driver.Conn, cutoff time.Time) map[string]uint64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT outcome, count() FROM call_records WHERE arrived_at < ? AND outcome != 'interrupted' GROUP BY outcome", cutoff)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var o string
		var n uint64
		if err := rows.Scan(&o, &n); err != nil {
			t.Fatal(err)
		}
		out[o] = n
	}
	return out
}

// noneTwice fails when any fact was stored twice: a call id or an event id on two rows.
func noneTwice(t *testing.T, conn driver.Conn, when string) {
	t.Helper()
	for _, table := range []string{"call_records", "call_events", "agent_states", "dial_attempts", "recordings"} {
		var rows, ids uint64
		if err := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(event_id) FROM "+table).Scan(&rows, &ids); err != nil {
			t.Fatal(err)
		}
		if rows != ids {
			t.Errorf("%s: %s holds %d rows for %d event ids", when, table, rows, ids)
		}
	}
	var rows, calls uint64
	if err := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(call_id) FROM call_records").Scan(&rows, &calls); err != nil {
		t.Fatal(err)
	}
	if rows != calls {
		t.Errorf("%s: call_records holds %d records for %d calls", when, rows, calls)
	}
}

// A restart of `hotline run` on the same data dir, after a SIGKILL or a clean stop, carries on:
// the simulated day is not played again, no event or call is stored twice, and the figures of
// what had happened are the same after every restart.
func TestRunRestartsContinueNeverReplay(t *testing.T) {
	addr := testenv.ClickHouse(t)
	database := testenv.NewDatabase(t, addr)
	dataDir := t.TempDir()

	first := startRun(t, addr, database, dataDir)
	conn, err := chdb.Open(context.Background(), chdb.Options{Addr: addr, Database: database})
	if err != nil {
		first.kill(t)
		t.Fatal(err)
	}
	defer conn.Close()
	settled(t, conn)
	cutoff := time.Now().Add(-time.Minute).UTC()
	first.kill(t)

	second := startRun(t, addr, database, dataDir)
	settled(t, conn)
	second.healthy(t, "after a SIGKILL and a restart")
	noneTwice(t, conn, "after a SIGKILL and a restart")
	afterKill := dayFigures(t, conn, cutoff)
	second.stop(t)

	third := startRun(t, addr, database, dataDir)
	settled(t, conn)
	third.healthy(t, "after a clean stop and a restart")
	noneTwice(t, conn, "after a clean stop and a restart")
	afterStop := dayFigures(t, conn, cutoff)
	third.stop(t)

	if len(afterKill) == 0 || afterKill["answered"] == 0 {
		t.Fatalf("the simulated day left no answered calls: %v", afterKill)
	}
	if fmt.Sprint(afterKill) != fmt.Sprint(afterStop) {
		t.Errorf("calls before %s per outcome differ between restarts:\n after the kill %v\n after the stop %v", cutoff, afterKill, afterStop)
	}
}
