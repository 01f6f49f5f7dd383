package qa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// AnalyzerConfig tunes the voice activity detector and the findings built on it. The defaults
// are what the accuracy test (analyze_accuracy_test.go) justifies its tolerance with.
type AnalyzerConfig struct {
	// Frame is the analysis window; timings are measured to this resolution.
	Frame time.Duration
	// SpeechFloorDBFS is the lowest frame level that can count as sound, whatever the noise.
	SpeechFloorDBFS float64
	// NoiseMarginDB: a frame is sound if it is this far above the channel's tracked noise floor
	// (and above SpeechFloorDBFS). The floor follows quiet frames down at once and rises slowly.
	NoiseMarginDB float64
	// BridgeGap: pauses shorter than this between sounds of one side are part of the
	// utterance (stops, breaths, between words), not silence. It is the VAD's hangover.
	BridgeGap time.Duration
	// MinSpeech: utterances shorter than this are clicks and line noise.
	MinSpeech time.Duration
	// MusicMin and MusicMaxStdDB: uninterrupted sound at least this long whose frame levels
	// vary less than this (speech swings by syllable, music on hold does not) is hold music.
	MusicMin      time.Duration
	MusicMaxStdDB float64
	// MutedMin: both sides digitally silent (|sample| <= MutedPeak) this long is hold without music.
	MutedMin  time.Duration
	MutedPeak int
	// LongSilence is the threshold of the "silences over 4 s" finding.
	LongSilence time.Duration
	// OvertalkMin: overlaps shorter than this are turn-taking, not counted as an overtalk
	// event (their seconds still count to overtalk_sec).
	OvertalkMin time.Duration
}

// DefaultAnalyzerConfig returns the tuning used in production and tests.
func DefaultAnalyzerConfig() AnalyzerConfig {
	return AnalyzerConfig{
		Frame:           20 * time.Millisecond,
		SpeechFloorDBFS: -48,
		NoiseMarginDB:   9,
		BridgeGap:       300 * time.Millisecond,
		MinSpeech:       60 * time.Millisecond,
		MusicMin:        3 * time.Second,
		MusicMaxStdDB:   6,
		MutedMin:        2 * time.Second,
		MutedPeak:       2,
		LongSilence:     4 * time.Second,
		OvertalkMin:     250 * time.Millisecond,
	}
}

// Validate names the first setting that cannot work.
func (c AnalyzerConfig) Validate() error {
	switch {
	case c.Frame < 5*time.Millisecond || c.Frame > 100*time.Millisecond:
		return fmt.Errorf("analyzer.frame: %s is outside 5ms..100ms", c.Frame)
	case c.SpeechFloorDBFS >= 0 || c.SpeechFloorDBFS < -96:
		return fmt.Errorf("analyzer.speech_floor_dbfs: %v is outside -96..0", c.SpeechFloorDBFS)
	case c.NoiseMarginDB < 0:
		return fmt.Errorf("analyzer.noise_margin_db: %v is negative", c.NoiseMarginDB)
	case c.BridgeGap < 0 || c.MinSpeech < 0 || c.OvertalkMin < 0:
		return errors.New("analyzer: bridge_gap, min_speech and overtalk_min must not be negative")
	case c.MusicMin <= 0 || c.MutedMin <= 0 || c.LongSilence <= 0:
		return errors.New("analyzer: music_min, muted_min and long_silence must be positive")
	}
	return nil
}

// Interval is a stretch of a recording in seconds from its start.
type Interval struct {
	Start, End float64
}

// Analysis is what Analyze measures. Seconds are of the whole recording; ratios as documented
// on events.RecordingAnalysis. Mono recordings cannot tell the sides apart: all speech is
// reported as agent talk, and overtalk and talk share are 0.
type Analysis struct {
	Format
	DurationSec       float64
	AgentTalkSec      float64
	CustomerTalkSec   float64
	SilenceSec        float64
	SilenceRatio      float64
	LongestSilenceSec float64
	SilencesOverLong  int
	OvertalkSec       float64
	OvertalkRatio     float64
	OvertalkCount     int
	AgentTalkShare    float64
	HoldSec           float64
	HoldSegments      int
	AgentLevelDBFS    float64
	CustomerLevelDBFS float64
	ClippingRatio     float64

	// The spans behind the figures, for the workbench timeline and for tests.
	AgentSpeech, CustomerSpeech, Hold, Silences, Overtalks []Interval
}

// Analyze reads a WAV recording once, in fixed-size chunks (memory does not grow with the
// file, only with the number of utterances), and measures who spoke when.
func Analyze(ctx context.Context, rs io.ReadSeeker, cfg AnalyzerConfig) (Analysis, error) {
	if err := cfg.Validate(); err != nil {
		return Analysis{}, err
	}
	pr, err := NewPCMReader(rs)
	if err != nil {
		return Analysis{}, err
	}
	frameLen := int(int64(pr.SampleRate) * int64(cfg.Frame) / int64(time.Second))
	nch := pr.Channels
	toFrames := func(d time.Duration) int64 { return int64(d / cfg.Frame) }
	tracks := make([]*channelTrack, nch)
	for i := range tracks {
		tracks[i] = &channelTrack{
			floorAbs: cfg.SpeechFloorDBFS, margin: cfg.NoiseMarginDB, noise: -70,
			rise:   0.5 * cfg.Frame.Seconds(), // dB per frame: 0.5 dB a second
			bridge: toFrames(cfg.BridgeGap), minSpeech: toFrames(cfg.MinSpeech),
			musicMin: toFrames(cfg.MusicMin), musicStd: cfg.MusicMaxStdDB,
		}
	}
	muted := mutedTrack{min: toFrames(cfg.MutedMin)}

	var (
		buf     = make([]int16, readChunkBytes/2)
		sumsq   = make([]float64, nch)
		peak    = make([]int, nch)
		k       int   // samples per channel in the current frame
		frame   int64 // index of the current frame
		clipped int64
		samples int64
	)
	emit := func() {
		allMuted := true
		for c := range nch {
			tracks[c].frame(frame, sumsq[c], k)
			if peak[c] > cfg.MutedPeak {
				allMuted = false
			}
			sumsq[c], peak[c] = 0, 0
		}
		muted.frame(frame, allMuted)
		frame++
		k = 0
	}
	for chunk := 0; ; chunk++ {
		if chunk%64 == 0 && ctx.Err() != nil {
			return Analysis{}, fmt.Errorf("analyzing recording: %w", ctx.Err())
		}
		n, err := pr.Read(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Analysis{}, fmt.Errorf("analyzing recording: %w", err)
		}
		samples += int64(n)
		s := buf[:n]
		for i := 0; i+nch <= len(s); i += nch {
			for c := range nch {
				v := int(s[i+c])
				sumsq[c] += float64(v * v)
				if v < 0 {
					v = -v
				}
				if v >= 32767 {
					clipped++
				}
				peak[c] = max(peak[c], v)
			}
			k++
			if k == frameLen {
				emit()
			}
		}
	}
	if k > 0 {
		emit()
	}
	for _, t := range tracks {
		t.finish()
	}
	muted.finish()
	return summarize(pr.Format, cfg, tracks, muted.spans, frame, clipped, samples), nil
}

func summarize(f Format, cfg AnalyzerConfig, tracks []*channelTrack, mutedSpans []span, frames, clipped, samples int64) Analysis {
	fsec := cfg.Frame.Seconds()
	dur := f.Seconds()
	sec := func(fr int64) float64 { return min(float64(fr)*fsec, dur) }
	ivs := func(l []span) []Interval {
		out := make([]Interval, len(l))
		for i, s := range l {
			out[i] = Interval{sec(s.start), sec(s.end)}
		}
		return out
	}
	hold := mutedSpans
	for _, t := range tracks {
		hold = union(hold, t.music)
	}
	agent := subtract(tracks[0].speech, hold, frames)
	var customer []span
	if len(tracks) > 1 {
		customer = subtract(tracks[1].speech, hold, frames)
	}
	over := intersect(agent, customer)
	silences := complement(union(union(agent, customer), hold), frames)

	a := Analysis{Format: f, DurationSec: dur}
	a.AgentTalkSec = sec(total(agent))
	a.CustomerTalkSec = sec(total(customer))
	a.OvertalkSec = sec(total(over))
	a.HoldSec = sec(total(hold))
	a.HoldSegments = len(hold)
	a.SilenceSec = min(sec(total(silences)), dur)
	for _, s := range silences {
		l := s.len()
		a.LongestSilenceSec = max(a.LongestSilenceSec, sec(l))
		if time.Duration(l)*cfg.Frame > cfg.LongSilence {
			a.SilencesOverLong++
		}
	}
	for _, o := range over {
		if time.Duration(o.len())*cfg.Frame >= cfg.OvertalkMin {
			a.OvertalkCount++
		}
	}
	if dur > 0 {
		a.SilenceRatio = min(a.SilenceSec/dur, 1)
		a.OvertalkRatio = min(a.OvertalkSec/dur, 1)
	}
	if talk := a.AgentTalkSec + a.CustomerTalkSec; talk > 0 && len(tracks) > 1 {
		a.AgentTalkShare = a.AgentTalkSec / talk
	}
	a.AgentLevelDBFS = tracks[0].level()
	a.CustomerLevelDBFS = -120
	if len(tracks) > 1 {
		a.CustomerLevelDBFS = tracks[1].level()
	}
	if samples > 0 {
		a.ClippingRatio = float64(clipped) / float64(samples)
	}
	a.AgentSpeech, a.CustomerSpeech, a.Hold = ivs(agent), ivs(customer), ivs(hold)
	a.Silences, a.Overtalks = ivs(silences), ivs(over)
	return a
}

// channelTrack turns one channel's frames into utterances and hold-music spans as it goes.
type channelTrack struct {
	floorAbs, margin, noise, rise float64
	bridge, minSpeech, musicMin   int64
	musicStd                      float64

	// the current run of sound (gaps of one frame tolerated)
	runOn                 bool
	run                   span
	runN                  int
	runDB, runDB2, runSq  float64
	runSamples, lastSound int64

	// the utterance being built from runs
	uttOn      bool
	utt        span
	uttSq      float64
	uttSamples int64

	speech, music []span
	speechSq      float64
	speechSamples int64
	allSq         float64
	allSamples    int64
}

func (t *channelTrack) frame(idx int64, sumsq float64, n int) {
	t.allSq += sumsq
	t.allSamples += int64(n)
	db := 10 * math.Log10(sumsq/float64(n)/(32768*32768)+1e-12)
	sound := db > max(t.floorAbs, t.noise+t.margin)
	if db < t.noise {
		t.noise = max(db, -90)
	} else {
		t.noise += t.rise
	}
	if sound {
		if !t.runOn {
			t.runOn, t.run.start, t.runN, t.runDB, t.runDB2, t.runSq, t.runSamples = true, idx, 0, 0, 0, 0, 0
		}
		t.lastSound = idx
		t.runN++
		t.runDB += db
		t.runDB2 += db * db
		t.runSq += sumsq
		t.runSamples += int64(n)
		return
	}
	if t.runOn && idx-t.lastSound > 1 {
		t.endRun()
	}
}

func (t *channelTrack) endRun() {
	t.runOn = false
	t.run.end = t.lastSound + 1
	mean := t.runDB / float64(t.runN)
	std := math.Sqrt(max(t.runDB2/float64(t.runN)-mean*mean, 0))
	if t.run.len() >= t.musicMin && std < t.musicStd {
		t.flushUtterance()
		t.music = append(t.music, t.run)
		return
	}
	if t.uttOn && t.run.start-t.utt.end <= t.bridge {
		t.utt.end = t.run.end
		t.uttSq += t.runSq
		t.uttSamples += t.runSamples
		return
	}
	t.flushUtterance()
	t.uttOn, t.utt, t.uttSq, t.uttSamples = true, t.run, t.runSq, t.runSamples
}

func (t *channelTrack) flushUtterance() {
	if t.uttOn && t.utt.len() >= t.minSpeech {
		t.speech = append(t.speech, t.utt)
		t.speechSq += t.uttSq
		t.speechSamples += t.uttSamples
	}
	t.uttOn = false
}

func (t *channelTrack) finish() {
	if t.runOn {
		t.endRun()
	}
	t.flushUtterance()
}

// level is the RMS of the channel's speech in dBFS, or of the whole channel if nobody spoke.
func (t *channelTrack) level() float64 {
	sq, n := t.speechSq, t.speechSamples
	if n == 0 {
		sq, n = t.allSq, t.allSamples
	}
	if n == 0 || sq == 0 {
		return -120
	}
	return max(-120, min(0, 10*math.Log10(sq/float64(n)/(32768*32768))))
}

// mutedTrack finds stretches where every channel is digitally silent: hold without music.
type mutedTrack struct {
	min   int64
	on    bool
	cur   span
	spans []span
}

func (m *mutedTrack) frame(idx int64, muted bool) {
	if muted {
		if !m.on {
			m.on, m.cur.start = true, idx
		}
		m.cur.end = idx + 1
		return
	}
	if m.on {
		m.on = false
		if m.cur.len() >= m.min {
			m.spans = append(m.spans, m.cur)
		}
	}
}

func (m *mutedTrack) finish() {
	if m.on && m.cur.len() >= m.min {
		m.spans = append(m.spans, m.cur)
	}
	m.on = false
}
