package qa

import (
	"context"
	"fmt"
	"io"
	"math"
)

// Peaks is a recording reduced to min/max pairs per bucket and channel, for drawing a waveform
// without downloading the audio.
type Peaks struct {
	SampleRate    int     `json:"sample_rate"`
	Channels      int     `json:"channels"`
	DurationSec   float64 `json:"duration_sec"`
	BucketSec     float64 `json:"bucket_sec"` // seconds of audio per bucket
	FramesPerPeak int64   `json:"frames_per_bucket"`
	// Data[channel][bucket] = [min, max] in -1..1, rounded to 1/1000.
	Data [][][2]float64 `json:"data"`
}

// ComputePeaks reads the recording once in chunks and returns about buckets min/max pairs per
// channel (fewer for recordings shorter than buckets frames).
func ComputePeaks(ctx context.Context, rs io.ReadSeeker, buckets int) (Peaks, error) {
	if buckets < 1 || buckets > 100000 {
		return Peaks{}, fmt.Errorf("peaks: %d buckets is outside 1..100000", buckets)
	}
	pr, err := NewPCMReader(rs)
	if err != nil {
		return Peaks{}, err
	}
	per := max(1, (pr.Frames+int64(buckets)-1)/int64(buckets))
	n := int((pr.Frames + per - 1) / per)
	p := Peaks{SampleRate: pr.SampleRate, Channels: pr.Channels, DurationSec: pr.Seconds(), FramesPerPeak: per,
		BucketSec: float64(per) / float64(pr.SampleRate), Data: make([][][2]float64, pr.Channels)}
	lo := make([][]int16, pr.Channels)
	hi := make([][]int16, pr.Channels)
	for c := range pr.Channels {
		lo[c], hi[c] = make([]int16, n), make([]int16, n)
	}
	buf := make([]int16, readChunkBytes/2)
	var frame int64
	for chunk := 0; ; chunk++ {
		if chunk%64 == 0 && ctx.Err() != nil {
			return Peaks{}, ctx.Err()
		}
		k, err := pr.Read(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Peaks{}, err
		}
		for i := 0; i+pr.Channels <= k; i += pr.Channels {
			b := frame / per
			for c := range pr.Channels {
				v := buf[i+c]
				lo[c][b] = min(lo[c][b], v)
				hi[c][b] = max(hi[c][b], v)
			}
			frame++
		}
	}
	for c := range pr.Channels {
		p.Data[c] = make([][2]float64, n)
		for b := range n {
			p.Data[c][b] = [2]float64{math.Round(float64(lo[c][b])/32.768) / 1000, math.Round(float64(hi[c][b])/32.767) / 1000}
		}
	}
	return p, nil
}
