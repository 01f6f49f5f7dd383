package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/qa"
)

// recorder gives answered simulated calls a recording: it synthesises a WAV whose talk, hold,
// silence and overtalk follow the call record, stores it (which publishes recording.stored and
// the automatic analysis), and publishes the call record with its recording id. It works off the
// simulator's goroutine, so synthesis never holds up routing.
//
// Only calls answered after start-up are recorded: the backfilled day would be several
// gigabytes of audio (8 kHz stereo is 115 MB an hour) and minutes of synthesis before the
// platform is up.
type recorder struct {
	next  events.Sink
	store *qa.Store
	since time.Time
	queue chan events.Event
	log   *slog.Logger
	// A recording that cannot be written (a full disk) is counted and, after a few in a row,
	// turns /healthz red: the call record still goes out, so nothing else would show it.
	written, failed prometheus.Counter
	failedInARow    atomic.Int64
	lastFailure     atomic.Pointer[string]
}

// recordingsFailingAfter failures in a row make the recordings health check fail; one bad call
// does not.
const recordingsFailingAfter = 3

func newRecorder(next events.Sink, store *qa.Store, since time.Time, log *slog.Logger) *recorder {
	return &recorder{next: next, store: store, since: since, queue: make(chan events.Event, 256), log: log,
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_recordings_written_total", Help: "Recordings of simulated calls written to the recording store."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_recordings_failed_total", Help: "Recordings that could not be written (the call record went out without one)."}),
	}
}

// register adds the recorder's counters to /metrics and its check to /healthz.
func (r *recorder) register(srv *httpapi.Server) {
	srv.Registry().MustRegister(r.written, r.failed)
	srv.AddHealthCheck("recordings", r.Health)
}

// Health fails once recordingsFailingAfter recordings in a row could not be written.
func (r *recorder) Health(context.Context) error {
	n := r.failedInARow.Load()
	if n < recordingsFailingAfter {
		return nil
	}
	kind := "see the log"
	if p := r.lastFailure.Load(); p != nil {
		kind = *p
	}
	return &httpapi.HealthReason{Reason: fmt.Sprintf("%d recordings in a row could not be written (last: %s)", n, kind)}
}

func (r *recorder) recorded(err error) {
	if err == nil {
		r.written.Inc()
		r.failedInARow.Store(0)
		return
	}
	r.failed.Inc()
	r.failedInARow.Add(1)
	// The system's words for the cause ("no space left on device"), never the path.
	kind := "see the log"
	var errno syscall.Errno
	if errors.As(err, &errno) {
		kind = errno.Error()
	}
	r.lastFailure.Store(&kind)
}

func (r *recorder) Publish(ctx context.Context, evs ...events.Event) error {
	out := make([]events.Event, 0, len(evs))
	for _, e := range evs {
		if rec, ok := e.Payload.(events.CallRecord); ok && rec.Outcome == events.OutcomeAnswered && rec.AnsweredAt != nil && rec.AnsweredAt.After(r.since) {
			select {
			case r.queue <- e:
				continue
			default:
				r.log.Warn("recorder busy: call published without a recording", "call_id", rec.CallID)
			}
		}
		out = append(out, e)
	}
	return r.next.Publish(ctx, out...)
}

// Run synthesises queued calls until ctx ends; calls still queued then are published without
// a recording, so no call record is lost.
func (r *recorder) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case e := <-r.queue:
					r.next.Publish(context.WithoutCancel(ctx), e)
				default:
					return nil
				}
			}
		case e := <-r.queue:
			rec := e.Payload.(events.CallRecord)
			seed := int64(e.EventID.ID())
			stored, err := r.store.PutSynthesized(ctx, qa.TimelineForCall(rec, seed), 8000, seed,
				qa.RecordingMeta{CallID: rec.CallID, Agent: rec.Agent, RecordedAt: *rec.AnsweredAt})
			r.recorded(err)
			if err != nil {
				r.log.Warn("recording a simulated call", "call_id", rec.CallID, "error", err)
			} else {
				rec.RecordingID = stored.RecordingID
				e.Payload = rec
			}
			if err := r.next.Publish(ctx, e); err != nil && ctx.Err() == nil {
				r.log.Error("publishing a call record", "call_id", rec.CallID, "error", err)
			}
		}
	}
}
