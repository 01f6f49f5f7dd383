package qa_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seed-1c4692e8/hotline/qa"
)

// Analyze measures a stereo call recording (agent left, customer right): who spoke how long,
// overtalk, silences, hold. Here the recording is synthesised from a known timeline (what
// `hotline qa synth` does), so the figures can be read against it; `hotline qa analyze
// file.wav` prints the same analysis for any WAV.
func ExampleAnalyze() {
	tl := qa.Timeline{
		{Kind: qa.SegSilence, Dur: 500 * time.Millisecond},
		{Kind: qa.SegAgent, Dur: 4 * time.Second},
		{Kind: qa.SegCustomer, Dur: 3 * time.Second},
		{Kind: qa.SegBoth, Dur: time.Second},
		{Kind: qa.SegSilence, Dur: 5 * time.Second},
		{Kind: qa.SegHold, Dur: 10 * time.Second},
		{Kind: qa.SegAgent, Dur: 2 * time.Second},
	}
	f, err := os.CreateTemp("", "call-*.wav")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := qa.SynthesizeRecording(f, tl, 8000, 1); err != nil {
		fmt.Println(err)
		return
	}

	a, err := qa.Analyze(context.Background(), f, qa.DefaultAnalyzerConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d Hz, %d channels, %.1f s\n", a.SampleRate, a.Channels, a.DurationSec)
	fmt.Printf("agent %.1f s, customer %.1f s, overtalk %.1f s (%d)\n", a.AgentTalkSec, a.CustomerTalkSec, a.OvertalkSec, a.OvertalkCount)
	fmt.Printf("hold %.1f s (%d), silences over 4 s: %d\n", a.HoldSec, a.HoldSegments, a.SilencesOverLong)
	// Output:
	// 8000 Hz, 2 channels, 25.5 s
	// agent 7.0 s, customer 4.0 s, overtalk 1.0 s (1)
	// hold 10.0 s (1), silences over 4 s: 1
}
