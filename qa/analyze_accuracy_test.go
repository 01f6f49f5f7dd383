package qa

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// The real-speech accuracy test builds stereo calls from the Debian package
// asterisk-core-sounds-en-wav (8 kHz mono 16-bit PCM prompts read by a human speaker), placed on
// the agent and customer channels at known times, and compares the analysis with that ground
// truth.
//
// Ground truth of one placed prompt: from its first to its last sample louder than 1% of full
// scale (-40 dBFS peak), pauses inside it belonging to the utterance (every prompt used has
// internal pauses under 300 ms, the analyser's BridgeGap, which is the usual convention for
// turn-level annotation).
//
// Tolerance, and why: the analyser decides per 20 ms frame on the frame's RMS (-48 dBFS floor, 9 dB over the tracked noise),
// so each utterance edge can be off by one frame of quantisation plus about one frame where a
// soft onset or decay is above -40 dBFS in a few samples but not in RMS over the frame: at most
// 2 frames = 40 ms per edge, 80 ms per utterance. We allow 100 ms per utterance for talk time,
// 100 ms per utterance edge pair for silence (a silence is bounded by utterance edges), 100 ms
// per overlap for overtalk, and 0.02 for agent talk share; counts (silences over 4 s,
// overtalks) must be exact because the test calls keep every gap and overlap at least 0.5 s away
// from the thresholds.
const asteriskSounds = "/usr/share/asterisk/sounds/en_US_f_Allison"

const perUtteranceTol = 0.100

func loadPrompt(t *testing.T, name string) []int16 {
	t.Helper()
	f, err := os.Open(filepath.Join(asteriskSounds, name+".wav"))
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("real-speech prompts missing: %v; install the Debian package asterisk-core-sounds-en-wav: scripts/deps.sh qa (make test runs it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := NewPCMReader(f)
	if err != nil {
		t.Fatalf("prompt %s: %v", name, err)
	}
	if pr.SampleRate != 8000 || pr.Channels != 1 {
		t.Fatalf("prompt %s is %d Hz %d channels; the test expects the package's 8 kHz mono", name, pr.SampleRate, pr.Channels)
	}
	out := make([]int16, 0, pr.Frames)
	buf := make([]int16, 4096)
	for {
		n, err := pr.Read(buf)
		if err != nil {
			break
		}
		out = append(out, buf[:n]...)
	}
	return out
}

// speechExtent is the ground truth of a prompt: first and last sample over 1% of full scale.
func speechExtent(p []int16) (first, last int) {
	first, last = -1, -1
	for i, v := range p {
		if v > 327 || v < -327 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last + 1
}

type placement struct {
	side   int // 0 agent, 1 customer
	prompt string
	at     float64 // seconds
}

type realCall struct {
	name     string
	gain     float64 // applied to the prompts
	noiseDB  float64 // white line noise, dBFS RMS
	length   float64
	places   []placement
	silences int // silences over 4 s
	overlaps int
}

func TestAnalysisAccuracyOnRealSpeech(t *testing.T) {
	calls := []realCall{
		{name: "turns", gain: 1, noiseDB: -62, length: 24, silences: 1, places: []placement{
			{0, "pls-hold-while-try", 0.5}, {1, "please-try-call-later", 3.6}, {0, "cannot-complete-as-dialed", 6.6},
			{1, "conf-now-recording", 15.0}, {0, "check-number-dial-again", 18.2}, {1, "info-about-last-call", 21.0},
		}},
		{name: "overtalk", gain: 1, noiseDB: -60, length: 20, overlaps: 3, places: []placement{
			{0, "vm-leavemsg", 0.3}, {1, "all-circuits-busy-now", 1.5},
			{1, "conf-getpin", 6.0}, {0, "vm-tocancelmsg", 7.4},
			{1, "please-try-call-later", 11.0}, {0, "info-about-last-call", 12.4}, {1, "check-number-dial-again", 16.0},
		}},
		{name: "quiet line with long pauses", gain: 0.25, noiseDB: -55, length: 40, silences: 3, places: []placement{
			{0, "demo-echodone", 1.0}, {1, "queue-thereare", 9.0}, {0, "conf-now-recording", 12.0},
			{1, "pls-hold-while-try", 20.0}, {0, "vm-leavemsg", 23.2}, {1, "transfer", 33.0}, {0, "please-try-call-later", 36.3},
		}},
	}
	cache := map[string][]int16{}
	for _, c := range calls {
		// 16-bit PCM at both rates, and G.711 A-law and μ-law at 8 kHz as PBXs write them.
		for _, v := range []struct {
			rate int
			tag  uint16
		}{{8000, wavFormatPCM}, {16000, wavFormatPCM}, {8000, wavFormatALaw}, {8000, wavFormatMuLaw}} {
			rate := v.rate
			t.Run(fmt.Sprintf("%s/%dHz/%s", c.name, rate, formatName(v.tag)), func(t *testing.T) {
				n := int(c.length * float64(rate))
				pcm := make([]float64, 2*n)
				rng := rand.New(rand.NewPCG(1, uint64(len(c.places))))
				noise := math.Pow(10, c.noiseDB/20) * 32768
				for i := range pcm {
					pcm[i] = rng.NormFloat64() * noise
				}
				truth := [2][]span{}
				for _, p := range c.places {
					s, ok := cache[p.prompt]
					if !ok {
						s = loadPrompt(t, p.prompt)
						cache[p.prompt] = s
					}
					if rate == 16000 {
						s = upsample2(s)
					}
					at := int(p.at * float64(rate))
					for i, v := range s {
						pcm[2*(at+i)+p.side] += float64(v) * c.gain
					}
					first, last := speechExtent(s)
					truth[p.side] = append(truth[p.side], span{int64(at + first), int64(at + last)})
				}
				samples := make([]int16, len(pcm))
				for i, v := range pcm {
					samples[i] = int16(max(-32768, min(32767, math.Round(v))))
				}
				path := writeWAV(t, t.TempDir(), "call.wav", rate, 2, samples)
				if v.tag != wavFormatPCM {
					path = writeG711WAV(t, t.TempDir(), v.tag, rate, 2, samples)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				a, err := Analyze(context.Background(), f, DefaultAnalyzerConfig())
				if err != nil {
					t.Fatal(err)
				}

				sec := func(l []span) float64 { return float64(total(l)) / float64(rate) }
				over := intersect(truth[0], truth[1])
				silences := complement(union(truth[0], truth[1]), int64(n))
				var longest float64
				for _, s := range silences {
					longest = max(longest, float64(s.len())/float64(rate))
				}
				nUtt := float64(len(truth[0]) + len(truth[1]))
				wantShare := sec(truth[0]) / (sec(truth[0]) + sec(truth[1]))
				checks := []struct {
					name      string
					got, want float64
					tol       float64
				}{
					{"agent talk s", a.AgentTalkSec, sec(truth[0]), perUtteranceTol * float64(len(truth[0]))},
					{"customer talk s", a.CustomerTalkSec, sec(truth[1]), perUtteranceTol * float64(len(truth[1]))},
					{"silence s", a.SilenceSec, sec(silences), perUtteranceTol * nUtt},
					{"longest silence s", a.LongestSilenceSec, longest, 2 * perUtteranceTol},
					{"overtalk s", a.OvertalkSec, sec(over), perUtteranceTol * float64(len(over))},
					{"agent talk share", a.AgentTalkShare, wantShare, 0.02},
					{"silences over 4 s", float64(a.SilencesOverLong), float64(c.silences), 0},
					{"overtalks", float64(a.OvertalkCount), float64(c.overlaps), 0},
					{"overtalks in truth", float64(len(over)), float64(c.overlaps), 0}, // the call is built as intended
					{"hold s", a.HoldSec, 0, 0},
				}
				for _, ch := range checks {
					if d := math.Abs(ch.got - ch.want); d > ch.tol+1e-9 {
						t.Errorf("%s: measured %.3f, ground truth %.3f (off by %.3f, tolerance %.3f)", ch.name, ch.got, ch.want, d, ch.tol)
					} else {
						t.Logf("%-18s measured %7.3f truth %7.3f (tolerance %.3f)", ch.name, ch.got, ch.want, ch.tol)
					}
				}
				if t.Failed() {
					t.Logf("agent %v\ncustomer %v", a.AgentSpeech, a.CustomerSpeech)
				}
			})
		}
	}
}

// upsample2 doubles the sample rate of 8 kHz prompts by linear interpolation: the speech and
// its timing stay the same, so the 16 kHz path of the analyser is checked on real speech too.
func upsample2(s []int16) []int16 {
	out := make([]int16, 2*len(s))
	for i, v := range s {
		out[2*i] = v
		next := v
		if i+1 < len(s) {
			next = s[i+1]
		}
		out[2*i+1] = int16((int32(v) + int32(next)) / 2)
	}
	return out
}
