// Package testenv gives integration tests the real servers they run against: a local
// ClickHouse (internal/chserver, detached) and a real Apache Kafka broker (scripts/kafka.sh).
// Each server is started at most once per test binary and left running for the next one;
// `make test` starts both up front and stops them at the end.
//
// Set HOTLINE_TEST_CLICKHOUSE_ADDR or HOTLINE_TEST_KAFKA_BROKERS to use servers that already
// run elsewhere; nothing is started then. Tests never skip: a server that cannot be started
// fails the test with the reason.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/internal/chserver"
)

// Environment variables that point tests at servers started elsewhere.
const (
	EnvClickHouseAddr = "HOTLINE_TEST_CLICKHOUSE_ADDR"
	EnvKafkaBrokers   = "HOTLINE_TEST_KAFKA_BROKERS"
)

// Test plumbing: each server is started once per process, and every later caller gets the
// same answer (including the same error, so one broken server does not cost a timeout per test).
var (
	chOnce sync.Once
	chAddr string
	chErr  error

	kafkaOnce    sync.Once
	kafkaBrokers string
	kafkaErr     error
)

// ClickHouse returns the native-protocol address of a running ClickHouse, starting the
// project's local server (var/clickhouse under the repo root, port 19000; CLICKHOUSE_DATA_DIR,
// CLICKHOUSE_TCP_PORT and CLICKHOUSE_HTTP_PORT override them as in scripts/clickhouse.sh) if needed.
func ClickHouse(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv(EnvClickHouseAddr); addr != "" {
		return addr
	}
	chOnce.Do(func() { chAddr, chErr = startClickHouse() })
	if chErr != nil {
		t.Fatalf("testenv: %v", chErr)
	}
	return chAddr
}

func startClickHouse() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", fmt.Errorf("starting clickhouse: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The same overrides as scripts/clickhouse.sh, so that `make test` and a bare `go test`
	// agree on which server to use.
	o := chserver.Options{DataDir: filepath.Join(root, chserver.DefaultDataDir), Detached: true}
	if d := os.Getenv("CLICKHOUSE_DATA_DIR"); d != "" {
		o.DataDir = d
		if !filepath.IsAbs(d) {
			o.DataDir = filepath.Join(root, d)
		}
	}
	for env, dst := range map[string]*int{"CLICKHOUSE_TCP_PORT": &o.TCPPort, "CLICKHOUSE_HTTP_PORT": &o.HTTPPort} {
		if v := os.Getenv(env); v != "" {
			if *dst, err = strconv.Atoi(v); err != nil {
				return "", fmt.Errorf("starting clickhouse: %s=%q: %w", env, v, err)
			}
		}
	}
	s, err := chserver.Start(ctx, o)
	if err != nil {
		return "", err
	}
	return s.Addr(), nil
}

// Kafka returns the bootstrap address of a running Apache Kafka broker, starting the
// project's single-node broker with scripts/kafka.sh if needed (the first run on a machine
// fetches its jars from Maven Central). KAFKA_PORT and the script's other variables apply.
func Kafka(t testing.TB) string {
	t.Helper()
	if brokers := os.Getenv(EnvKafkaBrokers); brokers != "" {
		return brokers
	}
	kafkaOnce.Do(func() { kafkaBrokers, kafkaErr = startKafka() })
	if kafkaErr != nil {
		t.Fatalf("testenv: %v", kafkaErr)
	}
	return kafkaBrokers
}

func startKafka() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", fmt.Errorf("starting kafka: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "kafka.sh"), "start")
	cmd.Dir = root
	// CombinedOutput: the script's children write to files, so the pipe closes when it exits.
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("starting kafka: scripts/kafka.sh start: %w\n%s", err, out)
	}
	port := os.Getenv("KAFKA_PORT")
	if port == "" {
		port = "19092"
	}
	return "127.0.0.1:" + port, nil
}

// RepoRoot walks up from the working directory (a test runs in its package directory) to
// the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding repo root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding repo root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// NewDatabase creates a fresh ClickHouse database on addr, named after the test, and drops
// it when the test ends.
func NewDatabase(t testing.TB, addr string) string {
	t.Helper()
	name := "t_" + sanitize(t.Name(), 40, '_') + "_" + randHex(4)
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		DialTimeout: 5 * time.Second,
		ReadTimeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatalf("testenv: connecting to clickhouse %s: %v", addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close()
		t.Fatalf("testenv: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer conn.Close()
		// A drop can wait behind merges on a busy server; a leftover test database is not a
		// failure of the test that used it, so this only logs.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Logf("testenv: dropping database %s: %v", name, err)
		}
	})
	return name
}

// CreateTopic creates topic with the given number of partitions (replication factor 1) and
// waits until the broker reports its partitions. Create topics up front: with auto-creation,
// kafka-go v0.4.51's Writer fails the first write with "Unknown Topic Or Partition" instead
// of retrying while the new topic gets its leader.
func CreateTopic(t testing.TB, brokers, topic string, partitions int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := createTopic(ctx, brokers, topic, partitions); err != nil {
		t.Fatalf("testenv: creating topic %s on %s: %v", topic, brokers, err)
	}
}

func createTopic(ctx context.Context, brokers, topic string, partitions int) error {
	var d kafka.Dialer
	conn, err := d.DialContext(ctx, "tcp", strings.Split(brokers, ",")[0])
	if err != nil {
		return err
	}
	defer conn.Close()
	// Topic creation must go to the controller (on a single node it is the same broker).
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("finding controller: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", fmt.Sprintf("%s:%d", ctrl.Host, ctrl.Port))
	if err != nil {
		return fmt.Errorf("dialing controller: %w", err)
	}
	defer cc.Close()
	err = cc.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1})
	if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return err
	}
	for {
		parts, err := conn.ReadPartitions(topic)
		if err == nil && len(parts) == partitions {
			ready := true
			for _, p := range parts {
				ready = ready && p.Leader.ID >= 0 && p.Leader.Host != ""
			}
			if ready {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for partitions: %w (last: %d partitions, %v)", ctx.Err(), len(parts), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TopicPrefix returns a prefix unique to this test run, such as "t_TestIngest_1a2b3c4d.", so
// that tests sharing one broker never see each other's topics or consumer groups.
func TopicPrefix(t testing.TB) string {
	t.Helper()
	return "t_" + sanitize(t.Name(), 60, '-') + "_" + randHex(4) + "."
}

// sanitize keeps characters that are valid in both ClickHouse identifiers and Kafka topic
// names ([A-Za-z0-9_]) and replaces the rest (subtest slashes, spaces) with repl.
func sanitize(s string, max int, repl rune) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune(repl)
		}
		if b.Len() >= max {
			break
		}
	}
	return b.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// PrivateKafka is an Apache Kafka broker of one test, for tests that pause, kill or restart it.
type PrivateKafka struct {
	Brokers string // bootstrap address
	Dir     string // KAFKA_DIR: data, logs and kafka.pid
	env     []string
	root    string
}

// StartPrivateKafka starts a broker of the test's own with scripts/kafka.sh on free ports, its
// state in a temporary directory (the jars are shared with the project's broker, so only the
// first run on a machine fetches them), and stops it when the test ends.
func StartPrivateKafka(t testing.TB) *PrivateKafka {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ports := FreePorts(t, 2)
	k := &PrivateKafka{Brokers: "127.0.0.1:" + strconv.Itoa(ports[0]), Dir: t.TempDir(), root: root}
	k.env = append(os.Environ(), "KAFKA_DIR="+k.Dir, "KAFKA_PORT="+strconv.Itoa(ports[0]),
		"KAFKA_CONTROLLER_PORT="+strconv.Itoa(ports[1]), "KAFKA_HEAP=512m")
	// Link the project's jars instead of fetching them again.
	if libs := filepath.Join(root, "var", "kafka", "libs"); dirExists(libs) {
		if err := os.Symlink(libs, filepath.Join(k.Dir, "libs")); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { k.script(t, "stop") })
	k.script(t, "start")
	return k
}

// Pid is the broker's process id.
func (k *PrivateKafka) Pid(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(k.Dir, "kafka.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("kafka.pid: %v", err)
	}
	return pid
}

func (k *PrivateKafka) script(t testing.TB, cmd string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", filepath.Join(k.root, "scripts", "kafka.sh"), cmd)
	c.Dir, c.Env = k.root, k.env
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("testenv: scripts/kafka.sh %s (KAFKA_DIR=%s): %v\n%s", cmd, k.Dir, err, out)
	}
}

// FreePorts returns n loopback TCP ports free a moment ago, for servers a test starts.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
