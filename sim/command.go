package sim

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/routing"
)

// SimulateCommand is `hotline simulate`: runs simulated days through the real routing code and
// prints the simulator's counts; with --brokers the events go to Kafka.
func SimulateCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("simulate", stdout, "hotline simulate [flags]",
		"Plays simulated days of a hotline (callers, IVR, queues, agents, book of business) through\n"+
			"the real routing code on a simulated clock, and prints what happened.")
	profile := fs.String("profile", "province", "traffic profile: "+strings.Join(Profiles(), " or "))
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same events")
	days := fs.Int("days", 1, "simulated days")
	startS := fs.String("start", "", "first simulated day, YYYY-MM-DD in the centre's zone (default: yesterday)")
	customers := fs.Int("customers", 0, "book size (default: the profile's)")
	brokers := fs.String("brokers", "", "Kafka brokers (comma-separated) to publish the events to; none: count only")
	prefix := fs.String("topic-prefix", "", "Kafka topic prefix")
	routingFile := fs.String("routing", "", "routing config YAML (default: the shipped queues)")
	menuFile := fs.String("menu", "", "IVR menu YAML (default: the shipped insurance menu)")
	queueLog := fs.String("queue-log", "", "also write the run as an Asterisk queue_log to this file")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	p, err := ProfileByName(*profile)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if *days < 1 {
		return fmt.Errorf("simulate: --days %d: at least 1", *days)
	}
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	start := time.Now().In(loc).AddDate(0, 0, -*days)
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	if *startS != "" {
		if start, err = time.ParseInLocation("2006-01-02", *startS, loc); err != nil {
			return fmt.Errorf("simulate: --start: %w", err)
		}
	}
	opt := Options{Profile: p, Seed: *seed, Start: start, Customers: *customers}
	if *routingFile != "" {
		c, err := routing.LoadConfig(*routingFile)
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		opt.Routing = &c
	}
	if *menuFile != "" {
		if opt.Menu, err = routing.LoadMenu(*menuFile); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	if *brokers != "" {
		pub := events.NewPublisher(events.PublisherConfig{Brokers: strings.Split(*brokers, ","), TopicPrefix: *prefix, BatchSize: 5000})
		defer pub.Close()
		opt.Sink = pub
	}
	var ql *queueLogSink
	if *queueLog != "" {
		ql = &queueLogSink{next: opt.Sink, log: routing.NewQueueLog()}
		opt.Sink = ql
	}
	t0 := time.Now()
	s, err := New(opt)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := s.RunUntil(ctx, start.AddDate(0, 0, *days)); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := s.Drain(ctx); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	wall := time.Since(t0)
	fmt.Fprintf(stdout, "profile %s, seed %d, %d day(s) from %s: %s wall time\n\n", p.Name, *seed, *days, start.Format("2006-01-02"), wall.Round(time.Millisecond))
	s.Counts().Print(stdout)
	if ql != nil {
		f, err := os.Create(*queueLog)
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		defer f.Close()
		if _, err := ql.log.WriteTo(f); err != nil {
			return fmt.Errorf("simulate: writing queue_log: %w", err)
		}
		fmt.Fprintf(stdout, "queue_log written to %s\n", *queueLog)
	}
	return nil
}

// queueLogSink feeds a QueueLog on the way to the next sink (if any).
type queueLogSink struct {
	next events.Sink
	log  *routing.QueueLog
	seq  uint64
}

func (q *queueLogSink) Publish(ctx context.Context, evs ...events.Event) error {
	for _, ev := range evs {
		q.seq++
		q.log.Add(ev.OccurredAt.UnixMilli(), q.seq, ev.Payload)
	}
	if q.next == nil {
		return nil
	}
	return q.next.Publish(ctx, evs...)
}
