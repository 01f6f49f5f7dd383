package qa

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
	"github.com/zaf/g711"
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

// writeG711WAV writes samples as an A-law (tag 6) or μ-law (tag 7) WAV the way PBXs do: an
// 18-byte fmt chunk and a fact chunk before the data.
func writeG711WAV(t testing.TB, dir string, tag uint16, rate, channels int, samples []int16) string {
	t.Helper()
	enc := g711.EncodeAlawFrame
	if tag == wavFormatMuLaw {
		enc = g711.EncodeUlawFrame
	}
	data := make([]byte, len(samples))
	for i, s := range samples {
		data[i] = enc(s)
	}
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(4 + 8 + 18 + 8 + 4 + 8 + len(data)))
	b.WriteString("WAVEfmt ")
	le(uint32(18))
	le(tag)
	le(uint16(channels))
	le(uint32(rate))
	le(uint32(rate * channels))
	le(uint16(channels))
	le(uint16(8))
	le(uint16(0)) // cbSize
	b.WriteString("fact")
	le(uint32(4))
	le(uint32(len(samples) / channels))
	b.WriteString("data")
	le(uint32(len(data)))
	b.Write(data)
	p := filepath.Join(dir, fmt.Sprintf("call-%d.wav", tag))
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
