package qa

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

func analyzeSamples(t *testing.T, rate, channels int, s []int16) Analysis {
	t.Helper()
	f, err := os.Open(writeWAV(t, t.TempDir(), "x.wav", rate, channels, s))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := Analyze(context.Background(), f, DefaultAnalyzerConfig())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Hold without music: both sides digitally silent (the switch mutes the recording) between
// real speech, next to ordinary line-noise silence that must stay silence.
func TestHoldWhenBothSidesMuted(t *testing.T) {
	const rate = 8000
	agent := loadPrompt(t, "pls-hold-while-try")
	cust := loadPrompt(t, "please-try-call-later")
	n := 16 * rate
	s := make([]int16, 2*n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range s {
		s[i] = int16(rng.NormFloat64() * 20) // -64 dBFS line noise
	}
	for i := 4 * rate; i < 10*rate; i++ { // 4..10 s: muted
		s[2*i], s[2*i+1] = 0, 0
	}
	for i, v := range agent {
		s[2*(rate/2+i)] += v
	}
	for i, v := range cust {
		s[2*(11*rate+i)+1] += v
	}
	a := analyzeSamples(t, rate, 2, s)
	if a.HoldSegments != 1 || math.Abs(a.HoldSec-6) > 0.04 || math.Abs(a.Hold[0].Start-4) > 0.02 {
		t.Errorf("hold %v s in %d segments %v, want 6 s from 4 s", a.HoldSec, a.HoldSegments, a.Hold)
	}
	// The silences either side of the hold stay silence; the hold is not silence.
	if got := a.DurationSec - a.HoldSec - a.AgentTalkSec - a.CustomerTalkSec; math.Abs(a.SilenceSec-got) > 1e-6 {
		t.Errorf("silence %v, want the rest of the call %v", a.SilenceSec, got)
	}
	if a.LongestSilenceSec > 4 {
		t.Errorf("longest silence %v: the muted hold was counted as silence", a.LongestSilenceSec)
	}
}

// Level is the RMS of speech in dBFS and clipping the share of full-scale samples: a sine of
// amplitude A has RMS A/√2, so 0.5 full scale reads 20·log10(0.5/√2) = -9.03 dBFS.
func TestLevelAndClipping(t *testing.T) {
	const rate = 8000
	n := 4 * rate
	s := make([]int16, 2*n)
	for i := range n {
		x := math.Sin(2 * math.Pi * 440 * float64(i) / rate)
		// Agent: 0.5 FS tone with a 60 ms pause every 200 ms, so it reads as speech, not music.
		if i%(rate/5) >= rate*6/100 {
			s[2*i] = int16(0.5 * 32767 * x)
		}
		// Customer: driven 2x into clipping for the first second.
		if i < rate {
			s[2*i+1] = int16(max(-32768, min(32767, 2*32767*x)))
		}
	}
	a := analyzeSamples(t, rate, 2, s)
	if math.Abs(a.AgentLevelDBFS-(-9.03)) > 0.2 {
		t.Errorf("agent level %.2f dBFS, want -9.03", a.AgentLevelDBFS)
	}
	clipped := 0
	for _, v := range s {
		if v == 32767 || v == -32768 {
			clipped++
		}
	}
	if want := float64(clipped) / float64(len(s)); math.Abs(a.ClippingRatio-want) > 1e-9 || want < 0.05 {
		t.Errorf("clipping %v, want %v", a.ClippingRatio, want)
	}
}

// Mono recordings: all speech is agent talk, overtalk and share are 0.
func TestMonoRecording(t *testing.T) {
	p := loadPrompt(t, "transfer")
	s := make([]int16, 8000*4)
	copy(s[8000:], p)
	a := analyzeSamples(t, 8000, 1, s)
	first, last := speechExtent(p)
	if want := float64(last-first) / 8000; math.Abs(a.AgentTalkSec-want) > perUtteranceTol || a.CustomerTalkSec != 0 || a.AgentTalkShare != 0 || a.Channels != 1 {
		t.Errorf("mono: %+v, want agent talk %.2f", a, want)
	}
}
