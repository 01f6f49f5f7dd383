// Package ingest carries events from Kafka into ClickHouse: a consumer group over the event
// topics, decode and validate, Arrow record batches, columnar native inserts, and offsets
// committed only after the rows are stored.
//
// Exactly-once in ClickHouse without newer server features: every row carries its Kafka topic,
// partition and offset. When a generation of the group assigns partitions, the pipeline reads
// the highest stored offset per table and partition and skips what is already there, so a crash
// between insert and commit, or a rebalance, never counts a row twice. Each flush inserts one
// block per table, which MergeTree stores atomically.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

// Service is the running pipeline.
type Service struct {
	cfg     Config
	log     *slog.Logger
	m       *metrics
	dlq     *events.Publisher
	connMu  sync.Mutex
	conn    driver.Conn
	schemas map[events.Type]*tableSchema
	health  *health
	// instance names this process in the query ids of its inserts, so another member taking
	// over its partitions can wait for its last insert to finish first.
	instance string
}

// New builds the pipeline; reg receives its metrics (nil: none).
func New(cfg Config, reg prometheus.Registerer) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := newHealth(cfg.Clock.Now, cfg.StallAfter, cfg.FailingAfter)
	h.register(reg)
	return &Service{
		cfg:      cfg,
		log:      cfg.Logger.With("part", "ingest"),
		m:        newMetrics(reg),
		dlq:      events.NewPublisher(events.PublisherConfig{Brokers: cfg.Brokers, TopicPrefix: cfg.TopicPrefix}),
		health:   h,
		instance: uuid.NewString(),
	}, nil
}

// Stats returns the counts and stage timings so far.
func (s *Service) Stats() Stats { return s.m.stats() }

// Topics are the prefixed topics the pipeline consumes.
func (s *Service) Topics() []string {
	out := make([]string, len(events.EventTopics))
	for i, t := range events.EventTopics {
		out[i] = s.cfg.TopicPrefix + t
	}
	return out
}

// Run consumes until ctx ends, then flushes what it holds, commits, and leaves the group.
func (s *Service) Run(ctx context.Context) error {
	defer s.dlq.Close()
	defer s.closeConn()
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                s.cfg.GroupID,
		Brokers:           s.cfg.Brokers,
		Topics:            s.Topics(),
		StartOffset:       kafka.FirstOffset,
		HeartbeatInterval: time.Second,
		SessionTimeout:    s.cfg.SessionTimeout,
		RebalanceTimeout:  60 * time.Second,
		JoinGroupBackoff:  time.Second,
		Timeout:           10 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("joining consumer group %s: %w", s.cfg.GroupID, err)
	}
	defer group.Close()
	s.log.Info("ingest started", "group", s.cfg.GroupID, "topics", len(s.Topics()), "clickhouse", s.cfg.ClickHouse.Addr, "database", s.cfg.ClickHouse.Database)
	for {
		gen, err := group.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.health.failed("joining the consumer group", err)
			s.log.Warn("consumer group: waiting for the next generation", "err", err)
			continue
		}
		s.health.ok("joining the consumer group")
		done := make(chan error, 1)
		gen.Start(func(genCtx context.Context) { done <- s.runGeneration(ctx, genCtx, gen) })
		if err := <-done; err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// clickhouse returns a live connection, opening one if needed.
func (s *Service) clickhouse(ctx context.Context) (driver.Conn, error) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.conn != nil {
		return s.conn, nil
	}
	conn, err := chdb.Open(ctx, s.cfg.ClickHouse)
	if err != nil {
		return nil, err
	}
	if s.schemas == nil {
		schemas, err := loadSchemas(ctx, conn)
		if err != nil {
			conn.Close()
			return nil, permanent{err}
		}
		s.schemas = schemas
	}
	s.conn = conn
	return conn, nil
}

func (s *Service) closeConn() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// permanent marks an error retrying cannot fix (the schema does not match the contract).
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// retry runs f until it succeeds, stop ends, or it fails permanently, backing off from 100 ms
// to 5 s: ClickHouse being away is back-pressure, never loss. An attempt in flight is never
// cancelled half way (a cancelled insert may still land on the server); stop is looked at
// between attempts.
func (s *Service) retry(stop context.Context, what string, f func(ctx context.Context) error) error {
	backoff := 100 * time.Millisecond
	for {
		attempt, cancel := context.WithTimeout(context.WithoutCancel(stop), attemptTimeout)
		err := f(attempt)
		cancel()
		if err == nil {
			s.health.ok(what)
			return nil
		}
		s.health.failed(what, err)
		var p permanent
		if errors.As(err, &p) {
			return err
		}
		s.m.insertErrors.Inc()
		s.closeConn()
		s.log.Warn("retrying", "what", what, "in", backoff, "err", err)
		select {
		case <-stop.Done():
			return fmt.Errorf("%s: gave up: %w", what, err)
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// attemptTimeout bounds one insert; it stays well under the group's rebalance timeout so a
// member finishes its last insert before another member takes its partitions over.
const attemptTimeout = 30 * time.Second

// batcher is the state of one generation: what is stored, what is pending, what to commit.
type batcher struct {
	s       *Service
	gen     *kafka.Generation
	mem     memory.Allocator
	stored  map[string]map[position]int64 // table → (topic, partition) → highest stored offset
	batches map[events.Type]*tableBatch
	dead    []deadLetter
	rows    int
	msgs    int                      // messages read into this batch, stored or skipped
	commit  map[string]map[int]int64 // next offset to read, per topic and partition
	// pendingSince is when the oldest message not yet handed to the inserter was added.
	pendingSince time.Time
	lag          *lagTracker
}

// backlogFlushFactor stretches the flush interval while ingest works off a backlog: batches
// then fill to BatchSize, and fewer, larger inserts keep ClickHouse's part count and merge work
// down (and ingest faster), while a row still never waits longer than this many intervals.
const backlogFlushFactor = 10

func (s *Service) runGeneration(ctx, genCtx context.Context, gen *kafka.Generation) error {
	// Readers stop on shutdown or at the end of the generation; the batcher flushes either way
	// before returning, and the group does not rejoin until it has returned, so a new owner of a
	// partition reads stored offsets only after this member's last insert.
	readCtx, stopReading := context.WithCancel(genCtx)
	defer stopReading()
	go func() {
		select {
		case <-ctx.Done():
			stopReading()
		case <-readCtx.Done():
		}
	}()

	b := &batcher{s: s, gen: gen, mem: memory.NewGoAllocator(), batches: map[events.Type]*tableBatch{}, commit: map[string]map[int]int64{}}
	var assigned []position
	for topic, parts := range gen.Assignments {
		for _, p := range parts {
			assigned = append(assigned, position{Topic: topic, Partition: p.ID, Offset: p.Offset})
		}
	}
	var (
		toRead  []assignedPartition
		refused map[position]string
	)
	if err := s.retry(readCtx, "reading stored offsets", func(ctx context.Context) error {
		conn, err := s.clickhouse(ctx)
		if err != nil {
			return err
		}
		if err := waitForInflightInserts(ctx, conn, s.cfg.GroupID, s.instance); err != nil {
			return err
		}
		if b.stored, err = storedOffsets(ctx, conn, s.schemas, assigned); err != nil {
			return err
		}
		toRead, refused, err = s.checkAssigned(ctx, conn, assigned, b.stored)
		return err
	}); err != nil {
		var p permanent
		if errors.As(err, &p) {
			return err
		}
		return nil // generation or process ended while ClickHouse was away
	}
	s.log.Info("partitions assigned", "generation", gen.ID, "partitions", len(assigned))

	items := make(chan []item, 16)
	lag := newLagTracker(s.m.lag, &s.health.lag)
	b.lag = lag
	s.startReaders(readCtx, toRead, refused, b.stored, items, lag)
	// What is read and not stored when the generation ends is read again by the next owner.
	defer s.health.unstored.Store(0)
	return b.loop(ctx, readCtx, items)
}

// loop batches items until the readers stop; stop ends with the generation or the process.
// Building the next batch overlaps with storing the last one: a single inserter goroutine
// stores batches in order and commits after each, so commits never pass a batch not stored.
func (b *batcher) loop(ctx, stop context.Context, items <-chan []item) error {
	// The inserter retries for as long as reading goes on (back-pressure), then for at most
	// ShutdownFlush once reading stopped: what it cannot store then stays uncommitted.
	storeCtx, cancelStore := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelStore()
	go func() {
		select {
		case <-stop.Done():
		case <-storeCtx.Done():
			return
		}
		select {
		case <-time.After(b.s.cfg.ShutdownFlush):
			cancelStore()
		case <-storeCtx.Done():
		}
	}()
	jobs := make(chan *flushJob, 1)
	done := make(chan error, 1)
	go func() { done <- b.s.storeJobs(storeCtx, b.gen, jobs) }()
	send := func() error {
		job := b.cut()
		if job == nil {
			return nil
		}
		select {
		case jobs <- job:
			return nil
		case err := <-done:
			done <- err
			return errors.New("inserter stopped")
		}
	}
	finish := func() error {
		close(jobs)
		return storeFailed(b.s, <-done)
	}
	ticker := time.NewTicker(b.s.cfg.FlushInterval)
	defer ticker.Stop()
	wasBehind := false
	for {
		select {
		case chunk, ok := <-items:
			if !ok {
				send()
				return finish()
			}
			b.add(chunk)
			// The end of a backlog is stored at once rather than at the next tick.
			behind := b.lag.behind()
			caughtUp := wasBehind && !behind && len(items) == 0
			wasBehind = behind
			if (b.rows >= b.s.cfg.BatchSize || caughtUp) && send() != nil {
				return finish()
			}
		case <-ticker.C:
			b.s.health.idle()
			if b.lag.behind() && b.rows < b.s.cfg.BatchSize && time.Since(b.pendingSince) < backlogFlushFactor*b.s.cfg.FlushInterval {
				continue
			}
			if send() != nil {
				return finish()
			}
		}
	}
}

// storeFailed turns a storing error into the generation's result: a permanent one stops
// ingest; any other leaves messages uncommitted, to be read again.
func storeFailed(s *Service, err error) error {
	if err == nil {
		return nil
	}
	var p permanent
	if errors.As(err, &p) {
		return err
	}
	s.log.Warn("flush abandoned; uncommitted messages will be read again", "err", err)
	return nil
}

// add batches a chunk of one partition's messages, in offset order.
func (b *batcher) add(chunk []item) {
	if len(chunk) == 0 {
		return
	}
	start := time.Now()
	if len(b.commit) == 0 {
		b.pendingSince = start
	}
	tp := position{Topic: chunk[0].pos.Topic, Partition: chunk[0].pos.Partition}
	last := chunk[len(chunk)-1]
	b.noteCommit(position{Topic: tp.Topic, Partition: tp.Partition, Offset: last.pos.Offset - last.base}) // commits are Kafka offsets
	b.msgs += len(chunk)
	b.s.health.unstored.Add(int64(len(chunk)))
	// Consecutive messages are mostly of one type: look up its batch and stored offset once.
	var (
		lastType   events.Type
		tb         *tableBatch
		stored     int64
		haveStored bool
	)
	for i := range chunk {
		it := &chunk[i]
		if it.dead != nil {
			if s, ok := b.stored[DeadLetterTable][tp]; ok && it.pos.Offset <= s {
				b.s.m.skipped.Inc()
				continue
			}
			b.rows++
			b.dead = append(b.dead, *it.dead)
			lastType = ""
			continue
		}
		if it.ev.Type != lastType || tb == nil {
			lastType = it.ev.Type
			stored, haveStored = b.stored[TableOf(lastType)][tp]
			if tb = b.batches[lastType]; tb == nil {
				tb = newTableBatch(b.mem, b.s.schemas[lastType])
				b.batches[lastType] = tb
			}
		}
		if haveStored && it.pos.Offset <= stored {
			b.s.m.skipped.Inc()
			continue
		}
		b.rows++
		tb.append(it.ev, it.pos)
	}
	b.s.m.buildNanos.Add(int64(time.Since(start)))
}

func (b *batcher) noteCommit(pos position) {
	m := b.commit[pos.Topic]
	if m == nil {
		m = map[int]int64{}
		b.commit[pos.Topic] = m
	}
	if pos.Offset+1 > m[pos.Partition] {
		m[pos.Partition] = pos.Offset + 1
	}
}

// insertOnce runs one insert of a block into table with retries, so that it lands exactly
// once: an attempt that failed on our side may have been stored by the server, so every retry
// (and the first, when tried says an attempt was made already) first looks for the block's
// first row (first offset per partition) and stops if it is there.
func (s *Service) insertOnce(stop context.Context, table string, first map[position]int64, tried bool, insert func(context.Context, driver.Conn) error) error {
	attempt := 0
	if tried {
		attempt = 1
	}
	return s.retry(stop, "inserting into "+table, func(ctx context.Context) error {
		attempt++
		conn, err := s.clickhouse(ctx)
		if err != nil {
			return err
		}
		if attempt > 1 {
			landed, err := alreadyStored(ctx, conn, table, first)
			if err != nil || landed {
				return err
			}
		}
		return insert(s.insertContext(ctx), conn)
	})
}

// flushJob is one flush: a record batch per table, the dead letters, and the offsets to commit
// once they are stored.
type flushJob struct {
	tables []tableRecord
	dead   []deadLetter
	rows   int
	msgs   int
	commit map[string]map[int]int64
	// cancel ends the context the job's inserts were prepared with.
	cancel context.CancelFunc
}

type tableRecord struct {
	schema *tableSchema
	rec    arrow.RecordBatch
	first  map[position]int64
	// batch is the prepared insert, nil until prepared and after it was sent or given up.
	batch driver.Batch
}

// cut hands over everything pending as a job and starts a new batch; nil when nothing was read.
func (b *batcher) cut() *flushJob {
	if len(b.commit) == 0 {
		return nil
	}
	start := time.Now()
	job := &flushJob{dead: b.dead, rows: b.rows, msgs: b.msgs, commit: b.commit}
	for _, tb := range b.batches {
		if tb.rows == 0 {
			continue
		}
		first := tb.first
		tb.first = map[position]int64{}
		job.tables = append(job.tables, tableRecord{schema: tb.schema, rec: tb.record(), first: first})
	}
	b.s.m.buildNanos.Add(int64(time.Since(start)))
	b.dead, b.rows, b.msgs, b.commit = nil, 0, 0, map[string]map[int]int64{}
	return job
}

// storeJobs stores jobs in order until the channel closes or one fails; after a failure the
// later jobs are dropped unstored and uncommitted, so no commit passes a gap. Converting a job's
// columns for clickhouse-go is CPU work on this side, so it is done for the next job while the
// current one is being sent: inserts still reach ClickHouse one at a time, in order.
func (s *Service) storeJobs(stop context.Context, gen *kafka.Generation, jobs <-chan *flushJob) error {
	prepared := make(chan *flushJob)
	go func() {
		defer close(prepared)
		for job := range jobs {
			s.prepare(stop, job)
			prepared <- job
		}
	}()
	var failed error
	for job := range prepared {
		if failed == nil {
			failed = s.store(stop, gen, job)
		}
		for _, t := range job.tables {
			if t.batch != nil {
				t.batch.Abort() // not sent: the job failed, or an earlier one did
			}
			t.rec.Release()
		}
		if job.cancel != nil {
			job.cancel()
		}
	}
	return failed
}

// Preparing pays off for big tables only, and each prepared insert holds a connection from the
// pool (and an open insert on the server) until it is sent, so a job prepares a few at most.
const (
	prepareMinRows = 1000
	preparedPerJob = 3
)

// prepare opens the inserts of a job's biggest tables and converts their columns, once and
// without retrying: a table whose insert was not prepared is inserted by store the slow way.
func (s *Service) prepare(stop context.Context, job *flushJob) {
	conn, err := s.clickhouse(stop)
	if err != nil {
		return
	}
	// The insert is sent after the previous job's, which may take a while; the timeout only
	// stops a prepared insert from waiting forever.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(stop), 4*attemptTimeout)
	job.cancel = cancel
	order := make([]int, len(job.tables))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return job.tables[order[a]].rec.NumRows() > job.tables[order[b]].rec.NumRows() })
	for _, i := range order[:min(len(order), preparedPerJob)] {
		t := &job.tables[i]
		if t.rec.NumRows() < prepareMinRows {
			break
		}
		if b, err := prepareRecord(s.insertContext(ctx), conn, t.schema, t.rec); err == nil {
			t.batch = b
		}
	}
}

// store writes a job (dead letters to their topic first, then each table, then the dead-letter
// table) and commits its offsets.
func (s *Service) store(stop context.Context, gen *kafka.Generation, job *flushJob) error {
	if job.rows > 0 {
		start := time.Now()
		if len(job.dead) > 0 {
			if err := s.retry(stop, "publishing dead letters", func(ctx context.Context) error {
				return s.publishDeadLetters(ctx, job.dead)
			}); err != nil {
				return err
			}
		}
		for i := range job.tables {
			t := &job.tables[i]
			n := t.rec.NumRows()
			sent, tried := false, false
			if t.batch != nil {
				err := sendRecord(t.batch, t.schema, t.rec)
				t.batch = nil
				if err != nil {
					s.health.failed("inserting into "+t.schema.table, err)
					s.log.Warn("insert failed; retrying", "table", t.schema.table, "err", err)
				} else {
					s.health.ok("inserting into " + t.schema.table)
				}
				sent, tried = err == nil, err != nil
			}
			if !sent {
				if err := s.insertOnce(stop, t.schema.table, t.first, tried, func(ctx context.Context, conn driver.Conn) error {
					return insertRecord(ctx, conn, t.schema, t.rec)
				}); err != nil {
					return err
				}
			}
			s.m.inserted.WithLabelValues(t.schema.table).Add(float64(n))
			s.m.insertedN.Add(n)
		}
		if len(job.dead) > 0 {
			d0 := job.dead[0].pos
			first := map[position]int64{{Topic: d0.Topic, Partition: d0.Partition}: d0.Offset}
			if err := s.insertOnce(stop, DeadLetterTable, first, false, func(ctx context.Context, conn driver.Conn) error {
				return insertDeadLetters(ctx, conn, job.dead)
			}); err != nil {
				return err
			}
			s.m.deadLettered.Add(float64(len(job.dead)))
			s.m.deadN.Add(int64(len(job.dead)))
		}
		s.m.insertNanos.Add(int64(time.Since(start)))
		s.m.insertSec.Observe(time.Since(start).Seconds())
		s.m.batchRows.Observe(float64(job.rows))
	}
	// A failed commit is harmless: the rows are stored, and the next owner skips them.
	if err := gen.CommitOffsets(job.commit); err != nil {
		s.log.Warn("committing offsets", "err", err)
	}
	s.health.unstored.Add(-int64(job.msgs))
	s.health.progress()
	return nil
}
