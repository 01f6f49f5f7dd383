package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

// A small run of the benchmark: the generated data satisfies every panel query (each must
// return rows, which Bench does not check) and the table is printed.
func TestBenchSmall(t *testing.T) {
	addr := chtest.Addr(t)
	var out bytes.Buffer
	db := "t_bench_small"
	if err := Bench(context.Background(), []string{"--clickhouse", addr, "--database", db, "--rows", "100000", "--runs", "1"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "worst p95") || !strings.Contains(out.String(), "hotline-overview") {
		t.Errorf("no table:\n%s", out.String())
	}
	t.Log(out.String())
}
