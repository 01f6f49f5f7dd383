package qa

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zaf/g711"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// rawWAV builds a WAV header by hand, for encodings go-audio cannot write.
func rawWAV(format uint16, channels uint16, rate uint32, bits uint16, dataLen uint32, data []byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + len(data)))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(format)
	le(channels)
	le(rate)
	le(rate * uint32(channels) * uint32(bits) / 8)
	le(channels * bits / 8)
	le(bits)
	b.WriteString("data")
	le(dataLen)
	b.Write(data)
	return b.Bytes()
}

// G.711 files (A-law, μ-law) read back as the 16-bit samples the codec's expansion gives, with
// the frame count of one byte per sample.
func TestPCMReaderG711(t *testing.T) {
	samples := []int16{0, 8, -8, 1000, -1000, 32000, -32000, 1234, -4321, 77}
	for _, c := range []struct {
		tag      uint16
		enc      func(int16) uint8
		dec      func(uint8) int16
		channels int
	}{
		{wavFormatALaw, g711.EncodeAlawFrame, g711.DecodeAlawFrame, 1},
		{wavFormatMuLaw, g711.EncodeUlawFrame, g711.DecodeUlawFrame, 2},
	} {
		t.Run(formatName(c.tag), func(t *testing.T) {
			r, err := NewPCMReader(bytes.NewReader(must(os.ReadFile(writeG711WAV(t, t.TempDir(), c.tag, 8000, c.channels, samples)))))
			if err != nil {
				t.Fatal(err)
			}
			if r.Frames != int64(len(samples)/c.channels) || r.Channels != c.channels || r.SampleRate != 8000 {
				t.Fatalf("format %+v, want %d frames of %d channels at 8000 Hz", r.Format, len(samples)/c.channels, c.channels)
			}
			got := make([]int16, 64)
			n, err := r.Read(got)
			if err != nil || n != len(samples) {
				t.Fatalf("read %d samples (%v), want %d", n, err, len(samples))
			}
			for i, s := range samples {
				want := c.dec(c.enc(s))
				if got[i] != want {
					t.Errorf("sample %d: %d, want %d (from %d)", i, got[i], want, s)
				}
				// G.711's quantisation error is under 1/16 of the value's magnitude plus a step.
				if d := math.Abs(float64(got[i]) - float64(s)); d > math.Abs(float64(s))/16+16 {
					t.Errorf("sample %d: %d is %v away from %d", i, got[i], d, s)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPCMReaderRejects(t *testing.T) {
	pcm := make([]byte, 1600)
	cases := []struct {
		name string
		file []byte
		want error
		msg  string
	}{
		{"mp3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00 not a wav at all"), ErrNotWAV, "no RIFF/WAVE header"},
		{"empty", nil, ErrNotWAV, "no RIFF/WAVE header"},
		{"16-bit a-law", rawWAV(6, 1, 8000, 16, 1600, pcm), ErrUnsupported, "A-law with 16-bit samples"},
		{"gsm", rawWAV(0x31, 1, 8000, 8, 800, pcm[:800]), ErrUnsupported, "GSM 6.10"},
		{"8-bit", rawWAV(1, 1, 8000, 8, 800, pcm[:800]), ErrUnsupported, "8-bit"},
		{"44.1 kHz", rawWAV(1, 1, 44100, 16, 1600, pcm), ErrUnsupported, "44100 Hz"},
		{"3 channels", rawWAV(1, 3, 8000, 16, 1596, pcm[:1596]), ErrChannelLayout, "3 channels"},
		{"truncated data", rawWAV(1, 2, 8000, 16, 16000, pcm), ErrTruncated, "declares 16000 bytes"},
		{"header only", rawWAV(1, 2, 8000, 16, 16000, nil)[:30], ErrTruncated, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewPCMReader(bytes.NewReader(c.file))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
	// And a good mono 16 kHz file reads back exactly.
	samples := []int16{0, 1, -1, 32767, -32768, 1234}
	var data bytes.Buffer
	_ = binary.Write(&data, binary.LittleEndian, samples)
	r, err := NewPCMReader(bytes.NewReader(rawWAV(1, 1, 16000, 16, uint32(data.Len()), data.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int16, 16)
	n, err := r.Read(got)
	if err != nil || n != len(samples) || !slicesEqual(got[:n], samples) || r.Frames != int64(len(samples)) {
		t.Fatalf("read %v (%d, %v), want %v", got[:n], n, err, samples)
	}
}

func slicesEqual(a, b []int16) bool { return bytes.Equal(int16Bytes(a), int16Bytes(b)) }
func int16Bytes(s []int16) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, s)
	return b.Bytes()
}

func TestStorePutDeleteRetention(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clk := clock.NewSim(start)
	sink := &collect{}
	root := t.TempDir()
	st, err := OpenStore(root, sink, WithClock(clk), WithAutoAnalysis(DefaultAnalyzerConfig()))
	if err != nil {
		t.Fatal(err)
	}
	tl := Timeline{{SegAgent, 2 * time.Second}, {SegSilence, time.Second}, {SegCustomer, 2 * time.Second}}
	put := func(call, campaign string, seed int64) events.RecordingStored {
		f := synthFile(t, tl, 8000, seed)
		f.Seek(0, 0)
		rec, err := st.Put(ctx, f, RecordingMeta{CallID: call, Agent: "a1", CampaignType: campaign})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	service := put("c-service", "", 1)
	sales := put("c-sales", events.CampaignTelemarketing, 2)
	if again := put("c-service", "", 1); again.RecordingID != service.RecordingID {
		t.Errorf("same bytes stored twice under %s and %s", service.RecordingID, again.RecordingID)
	}
	if got := len(sink.ofType(events.TypeRecordingStored)); got != 2 {
		t.Errorf("%d recording.stored events, want 2 (the duplicate emits none)", got)
	}
	if got := len(sink.ofType(events.TypeRecordingAnalysis)); got != 2 {
		t.Errorf("%d recording.analysis events, want 2", got)
	}
	if !strings.HasPrefix(service.Checksum, "sha256:") || !strings.Contains(service.Path, service.RecordingID) || service.Channels != 2 || service.SampleRate != 8000 || service.DurationSec != 5 {
		t.Errorf("metadata %+v", service)
	}
	if err := st.Verify(service.RecordingID); err != nil {
		t.Error(err)
	}
	if want := start.Add(2 * Year); !service.RetainUntil.Equal(want) {
		t.Errorf("service retained until %s, want %s", service.RetainUntil, want)
	}
	if want := start.Add(5 * Year); !sales.RetainUntil.Equal(want) {
		t.Errorf("sales retained until %s, want %s", sales.RetainUntil, want)
	}
	// The index is rebuilt from disk.
	st2, err := OpenStore(root, sink, WithClock(clk))
	if err != nil || len(st2.List()) != 2 {
		t.Fatalf("reopened store has %d recordings (%v), want 2", len(st2.List()), err)
	}
	// A sales recording cannot be deleted on request before its time.
	if err := st.Delete(ctx, sales.RecordingID, "request", "qa1"); err == nil {
		t.Error("deleted a sales recording on request inside its 5 years")
	}
	// Tampering is detected.
	p := filepath.Join(root, service.Path)
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 0xff
	_ = os.WriteFile(p, b, 0o644)
	if err := st.Verify(service.RecordingID); err == nil {
		t.Error("verify accepted a modified file")
	}
	// Retention: after 3 years only the sales recording is left; after 5, none.
	clk.Advance(3 * Year)
	if n, err := st.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	if _, ok := st.Get(sales.RecordingID); !ok {
		t.Error("sales recording expired after 3 years")
	}
	clk.Advance(2*Year + time.Second)
	if n, err := st.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	dels := sink.ofType(events.TypeRecordingDeleted)
	if len(dels) != 2 || dels[0].Payload.(events.RecordingDeleted).Reason != "retention" {
		t.Errorf("deletion events %+v", dels)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("expired file still on disk: %v", err)
	}
}

func TestRetentionValidate(t *testing.T) {
	r := DefaultRetention()
	r.ByCampaignType[events.CampaignTelemarketing] = 3 * Year
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "5 years") {
		t.Errorf("3-year sales retention accepted: %v", err)
	}
	r = DefaultRetention()
	r.Default = 6 * Year
	if got := r.For(events.CampaignRenewal); got != 6*Year {
		t.Errorf("renewal kept %s with a 6-year default", got)
	}
}

// Recorders often put LIST (metadata) or fact chunks between fmt and data; the reader skips them.
func TestPCMReaderSkipsExtraChunks(t *testing.T) {
	samples := []int16{5, -5, 300, -300, 7, 8}
	var data bytes.Buffer
	_ = binary.Write(&data, binary.LittleEndian, samples)
	plain := rawWAV(1, 2, 8000, 16, uint32(data.Len()), data.Bytes())
	for _, extra := range [][]byte{
		append([]byte("LIST\x0c\x00\x00\x00INFOISFT\x00\x00\x00\x00"), nil...),
		[]byte("fact\x04\x00\x00\x00\x03\x00\x00\x00"),
		[]byte("junk\x03\x00\x00\x00abc\x00"), // odd size, padded
	} {
		f := append(append(append([]byte{}, plain[:36]...), extra...), plain[36:]...)
		binary.LittleEndian.PutUint32(f[4:], uint32(len(f)-8))
		r, err := NewPCMReader(bytes.NewReader(f))
		if err != nil {
			t.Fatalf("with %q: %v", extra[:4], err)
		}
		got := make([]int16, 16)
		n, _ := r.Read(got)
		if !slicesEqual(got[:n], samples) || r.Channels != 2 || r.Frames != 3 {
			t.Errorf("with %q: read %v", extra[:4], got[:n])
		}
	}
}

// A recording whose stored event cannot be published is not kept, so a retry announces it.
func TestStorePutRetriesAfterPublishFailure(t *testing.T) {
	sink := &switchSink{broken: true}
	st, err := OpenStore(t.TempDir(), sink)
	if err != nil {
		t.Fatal(err)
	}
	f := synthFile(t, Timeline{{SegAgent, time.Second}}, 8000, 1)
	f.Seek(0, 0)
	if _, err := st.Put(context.Background(), f, RecordingMeta{CallID: "c1"}); err == nil {
		t.Fatal("put succeeded with the event log down")
	}
	if len(st.List()) != 0 {
		t.Fatal("unannounced recording kept")
	}
	sink.broken = false
	f.Seek(0, 0)
	if _, err := st.Put(context.Background(), f, RecordingMeta{CallID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.ofType(events.TypeRecordingStored)); n != 1 {
		t.Errorf("%d stored events after the retry, want 1", n)
	}
}
