package qa

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pcmWriter writes a canonical 44-byte-header 16-bit PCM WAV. go-audio's Encoder does the same
// job but encodes each sample with binary.Write (an allocation per sample) and fsyncs on Close,
// which halves synthesis speed and makes every simulated call wait for the disk; files written
// here are read back through go-audio's decoder in every test.
type pcmWriter struct {
	w        io.WriteSeeker
	channels int
	buf      []byte
	n        int64 // PCM bytes written
}

func newPCMWriter(w io.WriteSeeker, sampleRate, channels int) (*pcmWriter, error) {
	p := &pcmWriter{w: w, channels: channels, buf: make([]byte, 0, 64<<10)}
	if _, err := w.Write(wavHeader(sampleRate, channels, 0)); err != nil {
		return nil, fmt.Errorf("writing WAV header: %w", err)
	}
	return p, nil
}

func wavHeader(sampleRate, channels int, dataBytes uint32) []byte {
	h := make([]byte, 44)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], 36+dataBytes)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavFormatPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(sampleRate))
	le.PutUint32(h[28:], uint32(sampleRate*channels*2))
	le.PutUint16(h[32:], uint16(channels*2))
	le.PutUint16(h[34:], bitDepth)
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataBytes)
	return h
}

// write appends interleaved samples.
func (p *pcmWriter) write(samples []int16) error {
	for _, s := range samples {
		p.buf = binary.LittleEndian.AppendUint16(p.buf, uint16(s))
		if len(p.buf) == cap(p.buf) {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *pcmWriter) flush() error {
	if len(p.buf) == 0 {
		return nil
	}
	n, err := p.w.Write(p.buf)
	p.n += int64(n)
	p.buf = p.buf[:0]
	if err != nil {
		return fmt.Errorf("writing PCM: %w", err)
	}
	return nil
}

// close flushes and patches the sizes into the header (the writer must have started at 0).
func (p *pcmWriter) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	if p.n > 1<<32-1-36 {
		return fmt.Errorf("writing WAV: %d bytes of PCM do not fit a RIFF file", p.n)
	}
	if _, err := p.w.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("patching WAV header: %w", err)
	}
	le := binary.LittleEndian
	hdr := wavHeader(0, p.channels, uint32(p.n))
	// Only the two size fields change; rewrite the first 8 bytes and the data size.
	if _, err := p.w.Write(hdr[0:8]); err != nil {
		return fmt.Errorf("patching WAV header: %w", err)
	}
	if _, err := p.w.Seek(40, io.SeekStart); err != nil {
		return fmt.Errorf("patching WAV header: %w", err)
	}
	var sz [4]byte
	le.PutUint32(sz[:], uint32(p.n))
	if _, err := p.w.Write(sz[:]); err != nil {
		return fmt.Errorf("patching WAV header: %w", err)
	}
	_, err := p.w.Seek(0, io.SeekEnd)
	return err
}
