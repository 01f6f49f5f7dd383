package analytics

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// DailyJobs keeps the tables the dashboards read instead of scanning history: FCR of closed
// days (CloseFCR), policies in force per day (CountPoliciesInForce) and the daily segmentation
// snapshot with its quadrant changes (Snapshot), dropping snapshot months older than Keep. It
// is analytics' long-running part in `hotline run`.
type DailyJobs struct {
	Engine *Engine
	Every  time.Duration // how often to run; default 1 h
	Keep   time.Duration // snapshot retention; default 400 days
	Now    func() time.Time
	Log    *slog.Logger
}

// Run runs the jobs at start and then every Every until ctx ends. A failing job is logged and
// retried on the next round.
func (j *DailyJobs) Run(ctx context.Context) error {
	every, now, log := j.Every, j.Now, j.Log
	if every <= 0 {
		every = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := j.RunOnce(ctx, now()); err != nil && ctx.Err() == nil {
			log.Error("analytics daily jobs", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce runs every job as of now and returns their errors joined.
func (j *DailyJobs) RunOnce(ctx context.Context, now time.Time) error {
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	keep := j.Keep
	if keep <= 0 {
		keep = 400 * 24 * time.Hour
	}
	e := j.Engine
	var errs []error
	if days, err := e.CloseFCR(ctx, now); err != nil {
		errs = append(errs, err)
	} else if days > 0 {
		log.Info("FCR days closed", "days", days)
	}
	if err := e.CountPoliciesInForce(ctx, now); err != nil {
		errs = append(errs, err)
	}
	day := now.UTC().AddDate(0, 0, -1)
	if wrote, err := e.Snapshot(ctx, day); err != nil {
		errs = append(errs, err)
	} else if wrote {
		log.Info("segment snapshot taken", "day", day.Format(time.DateOnly))
	}
	old := now.UTC().Add(-keep)
	if err := e.dropSnapshotsBefore(ctx, old.Year()*100+int(old.Month())); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
