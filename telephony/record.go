package telephony

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Recording channels: agent left, customer right, as QA expects.
const (
	chanAgent    = 0
	chanCustomer = 1
)

// stereoRecorder writes what each side said where it happened in time: frames are placed by
// the wall clock since the bridge, so a side that sends nothing (silence suppression, a muted
// phone) leaves silence, and both channels stay aligned. Each channel goes to a temporary file
// (a call is 16 kB a second per side); finish interleaves them into a WAV.
type stereoRecorder struct {
	mu    sync.Mutex
	start time.Time
	files [2]*os.File
	bufs  [2]*bufio.Writer
	next  [2]int64 // samples written per channel
	err   error
}

func newStereoRecorder(dir string, start time.Time) (*stereoRecorder, error) {
	r := &stereoRecorder{start: start}
	for i := range r.files {
		f, err := os.CreateTemp(dir, "call-*.raw")
		if err != nil {
			r.close()
			return nil, fmt.Errorf("starting recording: %w", err)
		}
		r.files[i], r.bufs[i] = f, bufio.NewWriterSize(f, 32<<10)
	}
	return r, nil
}

// add places a frame heard at `at` (when its last sample arrived) on channel ch. A gap of more
// than two frames since the channel's last sample is filled with silence; smaller ones are
// network jitter and the frame follows on.
func (r *stereoRecorder) add(ch int, pcm []int16, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.files[ch] == nil {
		return
	}
	pos := int64(at.Sub(r.start).Seconds()*8000) - int64(len(pcm))
	if gap := pos - r.next[ch]; gap > 2*frameSamples {
		r.err = writeSilence(r.bufs[ch], gap)
		r.next[ch] += gap
	}
	if r.err == nil {
		r.err = binary.Write(r.bufs[ch], binary.LittleEndian, pcm)
	}
	r.next[ch] += int64(len(pcm))
}

func writeSilence(w io.Writer, n int64) error {
	var zero [2 * frameSamples]byte
	for n > 0 {
		k := min(n, frameSamples)
		if _, err := w.Write(zero[:2*k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// finish stops recording at `at` and writes the stereo WAV to dst (16-bit PCM, 8 kHz).
func (r *stereoRecorder) finish(dst io.Writer, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.close()
	if r.err != nil {
		return fmt.Errorf("recording: %w", r.err)
	}
	frames := max(int64(at.Sub(r.start).Seconds()*8000), r.next[0], r.next[1])
	for i := range r.bufs {
		if err := r.bufs[i].Flush(); err != nil {
			return fmt.Errorf("recording: %w", err)
		}
		if _, err := r.files[i].Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("recording: %w", err)
		}
	}
	w := bufio.NewWriterSize(dst, 64<<10)
	data := uint32(frames * 4)
	hdr := []any{[4]byte{'R', 'I', 'F', 'F'}, 36 + data, [4]byte{'W', 'A', 'V', 'E'}, [4]byte{'f', 'm', 't', ' '},
		uint32(16), uint16(1), uint16(2), uint32(8000), uint32(8000 * 4), uint16(4), uint16(16), [4]byte{'d', 'a', 't', 'a'}, data}
	for _, v := range hdr {
		if err := binary.Write(w, binary.LittleEndian, v); err != nil {
			return fmt.Errorf("recording: %w", err)
		}
	}
	rd := [2]*bufio.Reader{bufio.NewReaderSize(r.files[0], 32<<10), bufio.NewReaderSize(r.files[1], 32<<10)}
	var s [2][2]byte
	for range frames {
		for c := range rd {
			if _, err := io.ReadFull(rd[c], s[c][:]); err != nil {
				s[c] = [2]byte{} // this side's audio ended: silence
			}
		}
		out := [4]byte{s[0][0], s[0][1], s[1][0], s[1][1]}
		if _, err := w.Write(out[:]); err != nil {
			return fmt.Errorf("recording: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	return nil
}

func (r *stereoRecorder) close() {
	var errs []error
	for i, f := range r.files {
		if f != nil {
			errs = append(errs, f.Close(), os.Remove(f.Name()))
			r.files[i] = nil
		}
	}
	_ = errors.Join(errs...)
}
