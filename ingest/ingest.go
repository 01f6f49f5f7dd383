// Package ingest carries events from Kafka into ClickHouse: a consumer group over the event
// topics, decode and validate, Arrow record batches, columnar native inserts, and offsets
// committed only after the rows are stored.
//
// Exactly once, by event_id, without newer server features (docs/ingest.md has the whole
// argument):
//
//   - Every copy of an event (producer retry, re-publish, replay, a crash between publish and
//     commit) lands in the same Kafka partition, since events are keyed by entity. The partition's
//     owner holds the ids of the events stored in it (event_ids, loaded at assignment: the last
//     HorizonDays days in memory, older ones looked up in ClickHouse per chunk) and skips every
//     copy, in one batch or across batches, generations and processes. There is no horizon on
//     the guarantee, only on what is kept in memory.
//   - An insert is not all or nothing in ClickHouse (one part per month, views after the fact
//     table), so nothing trusts a part of one. After a failed insert, and for rows above the
//     committed offset a previous owner may have stored (in doubt), ingest inserts exactly the
//     fact rows that are missing and makes every derived table equal to an aggregate of its facts
//     for the partition and the buckets touched (reconcile.go). Only then does it record the ids
//     in event_ids, in one insert of one part, and commit the offsets: an id there means the
//     event and everything derived from it are stored.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
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
	stored  map[string]map[position]int64 // table → (topic, partition) → highest stored offset at assignment
	batches map[events.Type]*tableBatch
	dead    []deadLetter
	rows    int
	msgs    int                      // messages read into this batch, stored or skipped
	commit  map[string]map[int]int64 // next offset to read, per topic and partition
	// pendingSince is when the oldest message not yet handed to the inserter was added.
	pendingSince time.Time
	lag          *lagTracker
	// Rows at or below the stored offset may be stored already (a previous owner's last insert,
	// in doubt), so they are repaired rather than inserted. deadRedo are such dead letters:
	// published already, maybe stored.
	deadRedo []deadLetter
	ids      *idIndex
	// storedJob is the number of the last job stored, for the index to let old days go.
	storedJob atomic.Uint64
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
		if err := waitForInflightInserts(ctx, conn, s.cfg.GroupID); err != nil {
			return err
		}
		if b.stored, err = storedOffsets(ctx, conn, s.schemas, assigned); err != nil {
			return err
		}
		if toRead, refused, err = s.checkAssigned(ctx, conn, assigned, b.stored); err != nil {
			return err
		}
		b.ids = newIDIndex(s.cfg.Clock.Now())
		return loadIDs(ctx, conn, b.ids, assigned)
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
			if err := b.add(stop, chunk); err != nil {
				send()
				return finish()
			}
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

// add batches a chunk of one partition's messages, in offset order, leaving out every event
// stored already or earlier in the generation. It fails only when stop ends while ClickHouse is
// needed and away, before changing anything.
func (b *batcher) add(stop context.Context, chunk []item) error {
	if len(chunk) == 0 {
		return nil
	}
	start := time.Now()
	tp := position{Topic: chunk[0].pos.Topic, Partition: chunk[0].pos.Partition}
	// Events older than the index's horizon may be stored without being in it: ClickHouse
	// answers for them, once per chunk.
	var lookups []oldID
	for i := range chunk {
		if ev := &chunk[i].ev; chunk[i].dead == nil {
			if d := dayOf(ev.OccurredAt.Unix()); d < b.ids.cutoff && !b.ids.has(tp, d, ev.EventID) {
				lookups = append(lookups, oldID{day: d, id: ev.EventID})
			}
		}
	}
	var old map[uuid.UUID]bool
	if len(lookups) > 0 {
		if err := b.s.retry(stop, "looking up old event ids", func(ctx context.Context) error {
			conn, err := b.s.clickhouse(ctx)
			if err != nil {
				return err
			}
			old, err = storedOldIDs(ctx, conn, tp, lookups)
			return err
		}); err != nil {
			return err
		}
	}
	if len(b.commit) == 0 {
		b.pendingSince = start
	}
	last := chunk[len(chunk)-1]
	b.noteCommit(position{Topic: tp.Topic, Partition: tp.Partition, Offset: last.pos.Offset - last.base}) // commits are Kafka offsets
	b.msgs += len(chunk)
	b.s.health.unstored.Add(int64(len(chunk)))
	ids := b.ids.partition(tp)
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
			b.rows++
			if s, ok := b.stored[DeadLetterTable][tp]; ok && it.pos.Offset <= s {
				b.deadRedo = append(b.deadRedo, *it.dead)
			} else {
				b.dead = append(b.dead, *it.dead)
			}
			lastType = ""
			continue
		}
		if old[it.ev.EventID] || ids.seen(dayOf(it.ev.OccurredAt.Unix()), it.ev.EventID) {
			b.s.m.skipped.Inc()
			b.s.m.skippedN.Add(1)
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
			tb.repair = true
		}
		b.rows++
		tb.append(it.ev, it.pos)
	}
	b.s.m.buildNanos.Add(int64(time.Since(start)))
	return nil
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

// flushJob is one flush: a record batch per table, the dead letters, and the offsets to commit
// once they are stored.
type flushJob struct {
	tables   []tableRecord
	dead     []deadLetter
	deadRedo []deadLetter
	rows     int
	msgs     int
	commit   map[string]map[int]int64
	// stored is called once the job is stored and committed.
	stored func()
	// cancel ends the context the job's inserts were prepared with.
	cancel context.CancelFunc
}

type tableRecord struct {
	schema *tableSchema
	rec    arrow.RecordBatch
	repair bool
	// batch is the prepared insert, nil until prepared and after it was sent or given up.
	batch driver.Batch
}

// cut hands over everything pending as a job and starts a new batch; nil when nothing was read.
func (b *batcher) cut() *flushJob {
	if len(b.commit) == 0 {
		return nil
	}
	start := time.Now()
	seq := b.ids.job
	b.ids.job++
	job := &flushJob{dead: b.dead, deadRedo: b.deadRedo, rows: b.rows, msgs: b.msgs, commit: b.commit, stored: func() { b.storedJob.Store(seq) }}
	for _, tb := range b.batches {
		if tb.rows == 0 {
			continue
		}
		job.tables = append(job.tables, tableRecord{schema: tb.schema, rec: tb.record(), repair: tb.repair})
		tb.repair = false
	}
	b.ids.advance(b.s.cfg.Clock.Now(), b.storedJob.Load())
	b.s.m.buildNanos.Add(int64(time.Since(start)))
	b.dead, b.deadRedo, b.rows, b.msgs, b.commit = nil, nil, 0, 0, map[string]map[int]int64{}
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
		if t.repair {
			continue
		}
		if b, err := prepareRecord(s.insertContext(ctx), conn, t.schema, t.rec); err == nil {
			t.batch = b
		}
	}
}

// store writes a job and commits its offsets: dead letters to their topic first, then each
// table (repaired if its insert failed or its rows are in doubt), the dead-letter table, and
// last the job's event ids, which say that all of it is stored.
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
		var ids eventIDRows
		for i := range job.tables {
			t := &job.tables[i]
			n := t.rec.NumRows()
			if !t.repair {
				var err error
				if t.batch != nil {
					err = sendRecord(t.batch, t.schema, t.rec)
					t.batch = nil
				} else {
					err = s.once(stop, func(ctx context.Context, conn driver.Conn) error {
						return insertRecord(s.insertContext(ctx), conn, t.schema, t.rec)
					})
				}
				if err != nil {
					s.m.insertErrors.Inc()
					s.health.failed("inserting into "+t.schema.table, err)
					s.log.Warn("insert failed; completing what is missing", "table", t.schema.table, "rows", n, "err", err)
					t.repair = true
				} else {
					s.health.ok("inserting into " + t.schema.table)
				}
			}
			if t.repair {
				if err := s.repairTable(stop, t.schema, t.rec); err != nil {
					return err
				}
			}
			ids.add(t.schema, t.rec)
			s.m.inserted.WithLabelValues(t.schema.table).Add(float64(n))
			s.m.insertedN.Add(n)
		}
		if err := s.storeDeadLetters(stop, job.dead, false); err != nil {
			return err
		}
		if err := s.storeDeadLetters(stop, job.deadRedo, true); err != nil {
			return err
		}
		if len(ids.ids) > 0 {
			storedAt := s.cfg.Clock.Now().UTC()
			attempt := 0
			if err := s.retry(stop, "recording stored event ids", func(ctx context.Context) error {
				attempt++
				conn, err := s.clickhouse(ctx)
				if err != nil {
					return err
				}
				if attempt > 1 {
					if landed, err := eventIDsStored(ctx, conn, &ids); err != nil || landed {
						return err
					}
				}
				return insertEventIDs(s.insertContext(ctx), conn, &ids, storedAt)
			}); err != nil {
				return err
			}
		}
		s.m.insertNanos.Add(int64(time.Since(start)))
		s.m.insertSec.Observe(time.Since(start).Seconds())
		s.m.batchRows.Observe(float64(job.rows))
	}
	// A failed commit is harmless: the events are in event_ids, and the next owner skips them.
	if err := gen.CommitOffsets(job.commit); err != nil {
		s.log.Warn("committing offsets", "err", err)
	}
	job.stored()
	s.health.unstored.Add(-int64(job.msgs))
	s.health.progress()
	return nil
}

// once runs one attempt of f with a fresh connection, for an insert whose failure is repaired
// rather than retried blindly.
func (s *Service) once(stop context.Context, f func(ctx context.Context, conn driver.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(stop), attemptTimeout)
	defer cancel()
	conn, err := s.clickhouse(ctx)
	if err == nil {
		err = f(ctx, conn)
	}
	if err != nil {
		s.closeConn()
	}
	return err
}

// repairTable stores what is missing of a record: the fact rows ClickHouse does not hold, then
// whatever each derived table lacks against its facts, for the record's partitions and time
// buckets. Each attempt starts over from what is stored, so a repair cut short is finished by
// the next attempt, or by the partition's next owner.
func (s *Service) repairTable(stop context.Context, schema *tableSchema, rec arrow.RecordBatch) error {
	mem := memory.NewGoAllocator()
	return s.retry(stop, "inserting into "+schema.table, func(ctx context.Context) error {
		conn, err := s.clickhouse(ctx)
		if err != nil {
			return err
		}
		missing, err := missingRows(ctx, conn, mem, schema, rec)
		if err != nil {
			return err
		}
		if missing != nil {
			n := missing.NumRows()
			err := insertRecord(s.insertContext(ctx), conn, schema, missing)
			missing.Release()
			if err != nil {
				return err
			}
			s.m.repaired.Add(float64(n))
			s.log.Info("stored missing rows", "table", schema.table, "rows", n, "of", rec.NumRows())
		}
		for _, d := range derivedOf(schema.table) {
			added := 0
			if d.kind == sums {
				buckets, err := bucketsOf(schema, rec, d.timeCol, d.bucketSec)
				if err != nil {
					return permanent{err}
				}
				for part, bs := range buckets {
					n, err := d.repairSpan(ctx, s.insertContext(ctx), conn, part, bs, 0, 0)
					if err != nil {
						return err
					}
					added += n
				}
			} else {
				for _, sp := range recordSpans(schema, rec) {
					n, err := d.repairSpan(ctx, s.insertContext(ctx), conn, sp.tp.Partition, nil, sp.lo, sp.hi)
					if err != nil {
						return err
					}
					added += n
				}
			}
			if added > 0 {
				s.m.repaired.Add(float64(added))
				s.log.Info("completed derived table", "table", d.table, "from", schema.table, "rows", added)
			}
		}
		return nil
	})
}

// storeDeadLetters inserts dead letters into their table: at once, or (redo, or after a failed
// attempt) only those it does not hold yet.
func (s *Service) storeDeadLetters(stop context.Context, dead []deadLetter, redo bool) error {
	if len(dead) == 0 {
		return nil
	}
	if !redo {
		err := s.once(stop, func(ctx context.Context, conn driver.Conn) error {
			return insertDeadLetters(s.insertContext(ctx), conn, dead)
		})
		if err == nil {
			s.m.deadLettered.Add(float64(len(dead)))
			s.m.deadN.Add(int64(len(dead)))
			return nil
		}
		s.m.insertErrors.Inc()
		s.log.Warn("dead-letter insert failed; completing what is missing", "err", err)
	}
	return s.retry(stop, "storing dead letters", func(ctx context.Context) error {
		conn, err := s.clickhouse(ctx)
		if err != nil {
			return err
		}
		missing, err := missingDeadLetters(ctx, conn, dead)
		if err != nil || len(missing) == 0 {
			return err
		}
		if err := insertDeadLetters(s.insertContext(ctx), conn, missing); err != nil {
			return err
		}
		if !redo {
			s.m.deadLettered.Add(float64(len(dead)))
			s.m.deadN.Add(int64(len(dead)))
		}
		return nil
	})
}
