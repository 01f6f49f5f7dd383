package telephony

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/zaf/g711"
)

// frameSamples is one 20 ms G.711 frame at 8 kHz.
const frameSamples = 160

// leg is one side's media: a reader goroutine decodes what the far end sends (and its RFC 4733
// keys), a writer goroutine sends 20 ms frames from the current source, or silence.
type leg struct {
	med    *diago.DialogMedia
	codec  media.Codec
	r      io.Reader
	w      io.Writer
	dtmf   *diago.DTMFReader
	digits chan rune

	mu      sync.Mutex
	src     source
	onAudio func(pcm []int16, at time.Time)

	q *Quality // where this leg counts what it receives
}

// Quality counts the audio packets the far ends sent hotline: received, lost (gaps in the RTP
// sequence) and late (arriving more than lateAfter behind their RTP timestamp, relative to the
// earliest packet of the same two seconds: what a 60 ms jitter buffer would have dropped).
type Quality struct {
	Received, Lost, Late atomic.Int64
}

const lateAfter = 60 * time.Millisecond

// playout tracks one leg's stream against its RTP clock.
type playout struct {
	started bool
	seq     uint16
	ts0     uint32
	t0      time.Time
	minLag  time.Duration
	haveMin bool
	ts      uint32    // last audio timestamp
	last    time.Time // its arrival
}

func (p *playout) packet(q *Quality, seq uint16, ts uint32, now time.Time, audio bool) {
	if q == nil {
		return
	}
	if !p.started {
		p.started, p.seq = true, seq
	} else {
		if d := seq - p.seq; d > 1 && d < 1000 {
			q.Lost.Add(int64(d - 1))
		}
		if int16(seq-p.seq) > 0 {
			p.seq = seq
		}
	}
	if !audio {
		return // a key event's timestamp is its start: not a playout time
	}
	q.Received.Add(1)
	// A new talk spurt or a sender that restarted its timestamps (a new prompt) starts a new
	// reference: lateness is measured within a stream, not across its restarts.
	// References last two seconds: a sender whose clock runs slow (it drifts later and later)
	// is what a jitter buffer adapts to, not late packets.
	if step := int32(ts - p.ts); !p.haveMin || step <= 0 || step > 8000 || now.Sub(p.last) > time.Second || now.Sub(p.t0) > 2*time.Second {
		p.ts0, p.t0, p.haveMin = ts, now, false
	}
	p.ts, p.last = ts, now
	due := time.Duration(int64(int32(ts-p.ts0))) * time.Second / 8000
	lag := now.Sub(p.t0) - due
	if !p.haveMin || lag < p.minLag {
		p.minLag, p.haveMin = lag, true
	}
	if lag-p.minLag > lateAfter {
		q.Late.Add(1)
	}
}

// source is what a leg sends: next fills one frame and says false once it has nothing more.
type source interface {
	next(frame []int16) bool
}

func newLeg(med *diago.DialogMedia, q *Quality) (*leg, error) {
	l := &leg{med: med, digits: make(chan rune, 32), q: q}
	var rp, wp diago.MediaProps
	var err error
	l.dtmf, err = med.AudioReaderDTMF()
	if err != nil {
		// No telephone-event negotiated: audio only, keys cannot be read.
		if l.r, err = med.AudioReader(diago.WithAudioReaderMediaProps(&rp)); err != nil {
			return nil, fmt.Errorf("reading media: %w", err)
		}
		l.dtmf = nil
	} else {
		if _, err = med.AudioReader(diago.WithAudioReaderMediaProps(&rp)); err != nil {
			return nil, fmt.Errorf("reading media: %w", err)
		}
		l.r = l.dtmf
		l.dtmf.OnDTMF(func(d rune) error {
			select {
			case l.digits <- d:
			default: // a caller drumming on the keypad loses keys, not the call
			}
			return nil
		})
	}
	if l.w, err = med.AudioWriter(diago.WithAudioWriterMediaProps(&wp)); err != nil {
		return nil, fmt.Errorf("writing media: %w", err)
	}
	l.codec = rp.Codec
	if !l.codec.Matches(media.CodecAudioAlaw) && !l.codec.Matches(media.CodecAudioUlaw) {
		return nil, fmt.Errorf("codec %s negotiated: only G.711 A-law and μ-law are supported", l.codec.Name)
	}
	return l, nil
}

// run reads and writes until ctx ends or the media closes.
func (l *leg) run(ctx context.Context) {
	go l.readLoop()
	l.writeLoop(ctx)
}

func (l *leg) readLoop() {
	buf := make([]byte, media.RTPBufSize)
	pcm := make([]int16, 0, frameSamples)
	decode := g711.DecodeUlawFrame
	if l.codec.Matches(media.CodecAudioAlaw) {
		decode = g711.DecodeAlawFrame
	}
	pt := l.codec.PayloadTypeRecv()
	var po playout
	for {
		n, err := l.r.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		h := &l.med.RTPPacketReader.PacketHeader
		po.packet(l.q, h.SequenceNumber, h.Timestamp, now, h.PayloadType == pt)
		if h.PayloadType != pt {
			continue // a key event (read above), comfort noise, …
		}
		pcm = pcm[:0]
		for _, b := range buf[:n] {
			pcm = append(pcm, decode(b))
		}
		l.mu.Lock()
		f := l.onAudio
		l.mu.Unlock()
		if f != nil {
			f(pcm, now)
		}
	}
}

func (l *leg) writeLoop(ctx context.Context) {
	frame := make([]int16, frameSamples)
	out := make([]byte, frameSamples)
	encode := g711.EncodeUlawFrame
	if l.codec.Matches(media.CodecAudioAlaw) {
		encode = g711.EncodeAlawFrame
	}
	for ctx.Err() == nil {
		l.mu.Lock()
		s := l.src
		l.mu.Unlock()
		if s == nil || !s.next(frame) {
			clear(frame)
		}
		for i, v := range frame {
			out[i] = encode(v)
		}
		// The writer paces: this returns at the next 20 ms tick.
		if _, err := l.w.Write(out); err != nil {
			return
		}
	}
}

// send makes s what the leg sends from the next frame on (nil: silence).
func (l *leg) send(s source) {
	l.mu.Lock()
	l.src = s
	l.mu.Unlock()
}

// swap makes next what the leg sends if it is still sending cur.
func (l *leg) swap(cur, next source) {
	l.mu.Lock()
	if l.src == cur {
		l.src = next
	}
	l.mu.Unlock()
}

// listen hands every frame the far end sends to f (nil: nobody listens).
func (l *leg) listen(f func(pcm []int16, at time.Time)) {
	l.mu.Lock()
	l.onAudio = f
	l.mu.Unlock()
}

// drainDigits forgets keys pressed before a prompt.
func (l *leg) drainDigits() {
	for {
		select {
		case <-l.digits:
		default:
			return
		}
	}
}

// playback plays samples once or in a loop; done closes at the end or on stop.
type playback struct {
	mu      sync.Mutex
	samples []int16
	pos     int
	loop    bool
	stopped bool
	done    chan struct{}
}

func newPlayback(samples []int16, loop bool) *playback {
	p := &playback{samples: samples, loop: loop, done: make(chan struct{})}
	if len(samples) == 0 {
		p.finish()
	}
	return p
}

func (p *playback) next(frame []int16) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	n := copy(frame, p.samples[p.pos:])
	clear(frame[n:])
	p.pos += n
	if p.pos >= len(p.samples) {
		if !p.loop {
			p.finishLocked()
			return n > 0
		}
		p.pos = 0
	}
	return true
}

func (p *playback) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}

func (p *playback) finish() { p.stop() }

func (p *playback) finishLocked() {
	if !p.stopped {
		p.stopped = true
		close(p.done)
	}
}

// relay carries one leg's audio to the other: a short queue of frames that drops the oldest
// when the far side's packets come faster than ours go out (clocks drift), so the delay stays
// under 100 ms.
type relay struct {
	mu     sync.Mutex
	frames [][]int16
}

const relayMax = 5

func (r *relay) push(pcm []int16, _ time.Time) {
	f := append([]int16(nil), pcm...)
	r.mu.Lock()
	if len(r.frames) >= relayMax {
		r.frames = r.frames[1:]
	}
	r.frames = append(r.frames, f)
	r.mu.Unlock()
}

func (r *relay) next(frame []int16) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.frames) == 0 {
		clear(frame)
		return true
	}
	n := copy(frame, r.frames[0])
	clear(frame[n:])
	r.frames = r.frames[1:]
	return true
}

// hold is music on hold with the caller's place in the queue announced before each round:
// announce says it (nil: nothing to say).
type hold struct {
	music    []int16
	announce func() []int16
	mu       sync.Mutex
	cur      *playback
	stopped  bool
}

func (h *hold) next(frame []int16) bool {
	h.mu.Lock()
	cur, stopped := h.cur, h.stopped
	h.mu.Unlock()
	if stopped {
		return false
	}
	if cur != nil && cur.next(frame) {
		return true
	}
	round := append(h.announce(), h.music...)
	cur = newPlayback(round, false)
	h.mu.Lock()
	h.cur = cur
	h.mu.Unlock()
	return cur.next(frame)
}

func (h *hold) stop() {
	h.mu.Lock()
	h.stopped = true
	h.mu.Unlock()
}
