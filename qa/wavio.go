package qa

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-audio/wav"
	"github.com/zaf/g711"
)

// Supported recording formats: 16-bit linear PCM, narrow or wide band, or 8-bit G.711 A-law or
// μ-law (what PBXs and hotline's own SIP side write), mono or stereo with the agent on the left
// channel and the customer on the right. G.711 is decoded to 16-bit samples on reading, so the
// analysis sees one kind of audio.
const (
	bitDepth       = 16
	wavFormatPCM   = 1
	wavFormatALaw  = 6
	wavFormatMuLaw = 7
	maxChannels    = 2
	readChunkBytes = 64 << 10 // per Read from disk: large enough to amortise syscalls, small enough for flat memory
)

// Errors callers branch on (import reports them per file).
var (
	ErrNotWAV           = errors.New("not a WAV file")
	ErrUnsupported      = errors.New("unsupported audio encoding")
	ErrTruncated        = errors.New("truncated WAV file")
	ErrChannelLayout    = errors.New("unsupported channel layout")
	errUnsupportedRate  = errors.New("unsupported sample rate")
	supportedSampleRate = map[int]bool{8000: true, 16000: true}
)

// Format describes a recording's audio.
type Format struct {
	SampleRate int   // Hz: 8000 or 16000
	Channels   int   // 1 mono, 2 stereo (agent left, customer right)
	Frames     int64 // samples per channel
}

// Duration is the playing time of the recording.
func (f Format) Duration() time.Duration {
	if f.SampleRate == 0 {
		return 0
	}
	return time.Duration(f.Frames) * time.Second / time.Duration(f.SampleRate)
}

// Seconds is Duration in seconds.
func (f Format) Seconds() float64 {
	if f.SampleRate == 0 {
		return 0
	}
	return float64(f.Frames) / float64(f.SampleRate)
}

// PCMReader streams the interleaved 16-bit samples of a WAV file through one reused byte
// buffer: go-audio's PCMBuffer allocates and decodes sample by sample into int, far too slow
// for analysis at 1,000x real time.
type PCMReader struct {
	Format
	data      io.Reader // the PCM chunk, limited to its declared size
	remaining int64     // bytes of PCM left
	buf       []byte
	width     int64             // bytes per sample in the file: 2 for PCM, 1 for G.711
	decode    func(uint8) int16 // G.711 expansion; nil for PCM
	// DataOffset is where the PCM bytes start in the file (for HTTP range maths).
	DataOffset int64
}

// NewPCMReader checks rs is a WAV the store accepts and positions it at the first sample.
// Errors wrap ErrNotWAV, ErrUnsupported, ErrTruncated or ErrChannelLayout and say what was found.
func NewPCMReader(rs io.ReadSeeker) (*PCMReader, error) {
	size, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("measuring file: %w", err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewinding file: %w", err)
	}
	var magic [12]byte
	if n, _ := io.ReadFull(rs, magic[:]); n < 12 || string(magic[0:4]) != "RIFF" || string(magic[8:12]) != "WAVE" {
		if n < 12 && n >= 4 && string(magic[0:4]) == "RIFF" {
			return nil, fmt.Errorf("%w: %d bytes, shorter than a RIFF header", ErrTruncated, size)
		}
		return nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewinding file: %w", err)
	}
	dec := wav.NewDecoder(rs)
	dec.ReadInfo()
	if err := dec.Err(); err != nil || dec.NumChans == 0 {
		return nil, fmt.Errorf("%w: no readable fmt chunk (%v)", ErrTruncated, err)
	}
	switch {
	case dec.SampleRate == 0 || dec.BitDepth == 0:
		return nil, fmt.Errorf("%w: the fmt chunk is incomplete", ErrTruncated)
	case dec.WavAudioFormat != wavFormatPCM && dec.WavAudioFormat != wavFormatALaw && dec.WavAudioFormat != wavFormatMuLaw:
		return nil, fmt.Errorf("%w: WAVE format tag %d (%s), want 1 (linear PCM), 6 (A-law) or 7 (mu-law)", ErrUnsupported, dec.WavAudioFormat, formatName(dec.WavAudioFormat))
	case dec.WavAudioFormat == wavFormatPCM && dec.BitDepth != bitDepth:
		return nil, fmt.Errorf("%w: %d-bit samples, want 16-bit", ErrUnsupported, dec.BitDepth)
	case dec.WavAudioFormat != wavFormatPCM && dec.BitDepth != 8:
		return nil, fmt.Errorf("%w: %s with %d-bit samples, want 8-bit", ErrUnsupported, formatName(dec.WavAudioFormat), dec.BitDepth)
	case !supportedSampleRate[int(dec.SampleRate)]:
		return nil, fmt.Errorf("%w: %w: %d Hz, want 8000 or 16000", ErrUnsupported, errUnsupportedRate, dec.SampleRate)
	case dec.NumChans < 1 || int(dec.NumChans) > maxChannels:
		return nil, fmt.Errorf("%w: %d channels, want 1 (mono) or 2 (agent left, customer right)", ErrChannelLayout, dec.NumChans)
	}
	// FwdToPCM swallows header errors (returns nil): check Err as well.
	if err := dec.FwdToPCM(); err != nil || dec.Err() != nil || dec.PCMChunk == nil {
		if err == nil {
			err = dec.Err()
		}
		return nil, fmt.Errorf("%w: no data chunk (%v)", ErrTruncated, err)
	}
	pos, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("locating data chunk: %w", err)
	}
	declared := int64(dec.PCMSize)
	if declared > size-pos {
		return nil, fmt.Errorf("%w: data chunk declares %d bytes, file has %d after the header", ErrTruncated, declared, size-pos)
	}
	r := &PCMReader{width: 2, DataOffset: pos, buf: make([]byte, readChunkBytes)}
	switch dec.WavAudioFormat {
	case wavFormatALaw:
		r.width, r.decode = 1, g711.DecodeAlawFrame
	case wavFormatMuLaw:
		r.width, r.decode = 1, g711.DecodeUlawFrame
	}
	frameBytes := int64(dec.NumChans) * r.width
	r.Format = Format{SampleRate: int(dec.SampleRate), Channels: int(dec.NumChans), Frames: declared / frameBytes}
	r.remaining = declared / frameBytes * frameBytes // the pad byte and any partial frame are not audio
	r.data = io.LimitReader(rs, r.remaining)
	return r, nil
}

// Read decodes up to len(dst) interleaved samples (a whole number of frames) into dst and
// returns how many; io.EOF after the last one.
func (r *PCMReader) Read(dst []int16) (int, error) {
	if r.remaining == 0 {
		return 0, io.EOF
	}
	w := int(r.width)
	want := len(dst) / r.Channels * r.Channels * w
	// Whole frames only, also when the buffer or the rest is the limit.
	want = min(want, len(r.buf)/(r.Channels*w)*r.Channels*w, int(min(r.remaining, int64(1)<<30)))
	if want == 0 {
		return 0, fmt.Errorf("reading samples: destination holds less than one frame")
	}
	n, err := io.ReadFull(r.data, r.buf[:want])
	r.remaining -= int64(n)
	if err != nil {
		return 0, fmt.Errorf("%w: reading samples: %w", ErrTruncated, err)
	}
	b := r.buf[:n]
	if r.decode != nil {
		for i, v := range b {
			dst[i] = r.decode(v)
		}
		return n, nil
	}
	for i := range n / 2 {
		dst[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return n / 2, nil
}

func formatName(tag uint16) string {
	switch tag {
	case 1:
		return "PCM"
	case 3:
		return "IEEE float"
	case 6:
		return "A-law"
	case 7:
		return "mu-law"
	case 0x31:
		return "GSM 6.10"
	case 0xFFFE:
		return "WAVE_FORMAT_EXTENSIBLE"
	default:
		return "unknown"
	}
}
