package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/accounts"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/retention"
)

// retentionParts are what the retention job removes old data from; a nil part is skipped.
type retentionParts struct {
	recordings *qa.Store
	conn       driver.Conn
	accounts   *accounts.Store
	state      *statedb.DB
}

// retentionJob applies the config file's retention: policy to the parts: recordings past their
// deadline, personal data in ClickHouse, the audit log, stopped campaigns' contacts.
func retentionJob(p retention.Policy, parts retentionParts, auditor httpapi.Auditor, clk clock.Clock, log *slog.Logger) *retention.Job {
	j := &retention.Job{Clock: clk, Auditor: auditor, Log: log}
	if parts.recordings != nil {
		st := parts.recordings
		j.Steps = append(j.Steps, retention.Step{Name: "recordings", Run: func(ctx context.Context, now time.Time, dry bool) ([]retention.Removed, error) {
			scope := "service calls after " + retention.Format(p.ServiceRecordings) + ", sales calls after " + retention.Format(p.SalesRecordings) + " (deadline stamped when stored)"
			if dry {
				return []retention.Removed{{What: "recordings", Rows: int64(len(st.Due(now))), Scope: scope}}, nil
			}
			n, err := st.Expire(ctx)
			return []retention.Removed{{What: "recordings", Rows: int64(n), Scope: scope}}, err
		}})
	}
	if parts.conn != nil {
		j.Steps = append(j.Steps, retention.Step{Name: "personal data in ClickHouse", Run: func(ctx context.Context, now time.Time, dry bool) ([]retention.Removed, error) {
			return retention.BlankPersonalData(ctx, parts.conn, now.Add(-p.PersonalData), dry)
		}})
	}
	if parts.accounts != nil {
		j.Steps = append(j.Steps, retention.Step{Name: "audit log", Run: func(ctx context.Context, now time.Time, dry bool) ([]retention.Removed, error) {
			before := now.Add(-p.AuditLog)
			n, err := parts.accounts.TrimAudit(ctx, before, dry)
			return []retention.Removed{{What: "audit_log", Rows: n, Scope: "older than " + before.UTC().Format(time.DateOnly)}}, err
		}})
	}
	if parts.state != nil {
		j.Steps = append(j.Steps, retention.Step{Name: "campaign contacts", Run: func(ctx context.Context, now time.Time, dry bool) ([]retention.Removed, error) {
			before := now.Add(-p.CampaignContacts)
			n, err := dialer.ExpireState(ctx, parts.state, before, dry)
			day := before.UTC().Format(time.DateOnly)
			return []retention.Removed{
				{What: "dialer_contacts", Rows: n.Contacts, Scope: "of campaigns stopped before " + day},
				{What: "dialer_dnc", Rows: n.DNC, Scope: "lifted or lapsed before " + day},
			}, err
		}})
	}
	return j
}

// retentionCommand is `hotline retention run [--dry-run]`: the daily job of `hotline run`, once.
func retentionCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stdout, "usage: hotline retention run [--dry-run] [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("retention: want the subcommand run")
	}
	fs := newFlags("retention run", "Applies the retention policy (the config file's retention: section) once, as `hotline run`\n"+
		"does daily: deletes recordings past their deadline, blanks phone numbers, names and free text\n"+
		"older than retention.personal_data in ClickHouse (counts and KPIs stay), deletes audit entries\n"+
		"older than retention.audit_log and the contacts of campaigns stopped longer than\n"+
		"retention.campaign_contacts ago. Prints what went; with --dry-run, what would go.", stdout)
	f := config.Register(fs)
	dry := fs.Bool("dry-run", false, "only count and print what would be removed; change nothing")
	cfg, err := loadConfig(fs, f, args[1:])
	if err != nil {
		return err
	}
	in, err := startInfra(ctx, cfg, infraNeeds{clickhouse: true})
	if err != nil {
		return err
	}
	defer in.close()
	conn, err := chdb.Open(ctx, in.clickhouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	state, err := statedb.Open(ctx, filepath.Join(cfg.DataDir, "state", "hotline.db"))
	if err != nil {
		return err
	}
	defer state.Close()
	log := slog.Default()
	acc, err := accounts.Open(ctx, state, clock.Real{}, accountsConfig(cfg.Accounts), log)
	if err != nil {
		return err
	}
	recs, err := qa.OpenStore(filepath.Join(cfg.DataDir, "recordings"), outboxSink{state}, qa.WithRetention(qa.RetentionOf(cfg.Retention)),
		qa.WithSource("qa/retention", cfg.Tenant), qa.WithLogger(log))
	if err != nil {
		return err
	}
	job := retentionJob(cfg.Retention, retentionParts{recordings: recs, conn: conn, accounts: acc, state: state}, acc, clock.Real{}, log)
	removed, err := job.RunOnce(ctx, *dry)
	retention.Print(stdout, removed, *dry)
	return err
}

// outboxSink queues events in the state file's outbox: the recording.deleted events of a
// retention run reach Kafka when `hotline run` next relays the outbox.
type outboxSink struct{ db *statedb.DB }

func (o outboxSink) Publish(ctx context.Context, evs ...events.Event) error {
	return o.db.Update(ctx, func(tx *statedb.Tx) error { return tx.Publish(ctx, evs...) })
}
