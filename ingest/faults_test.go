package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chserver"
)

// privateClickHouse starts a ClickHouse server of the test's own in dataDir, so that killing it
// or filling its disk does not disturb tests running beside this one.
func privateClickHouse(t *testing.T, dataDir string, tcp, http int) chserver.Options {
	t.Helper()
	o := chserver.Options{DataDir: dataDir, TCPPort: tcp, HTTPPort: http, Detached: true}
	if _, err := chserver.Start(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chserver.Stop(context.Background(), o) })
	return o
}

// produceAcrossMonths writes n events of the last hour before a month boundary and n of the
// first hour after it, interleaved in chunks, so that every flush spans two months and is
// written as two parts (PARTITION BY toYYYYMM), one after the other.
func produceAcrossMonths(t *testing.T, env *ingesttest.Env, n int, seed uint64) (good, bad int) {
	t.Helper()
	now := time.Now().UTC()
	boundary := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if now.Sub(boundary) < 2*time.Hour {
		boundary = boundary.AddDate(0, -1, 0)
	}
	span := time.Duration(n) * 50 * time.Millisecond // eventgen's spacing
	gens := []*eventgen.Generator{
		eventgen.New(seed, n, 0.002, boundary.Add(-span-time.Minute), "GD"),
		eventgen.New(seed+1, n, 0.002, boundary.Add(time.Minute), "GD"),
	}
	pub := env.Publisher(t)
	for done := false; !done; {
		var batch []kafka.Message
		done = true
		for _, g := range gens {
			for range 1_000 {
				m, ok := g.Next()
				if !ok {
					break
				}
				done = false
				if m.Malformed {
					bad++
				} else {
					good++
				}
				batch = append(batch, pub.Message(m.Topic, m.Key, m.Value))
			}
		}
		if err := pub.WriteRaw(context.Background(), batch...); err != nil {
			t.Fatal(err)
		}
	}
	return good, bad
}

// ClickHouse is SIGKILLed four times, each time while ingest is inserting flushes that span two
// months: every event is stored exactly once and every rollup equals its facts.
func TestIngestCompletesInsertsCutByClickHouseKills(t *testing.T) {
	ctx := context.Background()
	chOpts := privateClickHouse(t, filepath.Join(t.TempDir(), "clickhouse"), 19112, 18212)
	env := ingesttest.NewEnvOn(t, chOpts.Addr())
	logPath := filepath.Join(t.TempDir(), "ingest.log")
	good, bad := produceAcrossMonths(t, env, 40_000, 21)
	c := startChild(t, env, logPath)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	extra := 0
	for kill := 1; kill <= 4; kill++ {
		time.Sleep(time.Second) // let ingest get going again
		// Wait for an insert of ingest's to be running, then kill the server a moment into it. An
		// ingest that has caught up gets more events to store.
		deadline, more := time.Now().Add(time.Minute), time.Now().Add(5*time.Second)
		for {
			var n uint64
			err := env.Conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE position(query_id, 'hotline-ingest:') = 1 AND position(query, 'INSERT INTO') = 1").Scan(&n)
			if err == nil && n > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("kill %d: no ingest insert seen running within a minute", kill)
			}
			if time.Now().After(more) {
				extra++
				g, b := produceAcrossMonths(t, env, 20_000, uint64(100+2*extra)) // new seeds: new events
				good, bad, more = good+g, bad+b, time.Now().Add(5*time.Second)
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		st, err := chserver.Status(ctx, chOpts)
		if err != nil || st.PID == 0 {
			t.Fatalf("kill %d: no clickhouse pid: %v", kill, err)
		}
		if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for syscall.Kill(st.PID, 0) == nil {
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("kill %d: clickhouse SIGKILLed during an insert", kill)
		if _, err := chserver.Start(ctx, chOpts); err != nil {
			t.Fatal(err)
		}
		env.Reconnect(t)
	}
	waitStored(t, env, uint64(good), uint64(bad), 4*time.Minute, logPath)
	c.stop(t)
	checkExactlyOnce(t, env, uint64(good), uint64(bad), logPath)
	checkDerived(t, env)
	logRepairs(t, logPath)
}

// ClickHouse's disk fills up while ingest inserts flushes spanning two months, and is given
// room again a while later: every event is stored exactly once and every rollup equals its
// facts. The disk is a tmpfs of the test's own, shrunk to what it holds under the running
// server (mounting needs root, which the CI container has).
func TestIngestCompletesInsertsCutByAFullDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs for ClickHouse's data (the test needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	chOpts := privateClickHouse(t, filepath.Join(dir, "clickhouse"), 19113, 18213)
	env := ingesttest.NewEnvOn(t, chOpts.Addr())
	logPath := filepath.Join(t.TempDir(), "ingest.log")
	good, bad := produceAcrossMonths(t, env, 40_000, 21)
	c := startChild(t, env, logPath)

	// Let some flushes land, then leave the disk no room beyond what it holds.
	waitStored(t, env, 5_000, 0, time.Minute, logPath)
	resize := func(size uint64) error {
		if out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%d", size), dir).CombinedOutput(); err != nil {
			return fmt.Errorf("resizing the tmpfs: %v: %s", err, out)
		}
		return nil
	}
	// The server writes on while we measure, and a tmpfs cannot shrink below what it holds.
	var used uint64
	for attempt := 1; ; attempt++ {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		used = (st.Blocks - st.Bfree) * uint64(st.Bsize)
		err := resize(used + 512<<10)
		if err == nil {
			break
		}
		if attempt == 20 {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("disk full at %d KiB", used>>10)
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(readFile(logPath), "No space left on device") {
		if time.Now().After(deadline) {
			t.Fatalf("no insert failed for lack of space within a minute of the disk filling up; log tail:\n%s", tail(readFile(logPath), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second) // a few more attempts, and repairs, against the full disk
	if err := resize(1 << 30); err != nil {
		t.Fatal(err)
	}
	t.Log("disk has room again")
	waitStored(t, env, uint64(good), uint64(bad), 4*time.Minute, logPath)
	c.stop(t)
	checkExactlyOnce(t, env, uint64(good), uint64(bad), logPath)
	checkDerived(t, env)
	logRepairs(t, logPath)
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// logRepairs shows what ingest completed, so a run that happened to cut nothing is visible.
func logRepairs(t *testing.T, logPath string) {
	for _, l := range strings.Split(readFile(logPath), "\n") {
		if strings.Contains(l, "stored missing rows") || strings.Contains(l, "completed derived table") || strings.Contains(l, "insert failed") {
			t.Log(l)
		}
	}
}
