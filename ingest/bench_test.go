package ingest

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// The benchmark's table is what its readers act on: every run, the warm-up apart, a median over
// the timed runs only, and the Kafka engine beside it having stored every event.
func TestBenchPrintsRunsMedianAndKafkaEngine(t *testing.T) {
	ch, brokers := testenv.ClickHouse(t), testenv.Kafka(t)
	var out bytes.Buffer
	err := Bench(context.Background(), []string{"--events", "20000", "--runs", "2", "--warmup", "1", "--batch-size", "5000",
		"--kafka-brokers", brokers, "--clickhouse-addr", ch}, &out)
	if err != nil {
		t.Fatalf("bench ingest: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, row := range []string{"warm-up", "1", "2", "median"} {
		if !regexp.MustCompile(`(?m)^` + row + `\s+\d+\.\d\d\s+\d+\s`).MatchString(text) {
			t.Errorf("no %q row with seconds and events/s:\n%s", row, text)
		}
	}
	if strings.Contains(text, "\n3 ") {
		t.Errorf("the warm-up was counted as a timed run:\n%s", text)
	}
	if !strings.Contains(text, "1 warm-up and 2 timed runs") {
		t.Errorf("header does not say what was run:\n%s", text)
	}
	if !regexp.MustCompile(`ClickHouse Kafka engine \+ MV, end to end\s+\d+\.\d\d s\s+\d+ events/s\s+\(20000 rows visible\)`).MatchString(text) {
		t.Errorf("no Kafka engine figure with every row stored:\n%s", text)
	}
}
