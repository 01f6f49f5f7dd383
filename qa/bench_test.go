package qa

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Two minutes of audio per iteration, so that `make bench` (-benchtime 2000x) stays short;
// `hotline bench qa` measures the 2-hour case.
func BenchmarkAnalyze8kStereo(b *testing.B) {
	f := synthFile(b, PlanTimeline(110*time.Second, 10*time.Second, 1, newRand(1)), 8000, 1)
	st, _ := f.Stat()
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(context.Background(), f, DefaultAnalyzerConfig()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(120/(b.Elapsed().Seconds()/float64(b.N)), "x-real-time")
}

func TestBenchCommandRuns(t *testing.T) {
	var out bytes.Buffer
	if err := Bench(context.Background(), []string{"--long", "2m", "--dir", t.TempDir()}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "x real time/core") || strings.Count(out.String(), "Hz stereo") != 3 {
		t.Errorf("bench output:\n%s", out.String())
	}
}

// Streaming: analysing a 10-minute file must not allocate anything near its 19 MB.
func TestAnalyzeMemoryIsFlat(t *testing.T) {
	f := synthFile(t, PlanTimeline(9*time.Minute, time.Minute, 2, newRand(3)), 8000, 3)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Analyze(context.Background(), f, DefaultAnalyzerConfig()); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("analysing a 19 MB recording allocated %d bytes; the reader should stream through one buffer", alloc)
	}
}

func BenchmarkSynthesize1Min(b *testing.B) {
	tl := PlanTimeline(50*time.Second, 10*time.Second, 1, newRand(1))
	f, err := os.Create(b.TempDir() + "/s.wav")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		f.Seek(0, 0)
		if err := SynthesizeRecording(f, tl, 8000, 1); err != nil {
			b.Fatal(err)
		}
	}
}
