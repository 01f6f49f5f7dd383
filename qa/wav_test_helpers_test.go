package qa

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// writeWAV writes interleaved 16-bit samples as a PCM WAV file and returns its path.
func writeWAV(t testing.TB, dir, name string, rate, channels int, samples []int16) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := wav.NewEncoder(f, rate, 16, channels, 1)
	data := make([]int, len(samples))
	for i, s := range samples {
		data[i] = int(s)
	}
	if err := enc.Write(&audio.IntBuffer{Format: &audio.Format{NumChannels: channels, SampleRate: rate}, SourceBitDepth: 16, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}
