package qa

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/cputime"
)

// Bench is `hotline bench qa`: analysis speed in multiples of real time per core on 8 kHz stereo
// recordings of growing length, and the peak heap while analysing them (flat means streaming).
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench qa", stdout, "hotline bench qa [flags]",
		"Synthesizes 8 kHz stereo call recordings (1 min, 10 min and --long), analyses each and prints\n"+
			"speed as multiples of real time per core (target >= 1000x) and peak heap during analysis.")
	long := fs.Duration("long", 2*time.Hour, "length of the longest recording")
	rate := fs.Int("rate", 8000, "sample rate, 8000 or 16000")
	dir := fs.String("dir", os.TempDir(), "where the temporary recordings go")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "recording\tMB\tsynth s\tanalysis s\tCPU s\tx real time/core\tpeak heap MB\tallocated MB\t\n")
	for _, d := range []time.Duration{time.Minute, 10 * time.Minute, *long} {
		r, err := benchOne(ctx, *dir, d, *rate)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s %d Hz stereo\t%.0f\t%.1f\t%.2f\t%.2f\t%.0fx\t%.1f\t%.1f\t\n",
			d, *rate, float64(r.size)/1e6, r.synth.Seconds(), r.wall.Seconds(), r.cpu.Seconds(),
			d.Seconds()/r.cpu.Seconds(), float64(r.peakHeap)/1e6, float64(r.alloc)/1e6)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nanalysis is single-threaded; CPU s is the process's user+system time during it. %d cores, GOMAXPROCS %d.\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	return nil
}

type benchResult struct {
	size             int64
	synth, wall, cpu time.Duration
	peakHeap, alloc  uint64
}

func benchOne(ctx context.Context, dir string, d time.Duration, rate int) (benchResult, error) {
	var res benchResult
	f, err := os.CreateTemp(dir, "qa-bench-*.wav")
	if err != nil {
		return res, fmt.Errorf("bench qa: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	t0 := time.Now()
	tl := PlanTimeline(d-d/20, d/20, int(d/(20*time.Minute))+1, newRand(1))
	if err := SynthesizeRecording(f, tl, rate, 1); err != nil {
		return res, fmt.Errorf("bench qa: %w", err)
	}
	res.synth = time.Since(t0)
	if st, err := f.Stat(); err == nil {
		res.size = st.Size()
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // sample the heap while the analysis runs
		var m runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	cpu0 := cputime.Process()
	t1 := time.Now()
	_, err = Analyze(ctx, f, DefaultAnalyzerConfig())
	res.wall = time.Since(t1)
	res.cpu = cputime.Process() - cpu0
	close(stop)
	wg.Wait()
	if err != nil {
		return res, fmt.Errorf("bench qa: %w", err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	res.peakHeap = peak.Load()
	res.alloc = after.TotalAlloc - before.TotalAlloc
	return res, nil
}
