package ingest

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/kafkaadmin"
)

// Bench measures ingest end to end against a real broker and ClickHouse: the topic is filled
// first, then the clock runs from the start of consumption until every row is visible in
// ClickHouse. ClickHouse's own Kafka table engine then consumes the same topic and data into a
// copy of the table, and both figures are printed side by side.
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("hotline bench ingest", flag.ContinueOnError)
	fs.SetOutput(stdout)
	n := fs.Int("events", 1_000_000, "call records to write and ingest")
	brokers := fs.String("kafka-brokers", envOr("HOTLINE_KAFKA_BROKERS", "127.0.0.1:19092"), "Kafka brokers (the project's broker by default: scripts/kafka.sh start)")
	chAddr := fs.String("clickhouse-addr", envOr("HOTLINE_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address (scripts/clickhouse.sh start)")
	partitions := fs.Int("partitions", 4, "partitions of the benchmark topic")
	batch := fs.Int("batch-size", 200_000, "ingest batch size (rows per insert)")
	engine := fs.Bool("kafka-engine", true, "also measure ClickHouse's Kafka table engine on the same topic")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the ingest phase to this file")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "Usage: hotline bench ingest [flags]\n\nMeasures ingest events/s end to end, per stage, and RSS; then ClickHouse's Kafka engine on the same data.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stamp := time.Now().Unix()
	prefix := fmt.Sprintf("bench%d.", stamp)
	db := fmt.Sprintf("bench_ingest_%d", stamp)
	ch := chdb.Options{Addr: *chAddr, Database: db}
	bl := strings.Split(*brokers, ",")

	if err := chdb.EnsureDatabase(ctx, ch); err != nil {
		return err
	}
	conn, err := chdb.Open(ctx, ch)
	if err != nil {
		return err
	}
	defer func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	}()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		return err
	}
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
	runtime.GC()
	debug.FreeOSMemory()
	TuneGC()

	svc, err := New(Config{Brokers: bl, TopicPrefix: prefix, GroupID: prefix + "ingest", ClickHouse: ch, BatchSize: *batch, FlushInterval: time.Second, Logger: log}, nil)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var peakRSS atomic.Int64
	var servers []localServer
	if ls, ok := findLocalServer("clickhouse-server", *chAddr); ok {
		servers = append(servers, ls)
	}
	if ls, ok := findLocalServer("kafka broker", bl[0]); ok {
		servers = append(servers, ls)
	}
	cpuBefore := make([]time.Duration, len(servers))
	for i, ls := range servers {
		cpuBefore[i] = ls.cpu()
	}
	selfBefore := selfCPU()
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- svc.Run(rctx) }()
	go sampleRSS(rctx, &peakRSS)
	var firstRead time.Duration
	for svc.Stats().Inserted < int64(*n) {
		if firstRead == 0 && svc.Stats().Consumed > 0 {
			firstRead = time.Since(start)
		}
		select {
		case err := <-done:
			stop()
			return fmt.Errorf("ingest stopped early: %v", err)
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	selfUsed := selfCPU() - selfBefore
	serverUsed := make([]time.Duration, len(servers))
	for i, ls := range servers {
		serverUsed[i] = ls.cpu() - cpuBefore[i]
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	stop()
	if err := <-done; err != nil {
		return err
	}
	visible, err := countRows(ctx, conn, "call_records")
	if err != nil {
		return err
	}
	st := svc.Stats()

	rate := func(d time.Duration) string {
		if d <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(*n)/d.Seconds())
	}
	tw := bufio.NewWriter(stdout)
	fmt.Fprintf(tw, "\ningest benchmark: %d call records, %d partitions, batch %d, %d CPUs, broker and ClickHouse on this machine\n\n", *n, *partitions, *batch, runtime.NumCPU())
	fmt.Fprintf(tw, "%-44s %12s %12s %s\n", "what", "seconds", "events/s", "note")
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "hotline ingest, end to end", elapsed.Seconds(), rate(elapsed), fmt.Sprintf("%d rows visible", visible))
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  start-up until the first message is read", firstRead.Seconds(), "", "group join, stored offsets, first fetch")
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  stage: decode + validate (JSON)", st.Decode.Seconds(), rate(st.Decode), "wall time summed over partition goroutines")
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  stage: Arrow batch build", st.Build.Seconds(), rate(st.Build), "")
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  stage: ClickHouse insert (columnar, native)", st.Insert.Seconds(), rate(st.Insert), "")
	fmt.Fprintf(tw, "%-44s %12s %12s %s\n", "  peak RSS while ingesting", "", "", fmt.Sprintf("%.0f MiB", float64(peakRSS.Load())/(1<<20)))
	fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  CPU: hotline ingest process", selfUsed.Seconds(), "", fmt.Sprintf("%.1f µs/event", float64(selfUsed.Microseconds())/float64(*n)))
	for i, ls := range servers {
		fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "  CPU: "+ls.name, serverUsed[i].Seconds(), "", fmt.Sprintf("%.1f µs/event (pid %d)", float64(serverUsed[i].Microseconds())/float64(*n), ls.pid))
	}
	tw.Flush()
	if !*engine {
		return nil
	}
	engineElapsed, engineRows, engineErr := benchKafkaEngine(ctx, conn, bl, prefix+events.TopicCalls, *partitions, uint64(*n))
	if engineErr != nil {
		fmt.Fprintf(tw, "%-44s %12s %12s %s\n", "ClickHouse Kafka engine + MV", "-", "-", "failed: "+engineErr.Error())
	} else {
		fmt.Fprintf(tw, "%-44s %12.2f %12s %s\n", "ClickHouse Kafka engine + MV, end to end", engineElapsed.Seconds(), rate(engineElapsed), fmt.Sprintf("%d rows visible", engineRows))
	}
	return tw.Flush()
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
