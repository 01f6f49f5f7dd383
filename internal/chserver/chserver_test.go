package chserver_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/chserver"
)

// testOptions gives each test its own data dir and ports so that it never disturbs the shared
// server under var/clickhouse that other packages' tests use at the same time.
func testOptions(t *testing.T, detached bool) chserver.Options {
	t.Helper()
	return chserver.Options{
		DataDir:      filepath.Join(t.TempDir(), "ch"),
		TCPPort:      freePort(t),
		HTTPPort:     freePort(t),
		Detached:     detached,
		ReadyTimeout: time.Minute,
		StopTimeout:  20 * time.Second,
	}
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

func readPID(t *testing.T, o chserver.Options) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(o.DataDir, "clickhouse-server.pid"))
	if err != nil {
		t.Fatalf("reading pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestDetachedStartStopStatus(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, true)
	t.Cleanup(func() { _ = chserver.Stop(context.Background(), o) })

	st, err := chserver.Status(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running || st.Ready {
		t.Fatalf("status before start = %+v, want not running", st)
	}
	if err := chserver.Stop(ctx, o); err != nil {
		t.Fatalf("stop when not running: %v", err)
	}

	s, err := chserver.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() != o.Addr() {
		t.Errorf("Addr() = %s, want %s", s.Addr(), o.Addr())
	}
	pid := readPID(t, o)

	// Idempotent: a second start reuses the running server.
	if _, err := chserver.Start(ctx, o); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if again := readPID(t, o); again != pid {
		t.Fatalf("second start replaced pid %d with %d", pid, again)
	}

	// Supervised mode over a server it does not own: Wait follows the context, and the server
	// is left running.
	sctx, scancel := context.WithCancel(ctx)
	so := o
	so.Detached = false
	sup, err := chserver.Start(sctx, so)
	if err != nil {
		t.Fatalf("supervised start over a running server: %v", err)
	}
	scancel()
	if err := sup.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}

	st, err = chserver.Status(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || !st.Ready || st.PID != pid || st.Version == "" {
		t.Fatalf("status after start = %+v, want running and ready as pid %d", st, pid)
	}

	// Loopback only, and config paths under the data dir.
	cfg, err := os.ReadFile(filepath.Join(o.DataDir, "config.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<listen_host>127.0.0.1</listen_host>", "<path>" + o.DataDir + "/data/</path>"} {
		if !bytes.Contains(cfg, []byte(want)) {
			t.Errorf("config.xml lacks %s", want)
		}
	}
	if bytes.Contains(cfg, []byte("interserver_http_port")) {
		t.Error("config.xml opens an interserver port")
	}

	if err := chserver.Stop(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil && !isZombie(pid) {
		t.Fatalf("pid %d still alive after Stop", pid)
	}
	st, err = chserver.Status(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running || st.Ready {
		t.Fatalf("status after stop = %+v, want not running", st)
	}
	if err := chserver.Stop(ctx, o); err != nil {
		t.Fatalf("second stop: %v", err)
	}
}

func TestSupervisedRestartsAndStopsWithContext(t *testing.T) {
	o := testOptions(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	s, err := chserver.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	pid := readPID(t, o)

	// Kill it the hard way: the supervisor must bring up a new process.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	var newPID int
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(o.DataDir, "clickhouse-server.pid")); err == nil {
			if p, _ := strconv.Atoi(strings.TrimSpace(string(b))); p != 0 && p != pid {
				newPID = p
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if newPID == 0 {
		t.Fatal("supervisor did not restart the killed server")
	}
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	if err := chserver.WaitReady(wctx, s.Addr()); err != nil {
		t.Fatalf("restarted server not ready: %v", err)
	}

	cancel()
	if err := s.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if err := syscall.Kill(newPID, 0); err == nil && !isZombie(newPID) {
		t.Fatalf("pid %d still alive after the context ended", newPID)
	}
	if _, err := os.Stat(filepath.Join(o.DataDir, "clickhouse-server.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
}

func TestWaitReadyTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	err := chserver.WaitReady(ctx, addr)
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("WaitReady on a closed port = %v, want a timeout naming %s", err, addr)
	}
}

func TestStartReportsErrorLog(t *testing.T) {
	o := testOptions(t, true)
	// Occupy the TCP port so that the server cannot bind it.
	l, err := net.Listen("tcp", o.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	o.ReadyTimeout = 20 * time.Second
	_, err = chserver.Start(context.Background(), o)
	if err == nil {
		_ = chserver.Stop(context.Background(), o)
		t.Fatal("start succeeded on an occupied port")
	}
	if !strings.Contains(err.Error(), "clickhouse-server.err.log") {
		t.Fatalf("error does not carry the error log tail: %v", err)
	}
	t.Logf("expected error: %v", err)
}

func TestCommand(t *testing.T) {
	o := testOptions(t, true)
	args := []string{"--data-dir", o.DataDir, "--tcp-port", strconv.Itoa(o.TCPPort), "--http-port", strconv.Itoa(o.HTTPPort)}
	ctx := context.Background()
	t.Cleanup(func() { _ = chserver.Command(ctx, append([]string{"stop"}, args...), &bytes.Buffer{}) })

	var out bytes.Buffer
	if err := chserver.Command(ctx, []string{"--help"}, &out); err != nil || !strings.Contains(out.String(), "start") {
		t.Fatalf("--help: %v\n%s", err, out.String())
	}
	if err := chserver.Command(ctx, append([]string{"status"}, args...), &out); err == nil {
		t.Fatal("status before start succeeded")
	}
	for _, sub := range []string{"start", "start", "status", "stop", "stop"} {
		out.Reset()
		if err := chserver.Command(ctx, append([]string{sub}, args...), &out); err != nil {
			t.Fatalf("%s: %v\n%s", sub, err, out.String())
		}
	}
	if err := chserver.Command(ctx, append([]string{"status"}, args...), &out); err == nil {
		t.Fatal("status after stop succeeded")
	}
	if err := chserver.Command(ctx, []string{"bogus"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
