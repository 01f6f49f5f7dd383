package qa

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// Synthetic audio levels. Speech peaks near -10 dBFS like a normalised telephone channel; the
// line noise under it sits well below the analyser's speech threshold, hold music well above.
const (
	synthSpeechRMS  = 0.08   // about -22 dBFS RMS over a syllable
	synthNoiseRMS   = 0.0006 // about -64 dBFS: comfort noise on an open line
	synthMusicRMS   = 0.07
	synthBlockFrame = 4096
)

// SynthesizeRecording writes a stereo 16-bit WAV (agent left, customer right) whose audio
// follows the timeline: speech-like sound (voiced syllables through two formant resonators,
// 4-6 syllables a second with short gaps) where a side talks, line noise where it is silent,
// a steady chord sequence on the customer side with the agent muted during hold. The same
// seed gives the same bytes. w must start at offset 0 (the WAV sizes are patched at the end).
func SynthesizeRecording(w io.WriteSeeker, tl Timeline, sampleRate int, seed int64) error {
	if err := tl.Validate(); err != nil {
		return err
	}
	if !supportedSampleRate[sampleRate] {
		return fmt.Errorf("synthesizing recording: %d Hz is not supported (8000 or 16000)", sampleRate)
	}
	out, err := newPCMWriter(w, sampleRate, 2)
	if err != nil {
		return err
	}
	block := make([]int16, 2*synthBlockFrame)
	agent := newVoice(sampleRate, uint64(seed), 0, 110+float64(uint64(seed)%60))
	customer := newVoice(sampleRate, uint64(seed), 1, 170+float64(uint64(seed)%70))
	for _, s := range tl {
		n := int64(math.Round(s.Dur.Seconds() * float64(sampleRate)))
		agent.start(s.Kind == SegAgent || s.Kind == SegBoth, s.Kind == SegHold, false, n)
		customer.start(s.Kind == SegCustomer || s.Kind == SegBoth, false, s.Kind == SegHold, n)
		for n > 0 {
			k := int(min(n, synthBlockFrame))
			for i := range k {
				block[2*i] = agent.next()
				block[2*i+1] = customer.next()
			}
			if err := out.write(block[:2*k]); err != nil {
				return fmt.Errorf("writing synthesized audio: %w", err)
			}
			n -= int64(k)
		}
	}
	if err := out.close(); err != nil {
		return fmt.Errorf("finishing synthesized WAV: %w", err)
	}
	return nil
}

// voice generates one channel, sample by sample, so memory stays flat for any call length.
type voice struct {
	fs    float64
	rng   *rand.Rand
	pitch float64
	table []float64 // Gaussian noise
	xs    uint64    // xorshift state indexing it

	talking, muted, music bool
	left                  int64 // samples left in the segment

	// syllable state
	inSyl     bool
	phaseLeft int64 // samples left in the current syllable or gap
	sylLen    int64
	sylPos    int64
	f0        float64
	phase     float64
	r1, r2    resonator

	// music state
	chord     [3]float64
	chordLeft int64
	mphase    [3]float64
}

func newVoice(fs int, seed uint64, ch uint64, pitch float64) *voice {
	v := &voice{fs: float64(fs), rng: rand.New(rand.NewPCG(seed, ch+1)), pitch: pitch}
	// Gaussian noise from a table: NormFloat64 per sample was a third of synthesis time, and
	// line noise needs no more than a 64 Ki-sample period walked in a seeded random order.
	v.table = make([]float64, 1<<16)
	for i := range v.table {
		v.table[i] = v.rng.NormFloat64()
	}
	v.xs = seed*2 + ch + 1
	return v
}

// noise is a standard normal sample from the table.
func (v *voice) noise() float64 {
	v.xs ^= v.xs << 13
	v.xs ^= v.xs >> 7
	v.xs ^= v.xs << 17
	return v.table[v.xs&(1<<16-1)]
}

func (v *voice) start(talking, muted, music bool, n int64) {
	v.talking, v.muted, v.music, v.left = talking, muted, music, n
	v.inSyl, v.phaseLeft = false, 0
}

func (v *voice) ms(lo, hi int) int64 {
	return int64(float64(lo+v.rng.IntN(hi-lo+1)) * v.fs / 1000)
}

func (v *voice) next() int16 {
	v.left--
	noise := v.noise() * synthNoiseRMS
	switch {
	case v.muted:
		return 0
	case v.music:
		return toPCM(v.nextMusic() + noise)
	case !v.talking:
		return toPCM(noise)
	}
	if v.phaseLeft == 0 {
		v.left++ // plan sees the samples left including this one
		v.plan()
		v.left--
	}
	v.phaseLeft--
	if !v.inSyl {
		return toPCM(noise)
	}
	return toPCM(v.nextSyllable() + noise)
}

// plan starts the next syllable or gap so that speech fills the segment exactly: the segment
// begins with a syllable and its last syllable ends at its last sample.
func (v *voice) plan() {
	if v.inSyl {
		gap := v.ms(30, 90)
		if v.rng.IntN(6) == 0 {
			gap = v.ms(120, 220) // between words
		}
		if v.left-gap < v.ms(80, 80) { // no room for another syllable: stretch this one instead
			v.inSyl, v.phaseLeft = true, v.left
			v.sylLen += v.left
			return
		}
		v.inSyl, v.phaseLeft = false, gap
		return
	}
	l := v.ms(120, 260)
	if v.left-l < v.ms(110, 110) {
		l = v.left
	}
	v.inSyl, v.phaseLeft, v.sylLen, v.sylPos = true, l, l, 0
	v.f0 = v.pitch * (0.85 + 0.3*v.rng.Float64())
	vowels := [][2]float64{{730, 1090}, {270, 2290}, {530, 1840}, {570, 840}, {440, 1020}, {660, 1720}}
	f := vowels[v.rng.IntN(len(vowels))]
	v.r1.tune(f[0], 90, v.fs)
	v.r2.tune(min(f[1], v.fs/2-400), 120, v.fs)
}

func (v *voice) nextSyllable() float64 {
	// Glottal pulse train with a little aspiration noise, through two formants.
	v.phase += v.f0 / v.fs
	src := v.noise() * 0.15
	if v.phase >= 1 {
		v.phase -= 1
		src += 6
	}
	y := v.r1.step(src) + 0.6*v.r2.step(src)
	// Envelope: 12 ms attack, 25 ms release, so the syllable's edges are where the plan says.
	att, rel := 0.012*v.fs, 0.025*v.fs
	env := 1.0
	if p := float64(v.sylPos); p < att {
		env = p / att
	}
	if r := float64(v.sylLen - v.sylPos); r < rel {
		env = min(env, r/rel)
	}
	v.sylPos++
	return y * env * synthSpeechRMS * 2.2
}

func (v *voice) nextMusic() float64 {
	if v.chordLeft <= 0 {
		roots := []float64{220, 246.9, 261.6, 293.7, 329.6}
		r := roots[v.rng.IntN(len(roots))]
		v.chord = [3]float64{r, r * 1.26, r * 1.5}
		v.chordLeft = int64(1.5 * v.fs)
	}
	v.chordLeft--
	var s float64
	for i, f := range v.chord {
		v.mphase[i] += f / v.fs
		if v.mphase[i] >= 1 {
			v.mphase[i] -= 1
		}
		s += math.Sin(2 * math.Pi * v.mphase[i])
	}
	return s / 3 * synthMusicRMS * math.Sqrt2 * 1.7
}

func toPCM(x float64) int16 {
	return int16(max(-32768, min(32767, math.Round(x*32767))))
}

// resonator is a two-pole band-pass filter, a formant.
type resonator struct{ a1, a2, g, y1, y2 float64 }

func (r *resonator) tune(freq, bw, fs float64) {
	rad := math.Exp(-math.Pi * bw / fs)
	r.a1 = 2 * rad * math.Cos(2*math.Pi*freq/fs)
	r.a2 = -rad * rad
	r.g = 1 - rad
	r.y1, r.y2 = 0, 0
}

func (r *resonator) step(x float64) float64 {
	y := r.g*x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}
