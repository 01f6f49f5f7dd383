package retention

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Step removes one kind of data older than its period as of now; with dryRun it only counts.
type Step struct {
	Name string
	Run  func(ctx context.Context, now time.Time, dryRun bool) ([]Removed, error)
}

// Job applies the policy: its steps now and then every Every until ctx ends (`hotline run`), or
// once (`hotline retention run`). Each run is logged, written to the audit log (user
// "retention", action "retention.run", what went and how much) and counted in the metric
// hotline_retention_removed_total{what}.
type Job struct {
	Steps   []Step
	Every   time.Duration // default a day
	Clock   clock.Clock
	Auditor httpapi.Auditor // nil: not audited (a dry run never is)
	Log     *slog.Logger

	removed *prometheus.CounterVec
	runs    *prometheus.CounterVec
}

// Register adds the job's metrics to reg.
func (j *Job) Register(reg prometheus.Registerer) {
	j.removed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_retention_removed_total",
		Help: "Rows, entries and recordings removed by the retention job, by what (table.column, audit_log, recordings...)."}, []string{"what"})
	j.runs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_retention_runs_total", Help: "Runs of the retention job, by result (ok, failed)."}, []string{"result"})
	reg.MustRegister(j.removed, j.runs)
}

// Run runs the job at start and then every Every until ctx ends. A failed step is logged and
// tried again at the next run; the others still run.
func (j *Job) Run(ctx context.Context) error {
	every := j.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	for {
		if _, err := j.RunOnce(ctx, false); err != nil && ctx.Err() == nil {
			j.log().Error("retention run", "error", err)
		}
		tick := make(chan struct{})
		t := j.clock().AfterFunc(every, func() { close(tick) })
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-tick:
		}
	}
}

// RunOnce runs every step as of now and returns what each removed (or would remove).
func (j *Job) RunOnce(ctx context.Context, dryRun bool) ([]Removed, error) {
	now := j.clock().Now()
	var all []Removed
	var errs []error
	for _, s := range j.Steps {
		r, err := s.Run(ctx, now, dryRun)
		all = append(all, r...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
		}
	}
	err := errors.Join(errs...)
	if dryRun {
		return all, err
	}
	var total int64
	for _, r := range all {
		total += r.Rows
		if j.removed != nil && r.Rows > 0 {
			j.removed.WithLabelValues(r.What).Add(float64(r.Rows))
		}
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	if j.runs != nil {
		j.runs.WithLabelValues(result).Inc()
	}
	j.log().Info("retention run", "removed", total, "detail", Summary(all), "result", result)
	if j.Auditor != nil {
		detail := Summary(all)
		if err != nil {
			detail += "; failed: " + err.Error()
		}
		aerr := j.Auditor.Record(ctx, httpapi.AuditEntry{Time: now, User: "retention", Role: httpapi.RoleAdmin,
			Tenant: httpapi.AllTenants, Client: "hotline", Action: "retention.run", Object: fmt.Sprintf("%d removed", total), Detail: detail})
		if aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	return all, err
}

// Summary is "what=rows" for every step that removed something, or "nothing".
func Summary(rs []Removed) string {
	var parts []string
	for _, r := range rs {
		if r.Rows > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", r.What, r.Rows))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// Print writes one line per step result: what, how many, which ones.
func Print(w io.Writer, rs []Removed, dryRun bool) {
	verb := "removed"
	if dryRun {
		verb = "would remove"
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%-32s %s %8d  (%s)\n", r.What, verb, r.Rows, r.Scope)
	}
}

func (j *Job) clock() clock.Clock {
	if j.Clock == nil {
		return clock.Real{}
	}
	return j.Clock
}

func (j *Job) log() *slog.Logger {
	if j.Log == nil {
		return slog.Default()
	}
	return j.Log
}
