package events_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var goldenNow = time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)

// goldenEvents picks, from a seeded generator, the first event of every type: the fixtures show
// what each type looks like on the wire, and any change to the contract shows up as a diff.
func goldenEvents(t *testing.T) map[events.Type][]byte {
	g := eventgen.New(2026, 5000, 0, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), "GD")
	out := map[events.Type][]byte{}
	for {
		m, ok := g.Next()
		if !ok {
			break
		}
		ev, err := events.Decode(m.Value, goldenNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, seen := out[ev.Type]; !seen {
			var buf bytes.Buffer
			json.Indent(&buf, m.Value, "", "  ")
			out[ev.Type] = append(buf.Bytes(), '\n')
		}
	}
	return out
}

func TestGoldenFixturesDecodeAndRoundTrip(t *testing.T) {
	if *update {
		for typ, b := range goldenEvents(t) {
			if err := os.WriteFile(filepath.Join("testdata", "golden", string(typ)+".json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, typ := range events.Types() {
		t.Run(string(typ), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "golden", string(typ)+".json"))
			if err != nil {
				t.Fatalf("no golden fixture for %s (go test ./events -update writes them): %v", typ, err)
			}
			ev, err := events.Decode(b, goldenNow)
			if err != nil {
				t.Fatalf("golden %s does not decode: %v", typ, err)
			}
			if ev.Type != typ || ev.Topic() != events.TopicOf(typ) || ev.Key() == "" {
				t.Fatalf("decoded type %s topic %q key %q", ev.Type, ev.Topic(), ev.Key())
			}
			again, err := events.Encode(ev, goldenNow)
			if err != nil {
				t.Fatal(err)
			}
			ev2, err := events.Decode(again, goldenNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ev, ev2) {
				t.Fatalf("round trip changed the event:\n%+v\n%+v", ev, ev2)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "golden", "call.record.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown type", `"type": "call.record"`, `"type": "call.teleported"`, "not a known event type"},
		{"future schema", `"schema_version": 1`, `"schema_version": 7`, "schema_version"},
		{"bad phone", `"phone": "+86`, `"phone": "86`, "E.164"},
		{"missing call id", `"call_id": "`, `"call_id": "" , "x": "`, "call_id: missing"},
		{"bad enum", `"direction": "inbound"`, `"direction": "sideways"`, "direction"},
		{"far future", `"occurred_at": "2026`, `"occurred_at": "2036`, "in the future"},
		{"negative seconds", `"ivr_sec": `, `"ivr_sec": -`, "ivr_sec"},
		{"not json", `{`, `[`, "decoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(base, []byte(tt.from)) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			bad := bytes.Replace(base, []byte(tt.from), []byte(tt.to), 1)
			_, err := events.Decode(bad, goldenNow)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error = %v, want one mentioning %q", err, tt.want)
			}
			var de *events.DecodeError
			if !errorsAs(err, &de) || de.Reason == "" {
				t.Fatalf("error %T is not a *DecodeError with a reason", err)
			}
		})
	}
}

func errorsAs(err error, target **events.DecodeError) bool {
	de, ok := err.(*events.DecodeError)
	if ok {
		*target = de
	}
	return ok
}

func FuzzDecode(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("testdata", "golden"))
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("testdata", "golden", e.Name()))
		f.Add(b)
	}
	f.Add([]byte(`{"type":"call.record","payload":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := events.Decode(data, goldenNow)
		if err != nil {
			if _, ok := err.(*events.DecodeError); !ok {
				t.Fatalf("error is %T, not *DecodeError: %v", err, err)
			}
			return
		}
		// Whatever decodes must be valid and survive a round trip.
		b, err := events.Encode(ev, goldenNow)
		if err != nil {
			t.Fatalf("decoded event does not encode: %v", err)
		}
		if _, err := events.Decode(b, goldenNow); err != nil {
			t.Fatalf("re-encoded event does not decode: %v\n%s", err, b)
		}
	})
}
