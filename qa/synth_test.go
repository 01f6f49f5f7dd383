package qa

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// synthFile writes a synthesized recording to a temp file and returns it open.
func synthFile(t testing.TB, tl Timeline, rate int, seed int64) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "call.wav"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := SynthesizeRecording(f, tl, rate, seed); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSynthesizedTimelineMeasuresBack(t *testing.T) {
	tl := Timeline{
		{SegSilence, ms(800)}, {SegAgent, ms(5200)}, {SegSilence, ms(600)}, {SegCustomer, ms(3100)},
		{SegBoth, ms(900)}, {SegAgent, ms(2500)}, {SegSilence, ms(5000)}, {SegHold, ms(20000)},
		{SegAgent, ms(4000)}, {SegSilence, ms(700)}, {SegCustomer, ms(6000)}, {SegSilence, ms(1000)},
	}
	for _, rate := range []int{8000, 16000} {
		f := synthFile(t, tl, rate, 7)
		a, err := Analyze(context.Background(), f, DefaultAnalyzerConfig())
		if err != nil {
			t.Fatal(err)
		}
		want := tl.Totals()
		t.Logf("%d Hz: %+v", rate, a)
		// Synthetic speech has exact edges: a 20 ms frame either side per segment edge.
		tol := 0.15
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"duration", a.DurationSec, want.Duration.Seconds()},
			{"agent talk", a.AgentTalkSec, want.AgentTalk.Seconds()},
			{"customer talk", a.CustomerTalkSec, want.CustomerTalk.Seconds()},
			{"overtalk", a.OvertalkSec, want.Overtalk.Seconds()},
			{"silence", a.SilenceSec, want.Silence.Seconds()},
			{"hold", a.HoldSec, want.Hold.Seconds()},
		} {
			if math.Abs(c.got-c.want) > tol {
				t.Errorf("%d Hz %s: measured %.3f s, timeline says %.3f s", rate, c.name, c.got, c.want)
			}
		}
		if a.HoldSegments != 1 || a.OvertalkCount != 1 || a.SilencesOverLong != 1 {
			t.Errorf("%d Hz: hold segments %d, overtalks %d, silences over 4 s %d; want 1, 1, 1", rate, a.HoldSegments, a.OvertalkCount, a.SilencesOverLong)
		}
	}
}

func TestSynthesizeDeterministic(t *testing.T) {
	tl := PlanTimeline(40*time.Second, 10*time.Second, 1, rand.New(rand.NewPCG(1, 2)))
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		f := synthFile(t, tl, 8000, 42)
		f.Seek(0, 0)
		buf.ReadFrom(f)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same timeline and seed gave different audio")
	}
}
