package statedb

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

var testSteps = []string{`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`}

func openTest(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background(), "test", testSteps); err != nil {
		t.Fatal(err)
	}
	return db
}

func countNotes(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM notes").Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func agentEvent(agent string) events.Event {
	return events.New(events.AgentState{Agent: agent, State: "available", Previous: "logged_out"}, time.Now().UTC(), "statedb/test", "GD")
}

func TestUpdateRollsBackStateAndEvents(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	boom := errors.New("boom")
	err := db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("INSERT INTO notes (body) VALUES ('x')"); err != nil {
			return err
		}
		if err := tx.Publish(ctx, agentEvent("A1")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if n := countNotes(t, db); n != 0 {
		t.Errorf("notes after a failed update = %d, want 0", n)
	}
	if n, _ := db.Pending(ctx); n != 0 {
		t.Errorf("outbox after a failed update = %d, want 0", n)
	}
	// An invalid event fails the transaction before anything is kept.
	err = db.Update(ctx, func(tx *Tx) error {
		_, _ = tx.Exec("INSERT INTO notes (body) VALUES ('y')")
		return tx.Publish(ctx, events.New(events.AgentState{State: "nonsense"}, time.Now(), "t", "GD"))
	})
	if err == nil {
		t.Fatal("publishing an invalid event succeeded")
	}
	if n := countNotes(t, db); n != 0 {
		t.Errorf("notes after an invalid event = %d, want 0", n)
	}
}

func TestMigrateRefusesANewerFile(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	two := append(append([]string(nil), testSteps...), "CREATE TABLE more (x)")
	if err := db.Migrate(ctx, "test", two); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, "test", two); err != nil {
		t.Fatalf("re-running applied steps: %v", err)
	}
	if err := db.Migrate(ctx, "test", testSteps); err == nil {
		t.Fatal("a binary with fewer steps than the file was accepted")
	}
	if err := db.Migrate(ctx, "other", testSteps[:0]); err != nil {
		t.Fatalf("an owner with no steps: %v", err)
	}
}

// TestHelperWriter is not a test: run as a child process by TestSIGKILLKeepsAcknowledged, it
// commits notes one by one and prints each id once committed, until it is killed.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv("STATEDB_HELPER_PATH")
	if path == "" {
		return
	}
	db := openTest(t, path)
	for i := 1; ; i++ {
		err := db.Update(context.Background(), func(tx *Tx) error {
			_, err := tx.Exec("INSERT INTO notes (id, body) VALUES (?, ?)", i, fmt.Sprintf("note %d", i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(i)
	}
}

func TestSIGKILLKeepsAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
		cmd.Env = append(os.Environ(), "STATEDB_HELPER_PATH="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		acked := 0
		for sc.Scan() && acked < 200*(round+1) {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				acked = n
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		db := openTest(t, path)
		var maxID int
		err = db.View(context.Background(), func(tx *sql.Tx) error {
			return tx.QueryRow("SELECT coalesce(max(id), 0) FROM notes").Scan(&maxID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countNotes(t, db); n != maxID {
			t.Errorf("round %d: %d notes but the highest id is %d: a gap", round, n, maxID)
		}
		if maxID < acked {
			t.Errorf("round %d: the writer acknowledged note %d, the file holds up to %d", round, acked, maxID)
		}
		// The next round's child continues after the notes already there.
		if _, err := db.writer.Exec("DELETE FROM notes"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func TestOutboxRelaysToKafkaInOrderOnce(t *testing.T) {
	brokers := testenv.Kafka(t)
	prefix := testenv.TopicPrefix(t)
	testenv.CreateTopic(t, brokers, prefix+events.TopicOf(events.TypeAgentState), 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := openTest(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()

	var want []string
	for i := 0; i < 30; i++ {
		ev := agentEvent("A1") // one key: one partition, Kafka keeps the order
		want = append(want, ev.EventID.String())
		err := db.Update(ctx, func(tx *Tx) error {
			if _, err := tx.Exec("INSERT INTO notes (body) VALUES (?)", ev.EventID.String()); err != nil {
				return err
			}
			return tx.Publish(ctx, ev)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	pub := events.NewPublisher(events.PublisherConfig{Brokers: []string{brokers}, TopicPrefix: prefix})
	defer pub.Close()
	relayCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- db.RunOutbox(relayCtx, pub, slog.Default()) }()

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokers}, Topic: prefix + events.TopicOf(events.TypeAgentState), Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for i, id := range want {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("reading message %d: %v", i, err)
		}
		ev, err := events.Decode(m.Value, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ev.EventID.String() != id {
			t.Fatalf("message %d is event %s, want %s", i, ev.EventID, id)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := db.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still in the outbox after they reached kafka", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
