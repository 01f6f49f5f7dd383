package ingest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// TableOf is the ClickHouse fact table each event type is stored in.
func TableOf(t events.Type) string {
	switch t {
	case events.TypeCallRecord:
		return "call_records"
	case events.TypeCallLifecycle:
		return "call_events"
	case events.TypeCallbackRequested:
		return "callback_requests"
	case events.TypeAgentState:
		return "agent_states"
	case events.TypeDialAttempt:
		return "dial_attempts"
	case events.TypeSMS:
		return "sms_messages"
	case events.TypeSurveyResponse:
		return "survey_responses"
	case events.TypeComplaint:
		return "complaints"
	case events.TypeQAEvaluation:
		return "qa_evaluations"
	case events.TypeRecordingStored:
		return "recordings"
	case events.TypeRecordingDeleted:
		return "recording_deletions"
	case events.TypeRecordingAnalysis:
		return "recording_analyses"
	case events.TypeRecordingAccessed:
		return "recording_access"
	case events.TypeCustomer:
		return "customers"
	case events.TypePolicy:
		return "policies"
	case events.TypeClaim:
		return "claims"
	}
	return ""
}

// DeadLetterTable holds what could not be stored, with the reason.
const DeadLetterTable = "dead_letters"

// Columns every fact table carries: the envelope first, the Kafka position last.
var (
	envelopeColumns = []string{"event_id", "occurred_at", "occurred_ms", "tenant", "source", "schema_version"}
	positionColumns = []string{"kafka_topic", "kafka_partition", "kafka_offset"}
)

// fieldPath locates a column's value inside a payload: the field index, and for a slice of
// structs (ClickHouse Nested) the index of the field inside the element.
type fieldPath struct {
	index    int
	subIndex int // -1 unless the column is one array of a Nested
	// millis: the column is the millisecond (0..999) of a time field's second, the companion
	// of its DateTime column: "answered_ms" of "answered_at", as occurred_ms is of occurred_at.
	// DateTime holds whole seconds on every ClickHouse (no DateTime64 on 18.16), and windows
	// such as "within 24 h" must see the milliseconds the contract carries.
	millis bool
}

// payloadFields maps JSON names to field paths; a slice of structs contributes "name.sub", and
// a time field "x_at" its optional millisecond companion "x_ms".
func payloadFields(t reflect.Type) map[string]fieldPath {
	out := map[string]fieldPath{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			et := f.Type.Elem()
			for j := 0; j < et.NumField(); j++ {
				if sub := jsonName(et.Field(j)); sub != "" {
					out[name+"."+sub] = fieldPath{index: i, subIndex: j}
				}
			}
			continue
		}
		out[name] = fieldPath{index: i, subIndex: -1}
		if stem, ok := strings.CutSuffix(name, "_at"); ok && (f.Type == timeType || f.Type == reflect.PointerTo(timeType)) {
			out[stem+"_ms"] = fieldPath{index: i, subIndex: -1, millis: true}
		}
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// ColumnInfo is one column of a table as the server describes it.
type ColumnInfo struct {
	Name string
	Type string
	// Computed columns (DEFAULT, MATERIALIZED, ALIAS) are filled by the server.
	Computed bool
}

// matchPayload checks that a payload type and a table agree column for column, so that no field
// is silently dropped and no column silently left at its default. It returns the payload field
// path of each payload column, in table order.
func matchPayload(table string, t events.Type, payload reflect.Type, cols []ColumnInfo) ([]ColumnInfo, []fieldPath, error) {
	fields := payloadFields(payload)
	fixed := map[string]bool{}
	for _, c := range append(append([]string{}, envelopeColumns...), positionColumns...) {
		fixed[c] = true
	}
	var pcols []ColumnInfo
	var paths []fieldPath
	seen := map[string]bool{}
	for _, c := range cols {
		if c.Computed || fixed[c.Name] {
			continue
		}
		p, ok := fields[c.Name]
		if !ok {
			return nil, nil, fmt.Errorf("table %s: column %s has no field in %s payload", table, c.Name, t)
		}
		seen[c.Name] = true
		pcols = append(pcols, c)
		paths = append(paths, p)
	}
	for name, p := range fields {
		if !seen[name] && !p.millis { // a table keeps milliseconds only where windows need them
			return nil, nil, fmt.Errorf("table %s: %s payload field %q has no column", table, t, name)
		}
	}
	for _, c := range append(append([]string{}, envelopeColumns...), positionColumns...) {
		if !hasColumn(cols, c) {
			return nil, nil, fmt.Errorf("table %s: missing column %s", table, c)
		}
	}
	return pcols, paths, nil
}

func hasColumn(cols []ColumnInfo, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}
