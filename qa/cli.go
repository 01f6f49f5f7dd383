package qa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

// Command is `hotline qa <subcommand>`: import, analyze, expire, synth.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer) error{
		"import": ImportCommand, "analyze": AnalyzeCommand, "expire": ExpireCommand, "synth": SynthCommand,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, `usage: hotline qa <command> [flags]

Quality assurance: the call recording store, audio analysis and scoring.

commands:
  import   store existing WAV recordings listed in a CSV manifest
  analyze  measure talk, silence, overtalk, hold, level and clipping of WAV files
  expire   delete recordings whose retention has ended
  synth    write a synthetic call recording (for demos and load tests)

Run "hotline qa <command> --help" for its flags.`)
		return nil
	}
	f, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("qa: unknown command %q (import, analyze, expire, synth)", args[0])
	}
	return f(ctx, args[1:], stdout)
}

// cliEnv is what the store-using subcommands share: config, store root and an event sink.
type cliEnv struct {
	cfg       config.Config
	root      *string
	eventsOut *string
}

func newCLIEnv(fs *flag.FlagSet) (*cliEnv, *config.Flags) {
	e := &cliEnv{}
	e.root = fs.String("root", "", "recording store directory (default <data-dir>/recordings)")
	e.eventsOut = fs.String("events-out", "", `write events as JSON lines to this file ("-" for stdout) instead of Kafka`)
	return e, config.Register(fs)
}

func (e *cliEnv) load(f *config.Flags) error {
	cfg, err := config.Load(f, nil)
	if err != nil {
		return err
	}
	e.cfg = cfg
	if *e.root == "" {
		*e.root = filepath.Join(cfg.DataDir, "recordings")
	}
	return nil
}

// sink returns where events go; close flushes it.
func (e *cliEnv) sink(stdout io.Writer) (events.Sink, func() error, error) {
	switch {
	case *e.eventsOut == "-":
		return &jsonLines{w: stdout}, func() error { return nil }, nil
	case *e.eventsOut != "":
		f, err := os.Create(*e.eventsOut)
		if err != nil {
			return nil, nil, fmt.Errorf("opening events file: %w", err)
		}
		return &jsonLines{w: f}, f.Close, nil
	case len(e.cfg.Kafka.Brokers) > 0:
		p := events.NewPublisher(events.PublisherConfig{Brokers: e.cfg.Kafka.Brokers, TopicPrefix: e.cfg.Kafka.TopicPrefix})
		return p, p.Close, nil
	}
	return nil, nil, errors.New("no Kafka brokers configured (--kafka-brokers or HOTLINE_KAFKA_BROKERS) and no --events-out: the recording events would be lost")
}

// jsonLines is a Sink writing one encoded event per line.
type jsonLines struct {
	mu sync.Mutex
	w  io.Writer
}

func (j *jsonLines) Publish(_ context.Context, evs ...events.Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range evs {
		b, err := events.Encode(e, time.Now())
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(j.w, "%s\n", b); err != nil {
			return fmt.Errorf("writing event: %w", err)
		}
	}
	return nil
}

// ImportCommand is `hotline qa import`: stores WAV files listed in a manifest.
func ImportCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("qa import", stdout, "hotline qa import --manifest FILE [flags]",
		"Stores existing call recordings in the recording store. The manifest is CSV with the header\n"+
			strings.Join(ManifestColumns, ",")+" (file and call_id required; file relative to the manifest).\n"+
			"Each file must be 16-bit PCM WAV, 8 or 16 kHz, mono or stereo (agent left, customer right).\n"+
			"Bad files are reported with the reason and skipped; the command fails if any was bad.")
	manifest := fs.String("manifest", "", "CSV manifest of the recordings to import (required)")
	dry := fs.Bool("dry-run", false, "check the files only; store and publish nothing")
	analyze := fs.Bool("analyze", true, "analyse each stored recording and publish the analysis")
	env, cf := newCLIEnv(fs)
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if *manifest == "" {
		return errors.New("qa import: --manifest is required")
	}
	if err := env.load(cf); err != nil {
		return err
	}
	mf, err := os.Open(*manifest)
	if err != nil {
		return fmt.Errorf("qa import: %w", err)
	}
	entries, err := ReadManifest(mf, filepath.Dir(*manifest))
	mf.Close()
	if err != nil {
		return fmt.Errorf("qa import: %s: %w", *manifest, err)
	}
	var sink events.Sink = &jsonLines{w: io.Discard}
	closeSink := func() error { return nil }
	if !*dry {
		if sink, closeSink, err = env.sink(stdout); err != nil {
			return fmt.Errorf("qa import: %w", err)
		}
	}
	opts := []StoreOption{WithSource("qa/import", env.cfg.Tenant)}
	if *analyze {
		opts = append(opts, WithAutoAnalysis(DefaultAnalyzerConfig()))
	}
	st, err := OpenStore(*env.root, sink, opts...)
	if err != nil {
		return fmt.Errorf("qa import: %w", err)
	}
	rep := Import(ctx, st, entries, *dry)
	if err := closeSink(); err != nil {
		return fmt.Errorf("qa import: flushing events: %w", err)
	}
	out := stdout
	if *env.eventsOut == "-" {
		out = os.Stderr // keep stdout clean JSON lines
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "call\tseconds\tchannels\tHz\trecording")
	for _, r := range rep.Stored {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%d\t%s\n", r.CallID, r.DurationSec, r.Channels, r.SampleRate, r.RecordingID)
	}
	tw.Flush()
	for _, f := range rep.Failed {
		fmt.Fprintln(out, "error:", f.Error())
	}
	verb := "stored"
	if *dry {
		verb = "checked"
	}
	fmt.Fprintf(out, "%d %s, %d failed\n", len(rep.Stored), verb, len(rep.Failed))
	if len(rep.Failed) > 0 {
		return fmt.Errorf("qa import: %d of %d recordings failed (first: %w)", len(rep.Failed), len(entries), rep.Failed[0])
	}
	return nil
}

// AnalyzeCommand is `hotline qa analyze FILE…`: prints the audio analysis of each file.
func AnalyzeCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("qa analyze", stdout, "hotline qa analyze [flags] FILE...",
		"Measures per channel voice activity of WAV recordings (agent left, customer right): talk time,\n"+
			"silence, longest silence, silences over 4 s, overtalk, agent talk share, hold, level and clipping.")
	asJSON := fs.Bool("json", false, "print recording.analysis payloads as JSON lines")
	publish := fs.Bool("publish", false, "also publish recording.analysis events (to Kafka, or --events-out); call id = file name without extension")
	env, cf := newCLIEnv(fs)
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("qa analyze: no files given")
	}
	var sink events.Sink
	closeSink := func() error { return nil }
	if *publish {
		if err := env.load(cf); err != nil {
			return err
		}
		var err error
		if sink, closeSink, err = env.sink(io.Discard); err != nil {
			return fmt.Errorf("qa analyze: %w", err)
		}
		if *env.eventsOut == "-" {
			return errors.New("qa analyze: --events-out - would mix events with the report; name a file")
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !*asJSON {
		fmt.Fprintln(tw, "file\tsec\tagent s\tcust s\tsilence\tlongest s\t>4s\tovertalk\tcount\tagent share\thold s\tholds\tagent dBFS\tcust dBFS\tclip\t")
	}
	var failed []string
	for _, p := range fs.Args() {
		a, id, err := analyzeFile(ctx, p)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		callID := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if sink != nil {
			if err := sink.Publish(ctx, events.New(a.Event(id, callID, ""), time.Now(), "qa/analyze", env.cfg.Tenant)); err != nil {
				failed = append(failed, fmt.Sprintf("%s: publishing: %v", p, err))
			}
		}
		if *asJSON {
			b, _ := json.Marshal(a.Event(id, callID, ""))
			fmt.Fprintf(stdout, "%s\n", b)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%.1f%%\t%.1f\t%d\t%.1f%%\t%d\t%.1f%%\t%.1f\t%d\t%.1f\t%.1f\t%.4f%%\t\n",
			filepath.Base(p), a.DurationSec, a.AgentTalkSec, a.CustomerTalkSec, 100*a.SilenceRatio, a.LongestSilenceSec,
			a.SilencesOverLong, 100*a.OvertalkRatio, a.OvertalkCount, 100*a.AgentTalkShare, a.HoldSec, a.HoldSegments,
			a.AgentLevelDBFS, a.CustomerLevelDBFS, 100*a.ClippingRatio)
	}
	tw.Flush()
	if err := closeSink(); err != nil {
		failed = append(failed, "flushing events: "+err.Error())
	}
	if len(failed) > 0 {
		return fmt.Errorf("qa analyze: %s", strings.Join(failed, "; "))
	}
	return nil
}

func analyzeFile(ctx context.Context, p string) (Analysis, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return Analysis{}, "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Analysis{}, "", err
	}
	a, err := Analyze(ctx, f, DefaultAnalyzerConfig())
	return a, hex.EncodeToString(h.Sum(nil)), err
}

// ExpireCommand is `hotline qa expire`: applies the retention policy once.
func ExpireCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("qa expire", stdout, "hotline qa expire [flags]",
		"Deletes recordings whose retention has ended (service calls 2 years, sales calls 5) and\n"+
			"publishes a recording.deleted event for each.")
	env, cf := newCLIEnv(fs)
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if err := env.load(cf); err != nil {
		return err
	}
	sink, closeSink, err := env.sink(stdout)
	if err != nil {
		return fmt.Errorf("qa expire: %w", err)
	}
	st, err := OpenStore(*env.root, sink, WithSource("qa/retention", env.cfg.Tenant))
	if err != nil {
		return fmt.Errorf("qa expire: %w", err)
	}
	n, err := st.Expire(ctx)
	if cerr := closeSink(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("qa expire: %w", err)
	}
	if *env.eventsOut != "-" {
		fmt.Fprintf(stdout, "%d recordings deleted, %d kept\n", n, len(st.List()))
	}
	return nil
}

// SynthCommand is `hotline qa synth`: writes a synthetic call recording.
func SynthCommand(_ context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("qa synth", stdout, "hotline qa synth --out FILE [flags]",
		"Writes a stereo WAV of a simulated call (speech-like audio, pauses, overtalk, hold music).")
	out := fs.String("out", "", "WAV file to write (required)")
	talk := fs.Duration("talk", 5*time.Minute, "talk time (hold excluded)")
	hold := fs.Duration("hold", 30*time.Second, "hold time")
	holds := fs.Int("holds", 1, "number of hold periods")
	rate := fs.Int("rate", 8000, "sample rate, 8000 or 16000")
	seed := fs.Int64("seed", 1, "random seed: same seed, same file")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		return errors.New("qa synth: --out is required")
	}
	tl := PlanTimeline(*talk, *hold, *holds, newRand(*seed))
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("qa synth: %w", err)
	}
	if err := SynthesizeRecording(f, tl, *rate, *seed); err != nil {
		f.Close()
		return fmt.Errorf("qa synth: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("qa synth: %w", err)
	}
	t := tl.Totals()
	fmt.Fprintf(stdout, "wrote %s: %s, agent %s, customer %s, overtalk %s, silence %s, hold %s in %d\n",
		*out, t.Duration, t.AgentTalk, t.CustomerTalk, t.Overtalk, t.Silence, t.Hold, t.HoldSegments)
	return nil
}
