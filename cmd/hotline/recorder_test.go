package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/qa"
)

func TestRecorderGivesAnsweredCallsARecording(t *testing.T) {
	sink := &memSink{}
	svc, err := qa.NewService(qa.DefaultConfig(t.TempDir()), sink, clock.Real{}, "HQ", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)
	r := newRecorder(sink, svc.Store, start.Add(-time.Second), slog.Default())
	answered := start.Add(20 * time.Second)
	rec := events.CallRecord{CallID: "c-1", Direction: events.Inbound, Line: events.LineInquiry, Queue: events.LineInquiry, Phone: "+8613800138000",
		Agent: "A0001", ArrivedAt: start, QueuedAt: &start, AnsweredAt: &answered, EndedAt: answered.Add(90 * time.Second),
		WaitSec: 20, TalkSec: 80, HoldSec: 10, HoldCount: 1, Outcome: events.OutcomeAnswered}
	before := start.Add(-time.Hour)
	old := rec
	old.CallID, old.AnsweredAt = "c-0", &before
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if err := r.Publish(ctx, events.New(rec, rec.EndedAt, "test", "HQ"), events.New(old, rec.EndedAt, "test", "HQ")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	var got *events.CallRecord
	for got == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		sink.mu.Lock()
		for _, e := range sink.evs {
			if cr, ok := e.Payload.(events.CallRecord); ok && cr.CallID == "c-1" {
				got = &cr
			}
		}
		sink.mu.Unlock()
	}
	cancel()
	<-done
	if got == nil || got.RecordingID == "" {
		t.Fatalf("answered call published without a recording: %+v", got)
	}
	var stored, analysed, oldRecorded bool
	for _, e := range sink.evs {
		switch p := e.Payload.(type) {
		case events.RecordingStored:
			stored = stored || p.RecordingID == got.RecordingID
		case events.RecordingAnalysis:
			analysed = analysed || p.RecordingID == got.RecordingID
		case events.CallRecord:
			oldRecorded = oldRecorded || (p.CallID == "c-0" && p.RecordingID != "")
		}
	}
	if !stored || !analysed {
		t.Fatalf("recording stored event %v, analysis %v; want both", stored, analysed)
	}
	if oldRecorded {
		t.Fatal("a call answered before start-up got a recording")
	}
	if err := svc.Store.Verify(got.RecordingID); err != nil {
		t.Fatalf("recording not in the store intact: %v", err)
	}
}

// Recordings that cannot be written are counted and, a few in a row, make /healthz fail with the
// cause; the calls still go out, without a recording.
func TestRecorderCountsFailedRecordingsAndFailsHealth(t *testing.T) {
	sink := &memSink{}
	svc, err := qa.NewService(qa.DefaultConfig(t.TempDir()), sink, clock.Real{}, "HQ", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// The store's scratch directory turns into a file: every write fails, as on a broken disk.
	tmp := filepath.Join(svc.Store.Root(), "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	start := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)
	r := newRecorder(sink, svc.Store, start.Add(-time.Second), slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.register(srv)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	healthz := func() (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		return rec.Code, rec.Body.String()
	}
	for i := range recordingsFailingAfter {
		if code, body := healthz(); code != 200 {
			t.Fatalf("healthz after %d failed recordings: %d %s, want 200", i, code, body)
		}
		answered := start.Add(20 * time.Second)
		rec := events.CallRecord{CallID: fmt.Sprintf("c-%d", i), Direction: events.Inbound, Line: events.LineInquiry, Queue: events.LineInquiry, Phone: "+8613800138000",
			Agent: "A0001", ArrivedAt: start, QueuedAt: &start, AnsweredAt: &answered, EndedAt: answered.Add(30 * time.Second),
			WaitSec: 20, TalkSec: 30, Outcome: events.OutcomeAnswered}
		if err := r.Publish(ctx, events.New(rec, rec.EndedAt, "test", "HQ")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for r.failedInARow.Load() < int64(i+1) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	code, body := healthz()
	if code != 503 || !strings.Contains(body, `"recordings":"3 recordings in a row could not be written (last: not a directory)"`) {
		t.Errorf("healthz: %d %s, want 503 naming the recordings and the cause", code, body)
	}
	sink.mu.Lock()
	published := len(sink.evs)
	sink.mu.Unlock()
	if published != recordingsFailingAfter {
		t.Errorf("%d calls published, want all %d (without recordings)", published, recordingsFailingAfter)
	}
	mrec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(mrec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(mrec.Body.String(), "hotline_recordings_failed_total 3") {
		t.Errorf("/metrics does not show hotline_recordings_failed_total 3")
	}
}
