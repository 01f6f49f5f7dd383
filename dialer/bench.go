package dialer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// benchRow is one method on one workload, summed over seeds.
type benchRow struct {
	method                      string
	talkSec, wrapSec, loggedSec float64
	answers, connected, dropped int
	waitSec                     float64
	worst                       float64 // worst rolling window over every seed
	worstRun                    float64 // worst whole-run abandonment of a single seed
	misdetected                 int
}

func (r *benchRow) add(s SimRun) {
	r.talkSec += s.TalkSec
	r.wrapSec += s.WrapSec
	r.loggedSec += s.LoggedInSec
	r.answers += s.Contacts
	r.connected += s.Connected
	r.dropped += s.Dropped
	r.waitSec += s.MeanWaitSec * float64(s.Connected)
	r.worst = max(r.worst, s.WorstWindow)
	r.worstRun = max(r.worstRun, s.AbandonRate)
	r.misdetected += s.PersonsMisdetected
}

func sumRuns(rs []SimRun) benchRow {
	var r benchRow
	for _, s := range rs {
		r.add(s)
	}
	return r
}

func (r benchRow) talkPerAgentHour() float64 { return r.talkSec / 60 / (r.loggedSec / 3600) }
func (r benchRow) occupancy() float64        { return (r.talkSec + r.wrapSec) / r.loggedSec }
func (r benchRow) abandon() float64 {
	if r.answers == 0 {
		return 0
	}
	return float64(r.dropped) / float64(r.answers)
}
func (r benchRow) contactsPerAgentHour() float64 { return float64(r.connected) / (r.loggedSec / 3600) }
func (r benchRow) meanWait() float64 {
	if r.connected == 0 {
		return 0
	}
	return r.waitSec / float64(r.connected)
}

// Bench runs every pacing method on the same seeded workloads, tunes VICIdial over its grid in
// hindsight, and prints the tables: `hotline bench dialer`.
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench dialer", stdout, "hotline bench dialer [flags]",
		"Runs the seeded outbound simulator (agents, trunk lines, customers answering with the\n"+
			"workload's contact rate, busy / no-answer / machine outcomes, talk and wrap-up times)\n"+
			"once per pacing method on the same seeds, list and agents, and prints talk minutes per\n"+
			"agent-hour, occupancy, abandonment (run and worst rolling window), contacts per\n"+
			"agent-hour and mean customer wait for an agent. Drops happen after 2 s for every method\n"+
			"(VICIdial's own drop_call_seconds default is 5 s). Then VICIdial is tuned in hindsight\n"+
			"per workload over its published grid (docs/dialer-pacing.md): the best setup that keeps\n"+
			"abandonment within the target in every seed (B*) is compared with hotline (H), the\n"+
			"ceiling 60 × talk / (talk + wrap-up) (C) and an oracle told every agent's exact time to\n"+
			"free (O); G = (H − B*) / (C − B*) is the share of the gap to the ceiling hotline closes.")
	agents := fs.String("agents", "5,20,100", "team sizes, comma-separated")
	contact := fs.String("contact", "0.15,0.30,0.50", "contact rates (P a person answers), comma-separated")
	talk := fs.String("talk", "90s,300s", "mean talk times, comma-separated")
	seeds := fs.Int("seeds", 3, "seeds per workload; every method runs on the same ones")
	hours := fs.Float64("hours", 8, "simulated shift length per seed, hours")
	target := fs.Float64("target", 0.03, "abandonment target (fraction of person-answered calls)")
	window := fs.Duration("window", time.Hour, "rolling window for the worst-window abandonment")
	amdFP := fs.Float64("amd-fp", 0.01, "share of persons the machine detector calls a machine (hung up on, reported apart)")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "simulations run at once")
	methods := fs.String("methods", strings.Join(append(slices.Clone(Methods), MethodOracle), ","), "pacing methods, comma-separated (oracle: the simulator's reference)")
	grid := fs.Bool("grid", true, "tune VICIdial over its grid and print B*, H, C, O and G")
	fullGrid := fs.Bool("full-grid", false, "run every grid setting instead of stopping a family at its first setting over the target")
	margin := fs.Float64("margin", 0, "hotline and oracle pacers' Margin (0: the default)")
	spread := fs.Float64("spread", 0, "hotline and oracle pacers' Spread (0: the default)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	var workloads []Workload
	as, err := parseInts(*agents)
	if err != nil {
		return fmt.Errorf("parsing -agents: %w", err)
	}
	cs, err := parseFloats(*contact)
	if err != nil {
		return fmt.Errorf("parsing -contact: %w", err)
	}
	ts, err := parseDurations(*talk)
	if err != nil {
		return fmt.Errorf("parsing -talk: %w", err)
	}
	for _, a := range as {
		for _, c := range cs {
			for _, t := range ts {
				w := Workload{Agents: a, ContactRate: c, TalkMean: t, AMDFalsePositive: *amdFP}
				if err := w.Validate(); err != nil {
					return err
				}
				workloads = append(workloads, w)
			}
		}
	}
	ms := strings.Split(*methods, ",")
	for _, m := range ms {
		if m == MethodOracle {
			continue
		}
		if _, err := NewPacer(m, *target, time.Time{}, time.Time{}); err != nil {
			return err
		}
	}
	if *grid && (!slices.Contains(ms, MethodHotline) || !slices.Contains(ms, MethodOracle)) {
		return fmt.Errorf("-grid compares with hotline and the oracle: keep both in -methods (or -grid=false)")
	}
	if *seeds < 1 || *hours <= 0 || *parallel < 1 {
		return fmt.Errorf("seeds, hours and parallel must be positive")
	}
	if _, err := pacing.NewHotline(pacing.HotlineConfig{Target: *target, Margin: *margin, Spread: *spread}); err != nil {
		return fmt.Errorf("-target, -margin or -spread: %w", err)
	}

	rows := make([][]benchRow, len(workloads))
	for i := range rows {
		rows[i] = make([]benchRow, len(ms))
		for j, m := range ms {
			rows[i][j].method = m
		}
	}
	var tuned [][]gridResult[SimRun]
	if *grid {
		tuned = make([][]gridResult[SimRun], len(workloads))
	}
	families := vicidialGrid()
	// Each job is one method on one seed, or one grid family walked upward on every seed; the
	// largest teams go first so the long jobs do not trail at the end.
	var jobs []func() error
	order := make([]int, len(workloads))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return workloads[b].Agents - workloads[a].Agents })
	var mu sync.Mutex
	for _, w := range order {
		for s := range *seeds {
			for m := range ms {
				jobs = append(jobs, func() error {
					run, err := Simulate(SimOptions{
						Workload: workloads[w], Method: ms[m], Seed: uint64(s) + 1,
						Hours: *hours, Target: *target, Window: *window,
						Hotline: pacing.HotlineConfig{Margin: *margin, Spread: *spread},
					})
					mu.Lock()
					rows[w][m].add(run)
					mu.Unlock()
					return err
				})
			}
		}
		if tuned == nil {
			continue
		}
		tuned[w] = make([]gridResult[SimRun], len(families))
		trial := gridTrial[SimRun]{
			target: *target, seeds: *seeds, full: *fullGrid,
			run: func(newPacer func(start, end time.Time) (pacing.Pacer, error), name string, seed uint64) (SimRun, error) {
				return Simulate(SimOptions{Workload: workloads[w], Method: name, Pacer: newPacer, Seed: seed, Hours: *hours, Target: *target, Window: *window})
			},
			abandon: func(r SimRun) float64 { return r.AbandonRate },
			same:    func(a, b SimRun) bool { return a.Figures == b.Figures },
		}
		for f := range families {
			jobs = append(jobs, func() error {
				r, err := walkFamily(ctx, families[f], trial)
				tuned[w][f] = r
				return err
			})
		}
	}
	began := time.Now()
	if err := runJobs(ctx, *parallel, jobs); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "hotline bench dialer: %d workloads × %d methods × %d seeds × %.0f h simulated, VICIdial grid %s, in %s; drop after 2 s; target %.1f%%; worst window %s; AMD false positives %.1f%% of persons (not in abandon %%)\n\n",
		len(workloads), len(ms), *seeds, *hours, gridNote(*grid, *fullGrid, tuned), time.Since(began).Round(time.Second), *target*100, *window, *amdFP*100)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tcontact\ttalk\tmethod\ttalk min/agent-h\toccupancy\tabandon %\tworst seed %\tworst window %\tcontacts/agent-h\tmean wait s\t")
	for i, w := range workloads {
		for _, r := range rows[i] {
			fmt.Fprintf(tw, "%d\t%.0f%%\t%s\t%s\t%.1f\t%.1f%%\t%.2f\t%.2f\t%.2f\t%.1f\t%.3f\t\n",
				w.Agents, w.ContactRate*100, w.TalkMean, r.method, r.talkPerAgentHour(), r.occupancy()*100,
				r.abandon()*100, r.worstRun*100, r.worst*100, r.contactsPerAgentHour(), r.meanWait())
		}
		fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if tuned == nil {
		return nil
	}
	return printTuned(stdout, workloads, rows, tuned, *target)
}

// runJobs runs jobs on n goroutines and returns the first error, or the context's.
func runJobs(ctx context.Context, n int, jobs []func() error) error {
	ch := make(chan func() error)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if err := j(); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr
}

// printTuned prints, per workload, the restated target: B* (the best VICIdial grid setup within
// the target in every seed), hotline H, the ceiling C, the oracle O, and the gap closures
// G = (H − B*) / (C − B*) and the oracle's (O − B*) / (C − B*). The target: H ahead of B*
// wherever B* exists, H within the target in every seed, and G ≥ 1/3 wherever the oracle's
// closure reaches 1/3.
func printTuned(stdout io.Writer, workloads []Workload, rows [][]benchRow, tuned [][]gridResult[SimRun], target float64) error {
	fmt.Fprintf(stdout, "\nVICIdial tuned in hindsight (B*: the grid setup with the most talk whose abandonment is ≤ %.1f%% in every seed) against hotline (H), the ceiling C = 60 × talk / (talk + wrap-up) and the oracle (O); G = (H − B*) / (C − B*), G(O) = (O − B*) / (C − B*)\n", target*100)
	fmt.Fprintf(stdout, "target: H ≤ %.1f%% in every seed and ahead of B* wherever B* exists; G ≥ 1/3 wherever G(O) ≥ 1/3\n", target*100)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tcontact\ttalk\tB* setup\tcompliant/run\tB* talk\tB* worst seed %\tH talk\tH worst seed %\tH vs B*\tC\tO talk\tO worst seed %\tG\tG(O)\tH ahead\tG ≥ 1/3\t")
	for i, w := range workloads {
		var hot, orc *benchRow
		for j := range rows[i] {
			switch r := &rows[i][j]; r.method {
			case MethodHotline:
				hot = r
			case MethodOracle:
				orc = r
			}
		}
		best, compliant, run := bestSetup(tuned[i], func(rs []SimRun) float64 { return sumRuns(rs).talkPerAgentHour() })
		c := w.Ceiling()
		h, o := hot.talkPerAgentHour(), orc.talkPerAgentHour()
		hotOK := hot.worstRun <= target
		bName, bTalk, bWorst, gain, g, gO, ahead, gOK := "none", "-", "-", "-", "-", "-", yesNo(hotOK), "-"
		if best != nil {
			row := sumRuns(best.runs)
			b := row.talkPerAgentHour()
			bName, bTalk, bWorst = best.name, fmt.Sprintf("%.1f", b), fmt.Sprintf("%.2f", row.worstRun*100)
			gain = fmt.Sprintf("%+.1f%%", (h/b-1)*100)
			ahead = yesNo(hotOK && h > b)
			gv, gOv := (h-b)/(c-b), (o-b)/(c-b)
			g, gO = fmt.Sprintf("%.2f", gv), fmt.Sprintf("%.2f", gOv)
			if gOv >= 1.0/3 {
				gOK = yesNo(gv >= 1.0/3)
			}
		}
		fmt.Fprintf(tw, "%d\t%.0f%%\t%s\t%s\t%d/%d\t%s\t%s\t%.1f\t%.2f\t%s\t%.1f\t%.1f\t%.2f\t%s\t%s\t%s\t%s\t\n",
			w.Agents, w.ContactRate*100, w.TalkMean, bName, compliant, run, bTalk, bWorst, h, hot.worstRun*100, gain, c, o, orc.worstRun*100, g, gO, ahead, gOK)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
