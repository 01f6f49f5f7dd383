package ingest

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pipeline's Prometheus series; stage timings are also kept as plain counters
// for the benchmark.
type metrics struct {
	consumed     prometheus.Counter
	inserted     *prometheus.CounterVec
	deadLettered prometheus.Counter
	skipped      prometheus.Counter
	lag          prometheus.Gauge
	batchRows    prometheus.Histogram
	insertSec    prometheus.Histogram
	insertErrors prometheus.Counter
	repaired     prometheus.Counter

	decodeNanos, buildNanos, insertNanos  atomic.Int64
	consumedN, insertedN, deadN, skippedN atomic.Int64
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		consumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_ingest_consumed_total", Help: "Kafka messages read by ingest."}),
		inserted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_ingest_inserted_rows_total", Help: "Rows inserted into ClickHouse, by table."}, []string{"table"}),
		deadLettered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_ingest_dead_lettered_total", Help: "Messages sent to the dead-letter topic."}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_ingest_skipped_total", Help: "Messages skipped because their event is stored already: a copy (producer retry, re-publish) or a replay after a crash or rebalance."}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_ingest_lag_messages", Help: "Messages behind the end of the assigned partitions."}),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_ingest_batch_rows", Help: "Rows per flush.", Buckets: prometheus.ExponentialBuckets(10, 4, 8)}),
		insertSec: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_ingest_flush_seconds", Help: "Time to insert one flush into ClickHouse.", Buckets: prometheus.DefBuckets}),
		insertErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_ingest_insert_errors_total", Help: "Failed insert attempts (retried with backoff)."}),
		repaired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_ingest_repaired_rows_total", Help: "Rows inserted to complete an insert cut short: fact rows, and rows of derived tables matching them to their facts."}),
	}
	if reg != nil {
		reg.MustRegister(m.consumed, m.inserted, m.deadLettered, m.skipped, m.lag, m.batchRows, m.insertSec, m.insertErrors, m.repaired)
	}
	return m
}

// Stats are cumulative counts and stage timings, for the benchmark and tests.
type Stats struct {
	Consumed, Inserted, DeadLettered int64
	Decode, Build, Insert            time.Duration
	// Skipped are messages whose event was stored already (copies and replays).
	Skipped int64
}

func (m *metrics) stats() Stats {
	return Stats{
		Consumed: m.consumedN.Load(), Inserted: m.insertedN.Load(), DeadLettered: m.deadN.Load(), Skipped: m.skippedN.Load(),
		Decode: time.Duration(m.decodeNanos.Load()), Build: time.Duration(m.buildNanos.Load()), Insert: time.Duration(m.insertNanos.Load()),
	}
}
