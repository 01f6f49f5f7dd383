package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/cputime"
	"github.com/seed-1c4692e8/hotline/internal/kafkaadmin"
)

// Bench measures ingest end to end against a real broker and ClickHouse: the topic is filled
// first, then the clock runs from the start of consumption until every row is visible in
// ClickHouse. It does so several times, each run a fresh consumer group into a fresh database
// (the first also warms up the broker's and the server's code paths), and prints every run and
// the median. ClickHouse's own Kafka table engine then consumes the same topic and data into a
// copy of the table, and both figures are printed side by side.
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench ingest", stdout, "hotline bench ingest [flags]",
		"Measures ingest events/s end to end, per stage, CPU and RSS over several runs; then ClickHouse's\n"+
			"Kafka engine on the same data.")
	n := fs.Int("events", 1_000_000, "call records to write and ingest")
	runs := fs.Int("runs", 5, "timed runs over the same topic, each into a fresh database")
	warmups := fs.Int("warmup", 1, "untimed runs first, so the broker's JIT and both page caches are warm as in steady service")
	brokers := fs.String("kafka-brokers", envOr("HOTLINE_KAFKA_BROKERS", "127.0.0.1:19092"), "Kafka brokers (the project's broker by default: scripts/kafka.sh start)")
	chAddr := fs.String("clickhouse-addr", envOr("HOTLINE_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address (scripts/clickhouse.sh start)")
	partitions := fs.Int("partitions", 4, "partitions of the benchmark topic")
	batch := fs.Int("batch-size", 200_000, "ingest batch size (rows per insert)")
	engine := fs.Bool("kafka-engine", true, "also measure ClickHouse's Kafka table engine on the same topic")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the last run's ingest phase to this file")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if *runs < 1 || *warmups < 0 {
		return fmt.Errorf("bench ingest: --runs %d --warmup %d: need at least 1 run and no negative warm-up", *runs, *warmups)
	}
	stamp := time.Now().Unix()
	prefix := fmt.Sprintf("bench%d.", stamp)
	bl := strings.Split(*brokers, ",")
	var topics []string
	for _, t := range append(append([]string{}, events.EventTopics...), events.TopicDeadLetter) {
		topics = append(topics, prefix+t)
	}
	if err := kafkaadmin.EnsureTopics(ctx, bl, topics, *partitions, 1); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "filling %s%s with %d call records ... ", prefix, events.TopicCalls, *n)
	fillStart := time.Now()
	if err := fill(ctx, bl, prefix, *n); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%.1fs\n", time.Since(fillStart).Seconds())
	TuneGC()

	var servers []localServer
	if ls, ok := findLocalServer("clickhouse", *chAddr); ok {
		servers = append(servers, ls)
	}
	if ls, ok := findLocalServer("broker", bl[0]); ok {
		servers = append(servers, ls)
	}
	tw := bufio.NewWriter(stdout)
	fmt.Fprintf(tw, "\ningest benchmark: %d call records, %d partitions, batch %d, %d CPUs, broker and ClickHouse on this machine; %d warm-up and %d timed runs, each a fresh consumer group into a fresh database\n\n", *n, *partitions, *batch, runtime.NumCPU(), *warmups, *runs)
	fmt.Fprintf(tw, "%-7s %8s %9s %9s %9s %9s %9s %9s   %s\n", "run", "seconds", "events/s", "start-up", "decode", "build", "insert", "RSS MiB", "CPU µs/event: ingest, then each local server")
	var results []benchRun
	for i := range *warmups + *runs {
		profile := ""
		if i == *warmups+*runs-1 {
			profile = *cpuProfile
		}
		r, err := timedIngest(ctx, bl, prefix, chdb.Options{Addr: *chAddr, Database: fmt.Sprintf("bench_ingest_%d_%d", stamp, i+1)}, *n, *batch, servers, profile)
		if err != nil {
			return err
		}
		label := "warm-up"
		if i >= *warmups {
			results = append(results, r)
			label = strconv.Itoa(i - *warmups + 1)
		}
		r.print(tw, label, *n, servers)
		tw.Flush()
	}
	sort.Slice(results, func(a, b int) bool { return results[a].elapsed < results[b].elapsed })
	results[len(results)/2].print(tw, "median", *n, servers)
	fmt.Fprintln(tw, "\nthe median is over the timed runs; stage columns are wall seconds (decode summed over the partition goroutines); build and insert overlap with reading")
	tw.Flush()
	if !*engine {
		return nil
	}
	ch := chdb.Options{Addr: *chAddr, Database: fmt.Sprintf("bench_ingest_%d_engine", stamp)}
	if err := chdb.EnsureDatabase(ctx, ch); err != nil {
		return err
	}
	conn, err := chdb.Open(ctx, ch)
	if err != nil {
		return err
	}
	defer func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ch.Database)
		conn.Close()
	}()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		return err
	}
	engineElapsed, engineRows, engineErr := benchKafkaEngine(ctx, conn, bl, prefix+events.TopicCalls, *partitions, uint64(*n))
	if engineErr != nil {
		fmt.Fprintf(tw, "\nClickHouse Kafka engine + MV: failed: %v\n", engineErr)
	} else {
		fmt.Fprintf(tw, "\n%-44s %8.2f s %9.0f events/s  (%d rows visible)\n", "ClickHouse Kafka engine + MV, end to end", engineElapsed.Seconds(), float64(*n)/engineElapsed.Seconds(), engineRows)
		fmt.Fprintf(tw, "%-44s %8.2f s %9.0f events/s\n", "hotline ingest, end to end (median run)", results[len(results)/2].elapsed.Seconds(), float64(*n)/results[len(results)/2].elapsed.Seconds())
	}
	return tw.Flush()
}

// benchRun is what one timed ingest run measured.
type benchRun struct {
	elapsed, firstRead time.Duration
	stats              Stats
	peakRSS            int64
	selfCPU            time.Duration
	serverCPU          []time.Duration
}

func (r benchRun) print(w io.Writer, label string, n int, servers []localServer) {
	perEvent := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(n) }
	cpu := fmt.Sprintf("%.1f", perEvent(r.selfCPU))
	for i, ls := range servers {
		cpu += fmt.Sprintf(", %s %.1f", ls.name, perEvent(r.serverCPU[i]))
	}
	fmt.Fprintf(w, "%-7s %8.2f %9.0f %9.2f %9.2f %9.2f %9.2f %9.0f   %s\n", label, r.elapsed.Seconds(), float64(n)/r.elapsed.Seconds(),
		r.firstRead.Seconds(), r.stats.Decode.Seconds(), r.stats.Build.Seconds(), r.stats.Insert.Seconds(), float64(r.peakRSS)/(1<<20), cpu)
}

// timedIngest ingests the filled topic into a fresh database and measures it; the database is
// dropped afterwards.
func timedIngest(ctx context.Context, brokers []string, prefix string, ch chdb.Options, n, batch int, servers []localServer, cpuProfile string) (benchRun, error) {
	var r benchRun
	if err := chdb.EnsureDatabase(ctx, ch); err != nil {
		return r, err
	}
	conn, err := chdb.Open(ctx, ch)
	if err != nil {
		return r, err
	}
	defer func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ch.Database)
		conn.Close()
	}()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		return r, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := New(Config{Brokers: brokers, TopicPrefix: prefix, GroupID: prefix + ch.Database, ClickHouse: ch, BatchSize: batch, FlushInterval: time.Second, Logger: log}, nil)
	if err != nil {
		return r, err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return r, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return r, err
		}
		defer pprof.StopCPUProfile()
	}
	var peakRSS atomic.Int64
	cpuBefore := make([]time.Duration, len(servers))
	for i, ls := range servers {
		cpuBefore[i] = ls.cpu()
	}
	selfBefore := cputime.Process()
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- svc.Run(rctx) }()
	go sampleRSS(rctx, &peakRSS)
	for svc.Stats().Inserted < int64(n) {
		if r.firstRead == 0 && svc.Stats().Consumed > 0 {
			r.firstRead = time.Since(start)
		}
		select {
		case err := <-done:
			return r, fmt.Errorf("ingest stopped early: %v", err)
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.elapsed = time.Since(start)
	r.selfCPU = cputime.Process() - selfBefore
	for i, ls := range servers {
		r.serverCPU = append(r.serverCPU, ls.cpu()-cpuBefore[i])
	}
	stop()
	if err := <-done; err != nil {
		return r, err
	}
	visible, err := countRows(ctx, conn, "call_records")
	if err != nil {
		return r, err
	}
	if visible != uint64(n) {
		return r, fmt.Errorf("ingest stored %d rows of %d", visible, n)
	}
	r.stats = svc.Stats()
	r.peakRSS = peakRSS.Load()
	return r, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return strings.Split(v, ",")[0]
	}
	return def
}

func fill(ctx context.Context, brokers []string, prefix string, n int) error {
	pub := events.NewPublisher(events.PublisherConfig{Brokers: brokers, TopicPrefix: prefix, BatchSize: 10_000})
	defer pub.Close()
	g := eventgen.New(99, n, 0, time.Now().Add(-time.Duration(n)*50*time.Millisecond), "HQ").CallRecordsOnly()
	_, err := g.Publish(ctx, pub, 50_000, nil)
	return err
}

func countRows(ctx context.Context, conn driver.Conn, table string) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting %s: %w", table, err)
	}
	return n, nil
}

// sampleRSS records the peak resident set size of this process every 50 ms.
func sampleRSS(ctx context.Context, peak *atomic.Int64) {
	for {
		if b, err := os.ReadFile("/proc/self/statm"); err == nil {
			f := strings.Fields(string(b))
			if len(f) > 1 {
				pages, _ := strconv.ParseInt(f[1], 10, 64)
				if rss := pages * int64(os.Getpagesize()); rss > peak.Load() {
					peak.Store(rss)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}
