package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
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
}

func newRecorder(next events.Sink, store *qa.Store, since time.Time, log *slog.Logger) *recorder {
	return &recorder{next: next, store: store, since: since, queue: make(chan events.Event, 256), log: log}
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
