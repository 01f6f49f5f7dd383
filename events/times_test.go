package events_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/seed-1c4692e8/hotline/events"
)

// Every time of every event type is held to a range ClickHouse stores without wrapping around
// (its DateTime ends in 2106): a call that arrived in 9999 is dead-lettered, not stored as 2106.
// The fields are found by reflection, so a time field added later is covered too.
func TestEveryTimeOutsideTheRangeIsRefused(t *testing.T) {
	bad := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	timeType := reflect.TypeFor[time.Time]()
	fields := 0
	for _, typ := range events.Types() {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", string(typ)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := events.Decode(b, goldenNow)
		if err != nil {
			t.Fatal(err)
		}
		pt := reflect.TypeOf(ev.Payload)
		for i := range pt.NumField() {
			f := pt.Field(i)
			if f.Type != timeType && f.Type != reflect.PointerTo(timeType) {
				continue
			}
			fields++
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			for _, at := range bad {
				p := reflect.New(pt).Elem()
				p.Set(reflect.ValueOf(ev.Payload))
				if f.Type == timeType {
					p.Field(i).Set(reflect.ValueOf(at))
				} else {
					p.Field(i).Set(reflect.ValueOf(&at))
				}
				bad := ev
				bad.Payload = p.Interface().(events.Payload)
				wire, err := json.Marshal(bad)
				if err != nil {
					t.Fatal(err)
				}
				_, err = events.Decode(wire, goldenNow)
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Errorf("%s with %s at %s: error %v, want one naming %s", typ, name, at.Format(time.RFC3339), err, name)
				}
			}
		}
	}
	if fields < 20 {
		t.Errorf("found %d time fields over all event types; the contract has more", fields)
	}
}

func TestInvalidUTF8IsRefused(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", string(events.TypeCustomer)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"name": "`) + len(`"name": "`)
	broken := append(append(append([]byte{}, b[:i]...), 0xff, 0xfe), b[i:]...)
	_, err = events.Decode(broken, goldenNow)
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("a customer whose name holds bytes 0xff 0xfe decoded with error %v, want a UTF-8 error", err)
	}
	if !strings.Contains(err.Error(), "offset "+strconv.Itoa(i)) {
		t.Errorf("error %q does not give the offset %d of the first invalid byte", err, i)
	}
}
