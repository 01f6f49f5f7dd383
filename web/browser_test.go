package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// browserDeps finds what the browser tests need: Chromium (scripts/deps.sh web installs Debian's)
// and web/node_modules (make web-deps: npm ci). Missing, the test fails saying how to get them.
func browserDeps(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("HOTLINE_TEST_CHROMIUM")
	if chromium == "" {
		var err error
		if chromium, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("Chromium is missing: run `scripts/deps.sh web` (Debian package chromium) or set HOTLINE_TEST_CHROMIUM")
		}
	}
	if _, err := os.Stat("node_modules/playwright-core"); err != nil {
		t.Fatal("web/node_modules is missing: run `make web-deps` (npm ci in web/)")
	}
	return chromium
}

// hotlineRun is `hotline run` in a child process on its own database, data dir and port.
type hotlineRun struct {
	cmd       *exec.Cmd
	url       string
	passwords map[string]string
}

func startHotline(t *testing.T) *hotlineRun {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "hotline")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/seed-1c4692e8/hotline/cmd/hotline").CombinedOutput(); err != nil {
		t.Fatalf("building hotline: %v\n%s", err, b)
	}
	addr := testenv.ClickHouse(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "run")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HOTLINE_CLICKHOUSE_ADDR="+addr, "HOTLINE_CLICKHOUSE_DATABASE="+testenv.NewDatabase(t, addr),
		"HOTLINE_DATA_DIR="+t.TempDir(), fmt.Sprintf("HOTLINE_HTTP_ADDR=127.0.0.1:%d", port), "HOTLINE_KAFKA_EMBEDDED_PORT=0")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hotlineRun{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), passwords: map[string]string{}}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
		}
	})
	// First start prints each demo user's password once: "  demo-agent    <password>  agent, centre GD".
	pw := regexp.MustCompile(`^\s+(demo-[a-z]+|admin)\s+(\S+)\s+[a-z]+, `)
	banner := make(chan map[string]string, 1)
	go func() {
		found := map[string]string{}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := pw.FindStringSubmatch(sc.Text()); m != nil {
				found[m[1]] = m[2]
			}
			if strings.HasPrefix(sc.Text(), "Stop with Ctrl-C") {
				banner <- found
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "level=ERROR") {
				t.Logf("hotline run: %s", line)
			}
			// Before the backfill is done the simulated clock runs ahead of time: an offer would
			// time out at once.
			if !once && strings.Contains(line, "simulator backfill done") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case h.passwords = <-banner:
	case <-time.After(2 * time.Minute):
		t.Fatal("hotline run printed no start-up banner in 2 minutes")
	}
	select {
	case <-ready:
	case <-time.After(4 * time.Minute):
		t.Fatal("hotline run did not finish its backfill in 4 minutes")
	}
	return h
}

// The agent's journey in Chromium against `hotline run` (e2e/journey.mjs says what it covers).
// Screenshots of every screen in both languages land in var/web-artifacts/.
func TestAgentJourneyInBrowser(t *testing.T) {
	chromium := browserDeps(t)
	h := startHotline(t)
	if h.passwords["demo-agent"] == "" || h.passwords["demo-manager"] == "" {
		t.Fatalf("no demo passwords in the start-up banner: %v", h.passwords)
	}
	root, _ := testenv.RepoRoot()
	artifacts := filepath.Join(root, "var", "web-artifacts")
	cmd := exec.Command("node", "e2e/journey.mjs")
	cmd.Env = append(os.Environ(), "HOTLINE_URL="+h.url, "CHROMIUM="+chromium, "ARTIFACTS="+artifacts,
		"AGENT_USER=demo-agent", "AGENT_PASSWORD="+h.passwords["demo-agent"],
		"MANAGER_USER=demo-manager", "MANAGER_PASSWORD="+h.passwords["demo-manager"])
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("journey:\n%s", out.String())
	if err != nil {
		t.Fatalf("the agent's journey failed (%v); screenshots in %s", err, artifacts)
	}
}
