package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// health is what the pipeline says about itself beyond its counters: whether it makes progress
// while messages wait, which steps keep failing, and which topics it refuses to read. Retrying
// hides a failure from everything but the log; this makes it visible on /healthz and /metrics.
type health struct {
	now        func() time.Time
	stallAfter time.Duration
	failAfter  int

	// unstored counts messages read but not yet stored and committed; lag those not yet read.
	unstored, lag atomic.Int64

	mu         sync.Mutex
	progressAt time.Time           // last flush stored, or last moment with nothing waiting
	failing    map[string]*failure // by step, e.g. "inserting into call_records"
	refused    map[string]string   // topic → why it is not read
	refusedG   *prometheus.GaugeVec
}

type failure struct {
	count int
	since time.Time
	kind  string
}

func newHealth(now func() time.Time, stallAfter time.Duration, failAfter int) *health {
	return &health{
		now: now, stallAfter: stallAfter, failAfter: failAfter, progressAt: now(),
		failing: map[string]*failure{}, refused: map[string]string{},
		refusedG: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_ingest_topic_refused", Help: "1 while ingest refuses to read a topic (recreated under the same name, offsets gone backwards)."}, []string{"topic"}),
	}
}

func (h *health) register(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	reg.MustRegister(h.refusedG,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_ingest_unstored_messages", Help: "Messages read but not yet stored and committed."},
			func() float64 { return float64(h.unstored.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_ingest_last_progress_timestamp_seconds", Help: "When ingest last stored a flush or had nothing waiting (Unix time)."},
			func() float64 { h.mu.Lock(); defer h.mu.Unlock(); return float64(h.progressAt.UnixMilli()) / 1000 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_ingest_stalled", Help: "1 while messages wait and ingest has stored nothing for the stall interval."},
			func() float64 {
				if _, stalled := h.stalled(); stalled {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_ingest_consecutive_failures", Help: "Failed attempts in a row of the step failing longest (0: none failing)."},
			func() float64 {
				h.mu.Lock()
				defer h.mu.Unlock()
				n := 0
				for _, f := range h.failing {
					n = max(n, f.count)
				}
				return float64(n)
			}),
	)
}

// progress records a stored flush.
func (h *health) progress() {
	h.mu.Lock()
	h.progressAt = h.now()
	h.mu.Unlock()
}

// idle records progress when nothing waits, so a quiet hour does not count as a stall.
func (h *health) idle() {
	if h.unstored.Load() == 0 && h.lag.Load() == 0 {
		h.progress()
	}
}

func (h *health) stalled() (time.Duration, bool) {
	if h.unstored.Load() == 0 && h.lag.Load() == 0 {
		return 0, false
	}
	h.mu.Lock()
	since := h.now().Sub(h.progressAt)
	h.mu.Unlock()
	return since, since >= h.stallAfter
}

func (h *health) failed(step string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.failing[step]
	if f == nil {
		f = &failure{since: h.now()}
		h.failing[step] = f
	}
	f.count++
	f.kind = failureKind(err)
}

func (h *health) ok(step string) {
	h.mu.Lock()
	delete(h.failing, step)
	h.mu.Unlock()
}

// refuse records a refused topic; true when it is news.
func (h *health) refuse(topic, why string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, known := h.refused[topic]
	h.refused[topic] = why
	h.refusedG.WithLabelValues(topic).Set(1)
	return !known
}

// keepRefused forgets refusals of topics no longer refused (accepted, or now read by another
// member of the group).
func (h *health) keepRefused(topics map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range h.refused {
		if _, ok := topics[t]; !ok {
			delete(h.refused, t)
			h.refusedG.WithLabelValues(t).Set(0)
		}
	}
}

// Health reports nil while ingest works; otherwise an *httpapi.HealthReason saying what is
// wrong: a refused topic, a step failing again and again, or no progress while messages wait.
// It is the "ingest" check of /healthz.
func (s *Service) Health(context.Context) error {
	h := s.health
	var reasons []string
	h.mu.Lock()
	for topic, why := range h.refused {
		reasons = append(reasons, "topic "+topic+" refused: "+why)
	}
	for step, f := range h.failing {
		if f.count >= h.failAfter {
			reasons = append(reasons, fmt.Sprintf("%s failing: %d attempts in a row since %s (last: %s)", step, f.count, f.since.UTC().Format(time.RFC3339), f.kind))
		}
	}
	h.mu.Unlock()
	if since, stalled := h.stalled(); stalled {
		reasons = append(reasons, fmt.Sprintf("stalled: nothing stored for %s while %d messages wait to be read and %d to be stored",
			since.Round(time.Second), h.lag.Load(), h.unstored.Load()))
	}
	if len(reasons) == 0 {
		return nil
	}
	sort.Strings(reasons)
	return &httpapi.HealthReason{Reason: strings.Join(reasons, "; ")}
}

// failureKind names the kind of an error without its details (addresses, queries), for the
// public /healthz; the log has the whole error.
func failureKind(err error) string {
	var ex *clickhouse.Exception
	var ke kafka.Error
	var errno syscall.Errno
	switch {
	case errors.As(err, &ex):
		return fmt.Sprintf("ClickHouse error %d", ex.Code)
	case errors.As(err, &ke):
		return "Kafka: " + ke.Title()
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "see the log"
}
