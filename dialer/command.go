package dialer

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// ValidateCommand checks campaign files: `hotline dialer validate FILE...`.
func ValidateCommand(_ context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("dialer validate", stdout, "hotline dialer validate FILE...",
		"Checks outbound campaign files (YAML) and prints each campaign with its defaults applied:\n"+
			"type, script, priority, pacing (a preview campaign's timeout), list rule, rule set (calling window,\n"+
			"attempts, caps) and outcome codes. A list file is read as the dialer will read it (a path relative\n"+
			"to the working directory): a missing or malformed one makes the campaign invalid.")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("dialer validate: no campaign files given")
	}
	var bad int
	for _, f := range fs.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("reading campaign: %w", err)
		}
		c, err := ParseCampaign(f, data)
		if err == nil {
			// The regulator's floors as written; a configuration that changes them is checked
			// when `hotline run` starts.
			if ferr := DefaultFloors().Check(c); ferr != nil {
				err = fmt.Errorf("%s: %w", f, ferr)
			}
		}
		if err != nil {
			fmt.Fprintln(stdout, "INVALID", err)
			bad++
			continue
		}
		list, err := describeList(c)
		if err != nil {
			fmt.Fprintf(stdout, "INVALID %s: %v\n", f, err)
			bad++
			continue
		}
		r := c.Rules
		fmt.Fprintf(stdout, "ok %s: %s %q, script %s, priority %d, pacing %s%s (abandon ≤ %.1f%%), list %s, window %s–%s, ≤ %d attempts, ≤ %d/day, outcomes %s\n",
			f, c.Type, c.ID, c.Script, c.Priority, pacingAsWritten(c.Pacing, data), previewTimeout(c), c.AbandonTarget*100, list, r.WindowStart, r.WindowEnd, r.MaxAttempts, r.DailyCap, strings.Join(c.Outcomes, ","))
	}
	if bad > 0 {
		return fmt.Errorf("dialer validate: %d of %d campaign files invalid", bad, fs.NArg())
	}
	return nil
}

// describeList says who the campaign calls; a list file is read as the service will read it
// (relative to the working directory), so a missing or malformed one fails validation.
func describeList(c Campaign) (string, error) {
	switch c.List.Source {
	case "file":
		var sc ServiceConfig
		sc.defaults()
		cs, err := readCampaignList(c, sc.CountryCode, time.Time{})
		if err != nil {
			return "", err
		}
		n := NewContactList(c.Retry, nil).Add(cs...)
		return fmt.Sprintf("file %s (%d contacts, %d duplicates dropped)", c.List.File, n, len(cs)-n), nil
	case "clickhouse":
		return "clickhouse query (run when the campaign starts)", nil
	case "segment":
		return fmt.Sprintf("segment %s (read when the campaign starts)", c.List.Segment), nil
	case "book":
		switch {
		case c.List.ExpiringInDays > 0:
			return fmt.Sprintf("book (policies expiring within %d days)", c.List.ExpiringInDays), nil
		case c.List.DueInDays > 0:
			return fmt.Sprintf("book (premiums due within %d days)", c.List.DueInDays), nil
		}
	}
	return c.List.Source, nil
}

// pacingAsWritten is the pacing for validate's line in the words of the file: Normalize writes
// predictive as hotline (its pacer), which the user would not recognise as what they wrote.
func pacingAsWritten(pacing string, data []byte) string {
	var raw struct {
		Pacing string `yaml:"pacing"`
	}
	if pacing == MethodHotline && yaml.Unmarshal(data, &raw) == nil && raw.Pacing == PacingPredictive {
		return PacingPredictive + " (" + MethodHotline + ")"
	}
	return pacing
}

// previewTimeout describes a preview campaign's timeout for validate's line.
func previewTimeout(c Campaign) string {
	switch {
	case c.Pacing != MethodPreview:
		return ""
	case c.Preview.OnTimeout == PreviewWait:
		return " (records wait on the desk until the agent acts)"
	}
	return fmt.Sprintf(" (%s after %s on the desk)", c.Preview.OnTimeout, c.Preview.Timeout)
}

// SimulateCommand runs one seeded outbound shift with one pacing method and prints its figures:
// `hotline dialer simulate -method hotline -agents 20 -contact 0.3 -talk 90s`.
func SimulateCommand(_ context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("dialer simulate", stdout, "hotline dialer simulate [flags]",
		"Runs one seeded outbound shift on the simulator (agents, trunk lines, customers with the\n"+
			"given contact rate, busy / no-answer / machine outcomes) with one pacing method.")
	method := fs.String("method", MethodHotline, "pacing method: "+strings.Join(Methods, ", "))
	agents := fs.Int("agents", 20, "agents logged in")
	contact := fs.Float64("contact", 0.3, "contact rate: P(a person answers) per attempt")
	talk := fs.Duration("talk", 90*time.Second, "mean talk time")
	wrap := fs.Duration("wrap", 20*time.Second, "mean after-call work")
	hours := fs.Float64("hours", 8, "simulated shift, hours")
	seed := fs.Uint64("seed", 1, "random seed")
	target := fs.Float64("target", 0.03, "abandonment target")
	amdFP := fs.Float64("amd-fp", 0.01, "share of persons the machine detector calls a machine")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	r, err := Simulate(SimOptions{
		Workload: Workload{Agents: *agents, ContactRate: *contact, TalkMean: *talk, WrapMean: *wrap, AMDFalsePositive: *amdFP},
		Method:   *method, Seed: *seed, Hours: *hours, Target: *target,
	})
	if err != nil {
		return err
	}
	agentHours := r.LoggedInSec / 3600
	fmt.Fprintf(stdout, "%s, %d agents, contact rate %.0f%%, talk %s, %.1f h (seed %d)\n", *method, *agents, *contact*100, *talk, *hours, *seed)
	fmt.Fprintf(stdout, "  attempts %d, person-answered %d, connected %d, dropped %d (persons misdetected as machines: %d)\n",
		r.Attempts, r.Contacts, r.Connected, r.Dropped, r.PersonsMisdetected)
	fmt.Fprintf(stdout, "  talk %.1f min/agent-hour, occupancy %.1f%%, contacts %.1f/agent-hour, mean wait %.3f s\n",
		r.TalkMinPerAgentH, r.Occupancy*100, float64(r.Connected)/agentHours, r.MeanWaitSec)
	fmt.Fprintf(stdout, "  abandonment %.2f%% (worst 1 h window %.2f%%)\n", r.AbandonRate*100, r.WorstWindow*100)
	return nil
}
