package dialer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// BlendWorkloads are the blended days `hotline bench blend` runs: the province and national
// profiles' inbound curves on a team that calls renewals and post-claim callbacks when inbound
// leaves it idle, 09:00–21:00 (the sales calling window).
func BlendWorkloads() []BlendWorkload {
	out := Workload{ContactRate: 0.30, TalkMean: 150 * time.Second, WrapMean: 30 * time.Second, AMDFalsePositive: 0.01}
	return []BlendWorkload{
		{Name: "province", Profile: "province", Agents: 20, InboundPerDay: 450, From: 9, To: 21, KeepIdle: 2, Outbound: out, ListPerAgent: 60},
		{Name: "province busy", Profile: "province", Agents: 20, InboundPerDay: 900, From: 9, To: 21, KeepIdle: 2, Outbound: out, ListPerAgent: 60},
		{Name: "national", Profile: "national", Agents: 100, InboundPerDay: 8000, From: 9, To: 21, KeepIdle: 2, Outbound: out, ListPerAgent: 60},
	}
}

// blendFamilies are the VICIdial grid families a blended campaign is tuned over: with
// available_only_ratio_tally, the level multiplies the agents ready for outbound only, as a
// blended campaign whose agents also take inbound must count them.
func blendFamilies() []gridFamily {
	var fs []gridFamily
	for _, f := range vicidialGrid() {
		if f.availableOnly {
			fs = append(fs, f)
		}
	}
	return fs
}

// blendRow sums one blend's seeded days.
type blendRow struct {
	name                                              string
	offered, inSL, answered, abandoned, abandonedLate [24]int
	worstHourSeed                                     float64 // worst hour of a single seed
	talkSec, teamHours, inboundBusySec                float64
	contacts, dropped                                 int
	worstSeedAbandon                                  float64
}

func sumBlend(name string, rs []BlendRun) blendRow {
	r := blendRow{name: name, worstHourSeed: 1}
	for _, s := range rs {
		for h := range 24 {
			r.offered[h] += s.Offered[h]
			r.inSL[h] += s.AnsweredInSL[h]
			r.answered[h] += s.Answered[h]
			r.abandoned[h] += s.Abandoned[h]
			r.abandonedLate[h] += s.AbandonedLate[h]
			if sl, ok := s.ServiceLevel(h, h+1); ok {
				r.worstHourSeed = min(r.worstHourSeed, sl)
			}
		}
		r.talkSec += s.Outbound.TalkSec
		r.inboundBusySec += s.InboundBusySec
		r.teamHours += s.TeamHours
		r.contacts += s.Outbound.Contacts
		r.dropped += s.Outbound.Dropped
		r.worstSeedAbandon = max(r.worstSeedAbandon, s.Outbound.AbandonRate)
	}
	return r
}

func (r blendRow) serviceLevel(from, to int) (float64, bool) {
	var good, base int
	for h := from; h < to; h++ {
		good += r.inSL[h]
		base += r.answered[h] + r.abandonedLate[h]
	}
	if base == 0 {
		return 1, false
	}
	return float64(good) / float64(base), true
}

// worstHour is the hour with the lowest service level over the seeds together.
func (r blendRow) worstHour() (hour int, sl float64) {
	hour, sl = -1, 1
	for h := range 24 {
		if s, ok := r.serviceLevel(h, h+1); ok && (hour < 0 || s < sl) {
			hour, sl = h, s
		}
	}
	return hour, sl
}

func (r blendRow) inboundAbandon() float64 {
	var off, ab int
	for h := range 24 {
		off += r.offered[h]
		ab += r.abandoned[h]
	}
	if off == 0 {
		return 0
	}
	return float64(ab) / float64(off)
}

func (r blendRow) outTalk() float64 { return r.talkSec / 60 / r.teamHours }

// outCeiling is the most outbound talk an agent-hour of the team can hold once inbound has had
// its time: every second left talking or wrapping up outbound calls.
func (r blendRow) outCeiling(w BlendWorkload) float64 {
	o := w.Outbound
	o.Agents = w.Agents
	return o.Ceiling() * (1 - r.inboundBusySec/3600/r.teamHours)
}
func (r blendRow) outAbandon() float64 {
	if r.contacts == 0 {
		return 0
	}
	return float64(r.dropped) / float64(r.contacts)
}

// BenchBlend runs the blended days under hotline's blend and VICIdial's, on the same seeds, and
// prints inbound service and outbound talk: `hotline bench blend`.
func BenchBlend(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench blend", stdout, "hotline bench blend [flags]",
		"Runs seeded blended days (inbound arriving by the hour as the province and national\n"+
			"profiles' curves have it; an outbound list whose contact rate changes by the hour and\n"+
			"decays as the list is worked) under hotline's blend (inbound first, idle agents beyond\n"+
			"a reserve lent to the campaign, predictive pacing on them) and VICIdial's (inbound\n"+
			"first, outbound at its dial level on the agents left, tuned in hindsight over its\n"+
			"available-only grid), and prints inbound service level (20 s) in the worst hour and\n"+
			"over the day, inbound abandonment, outbound talk minutes per agent-hour of the team\n"+
			"and outbound abandonment.")
	seeds := fs.Int("seeds", 3, "seeds per workload; both blends run on the same ones")
	target := fs.Float64("target", 0.03, "outbound abandonment target")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "simulations run at once")
	only := fs.String("workloads", "", "run only these workloads (comma-separated names; default all)")
	until := fs.Int("until", 21, "end the days at this hour (calling starts at 09:00)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if *seeds < 1 || *parallel < 1 || *target <= 0 || *target >= 1 {
		return fmt.Errorf("seeds and parallel must be positive, target a fraction in (0, 1)")
	}
	var workloads []BlendWorkload
	for _, w := range BlendWorkloads() {
		if *only == "" || containsName(*only, w.Name) {
			w.To = *until
			if err := w.Validate(); err != nil {
				return err
			}
			workloads = append(workloads, w)
		}
	}
	if len(workloads) == 0 {
		return fmt.Errorf("-workloads %q names none of the blend workloads", *only)
	}

	hot := make([][]BlendRun, len(workloads))
	families := blendFamilies()
	tuned := make([][]gridResult[BlendRun], len(workloads))
	var jobs []func() error
	var mu sync.Mutex
	for i := len(workloads) - 1; i >= 0; i-- { // the largest team last in the list runs first
		w := workloads[i]
		hot[i] = make([]BlendRun, *seeds)
		for s := range *seeds {
			jobs = append(jobs, func() error {
				r, err := SimulateBlend(w, uint64(s)+1, w.KeepIdle, func(time.Time, time.Time) (pacing.Pacer, error) {
					return pacing.NewHotline(pacing.HotlineConfig{Target: *target})
				})
				mu.Lock()
				hot[i][s] = r
				mu.Unlock()
				return err
			})
		}
		tuned[i] = make([]gridResult[BlendRun], len(families))
		trial := gridTrial[BlendRun]{
			target: *target, seeds: *seeds,
			run: func(newPacer func(start, end time.Time) (pacing.Pacer, error), _ string, seed uint64) (BlendRun, error) {
				return SimulateBlend(w, seed, 0, newPacer)
			},
			abandon: func(r BlendRun) float64 { return r.Outbound.AbandonRate },
			same:    func(a, b BlendRun) bool { return a == b },
		}
		for f := range families {
			jobs = append(jobs, func() error {
				r, err := walkFamily(ctx, families[f], trial)
				tuned[i][f] = r
				return err
			})
		}
	}
	began := time.Now()
	if err := runJobs(ctx, *parallel, jobs); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "hotline bench blend: %d blended days × %d seeds, 09:00–%02d:00, in %s; inbound service level = answered ≤ 20 s / (answered + abandoned after 20 s), abandons under 5 s not offered; outbound talk per agent-hour of the whole team; outbound drop after 2 s, target %.1f%% in every seed\n",
		len(workloads), *seeds, *until, time.Since(began).Round(time.Second), *target*100)
	fmt.Fprintln(stdout, "hotline: inbound first, idle agents beyond a reserve of 2 lent to the campaign (a person who answers may borrow a reserved one), hotline pacing on the lent agents; VICIdial: inbound first, outbound on the agents left at its dial level, B* = its available-only grid setup with the most outbound talk within the target in every seed")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tagents\tinbound/day\tblend\toutbound setup\tSL worst hour\tSL worst hour-seed\tSL day\tinbound abandon %\toutbound talk min/agent-h\toutbound abandon %\tworst seed %\t")
	type verdict struct {
		name                     string
		hourly, out, gain, equal bool
		g, ceiling, needs        float64
		hasV                     bool
	}
	var verdicts []verdict
	for i, w := range workloads {
		h := sumBlend("hotline", hot[i])
		best, compliant, run := bestSetup(tuned[i], func(rs []BlendRun) float64 { return sumBlend("", rs).outTalk() })
		rows := []blendRow{h}
		setups := []string{"hotline"}
		if best != nil {
			rows = append(rows, sumBlend("VICIdial", best.runs))
			setups = append(setups, fmt.Sprintf("%s (%d/%d within)", best.name, compliant, run))
		}
		for j, r := range rows {
			hr, sl := r.worstHour()
			day, _ := r.serviceLevel(0, 24)
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%.1f%% (%02d:00)\t%.1f%%\t%.1f%%\t%.2f\t%.1f\t%.2f\t%.2f\t\n",
				w.Name, w.Agents, w.InboundPerDay, r.name, setups[j], sl*100, hr, r.worstHourSeed*100, day*100,
				r.inboundAbandon()*100, r.outTalk(), r.outAbandon()*100, r.worstSeedAbandon*100)
		}
		_, hSL := h.worstHour()
		v := verdict{name: w.Name, hourly: hSL >= 0.8, out: h.worstSeedAbandon <= *target, ceiling: h.outCeiling(w)}
		if len(rows) > 1 {
			vb := rows[1]
			_, vSL := vb.worstHour()
			hDay, _ := h.serviceLevel(0, 24)
			vDay, _ := vb.serviceLevel(0, 24)
			v.hasV = true
			v.g = h.outTalk()/vb.outTalk() - 1
			v.gain = v.g >= 0.20
			v.needs = 1.2 * vb.outTalk()
			v.equal = hSL >= vSL && hDay >= vDay
		}
		verdicts = append(verdicts, v)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\ngoal: hotline's inbound 80/20 in every hour, outbound abandonment ≤ target in every seed, outbound talk ≥ +20% over VICIdial's blend at equal or better inbound service (worst hour and day); outbound ceiling = 60 × talk / (talk + wrap-up) × the share of team time inbound leaves (hotline's days)")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\t80/20 every hour\toutbound ≤ target\toutbound talk vs VICIdial\t≥ +20%\tinbound equal or better\t+20% needs\toutbound ceiling\t+20% feasible\t")
	for _, v := range verdicts {
		gain, ok, eq, needs, feasible := "-", "-", "-", "-", "-"
		if v.hasV {
			gain, ok, eq = fmt.Sprintf("%+.1f%%", v.g*100), yesNo(v.gain), yesNo(v.equal)
			needs, feasible = fmt.Sprintf("%.1f", v.needs), yesNo(v.needs <= v.ceiling)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t\n", v.name, yesNo(v.hourly), yesNo(v.out), gain, ok, eq, needs, v.ceiling, feasible)
	}
	return tw.Flush()
}

func containsName(list, name string) bool {
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}
