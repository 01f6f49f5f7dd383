package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type appendItem struct {
	Code  string  `json:"code"`
	Score float64 `json:"score"`
}

// appendSample has a field of every kind payloads use.
type appendSample struct {
	Name   string       `json:"name"`
	Count  int          `json:"count"`
	Size   int64        `json:"size"`
	OK     bool         `json:"ok"`
	Ratio  float64      `json:"ratio"`
	At     time.Time    `json:"at"`
	Until  *time.Time   `json:"until_at"`
	Seen   time.Time    `json:"seen_at"`
	Rating *int         `json:"rating"`
	Agreed *bool        `json:"agreed"`
	Tags   []string     `json:"tags"`
	Items  []appendItem `json:"items"`
}

func TestFieldAppendersReadEveryKindAtItsOffset(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	until := at.Add(time.Hour + 400*time.Millisecond + 900*time.Microsecond)
	rating := 4
	agreed := true
	full := appendSample{Name: "Zhang", Count: -3, Size: 1 << 40, OK: true, Ratio: 0.25, At: at, Until: &until,
		Rating: &rating, Agreed: &agreed, Tags: []string{"a", "b"}, Items: []appendItem{{"greet", 1}, {"close", 0.5}}}
	full.Seen = at.Add(999 * time.Millisecond)
	empty := appendSample{At: at}

	rt := reflect.TypeFor[appendSample]()
	fields := payloadFields(rt)
	tests := []struct {
		column, chType string
		want           [2]string // the column's value for full and for empty, as Arrow prints it
	}{
		{"name", "LowCardinality(String)", [2]string{`"Zhang"`, `""`}},
		{"count", "Int32", [2]string{"-3", "0"}},
		{"size", "Int64", [2]string{"1099511627776", "0"}},
		{"ok", "UInt8", [2]string{"1", "0"}},
		{"ratio", "Float64", [2]string{"0.25", "0"}},
		{"at", "DateTime", [2]string{"2026-11-02T09:00:00Z", "2026-11-02T09:00:00Z"}},
		{"until_at", "Nullable(DateTime)", [2]string{"2026-11-02T10:00:00Z", "(null)"}},
		{"until_ms", "UInt16", [2]string{"400", "0"}}, // the millisecond of a nullable time, 0 when NULL
		{"seen_ms", "UInt16", [2]string{"999", "0"}},
		{"rating", "Nullable(UInt8)", [2]string{"4", "(null)"}},
		{"agreed", "Nullable(UInt8)", [2]string{"1", "(null)"}},
		{"tags", "Array(String)", [2]string{`["a" "b"]`, "[]"}},
		{"items.code", "Array(String)", [2]string{`["greet" "close"]`, "[]"}},
		{"items.score", "Array(Float64)", [2]string{"[1 0.5]", "[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.column, func(t *testing.T) {
			ct := parseCHType(tt.chType)
			app, err := newFieldAppender(rt, fields[tt.column], ct)
			if err != nil {
				t.Fatal(err)
			}
			b, err := newBuilder(memory.NewGoAllocator(), ct)
			if err != nil {
				t.Fatal(err)
			}
			app(unsafe.Pointer(&full), b)
			app(unsafe.Pointer(&empty), b)
			arr := b.NewArray()
			defer arr.Release()
			for i, want := range tt.want {
				if got := valueString(arr, i); got != want {
					t.Errorf("row %d: got %s, want %s", i, got, want)
				}
			}
		})
	}
}

func valueString(arr interface {
	IsNull(int) bool
	ValueStr(int) string
}, i int) string {
	if arr.IsNull(i) {
		return "(null)"
	}
	if l, ok := arr.(*array.List); ok {
		start, end := l.ValueOffsets(i)
		var parts []string
		for j := start; j < end; j++ {
			v := l.ListValues().ValueStr(int(j))
			if _, isStr := l.ListValues().(*array.String); isStr {
				v = `"` + v + `"`
			}
			parts = append(parts, v)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	if s, ok := arr.(*array.String); ok {
		return `"` + s.Value(i) + `"`
	}
	return arr.ValueStr(i)
}

func TestFieldAppenderRejectsAMismatchedColumn(t *testing.T) {
	rt := reflect.TypeFor[appendSample]()
	fields := payloadFields(rt)
	tests := []struct{ column, chType, want string }{
		{"name", "Int32", "does not fit"},
		{"count", "String", "does not fit"},
		{"until_at", "DateTime", "needs a Nullable column"},
		{"until_ms", "Float64", "need an integer column"},
		{"tags", "String", "does not fit"},
		{"items.code", "String", "needs an Array column"},
	}
	for _, tt := range tests {
		_, err := newFieldAppender(rt, fields[tt.column], parseCHType(tt.chType))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s as %s: got %v, want an error saying %q", tt.column, tt.chType, err, tt.want)
		}
	}
}
