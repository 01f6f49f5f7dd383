package events

import (
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// DecodeError says why bytes are not a valid event; Reason is what goes to the dead letters.
type DecodeError struct {
	Reason string
	Err    error
}

func (e *DecodeError) Error() string { return e.Reason }
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErr(err error, format string, args ...any) *DecodeError {
	return &DecodeError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// Decode parses and validates one event. now bounds how far in the future occurred_at may lie.
// Every failure is a *DecodeError whose Reason names the field.
func Decode(data []byte, now time.Time) (Event, error) {
	// The contract is UTF-8 JSON. A JSON decoder replaces invalid bytes in strings with U+FFFD;
	// storing that would change names and notes without anyone knowing, so such a message is
	// refused whole and goes to the dead letters.
	if !utf8.Valid(data) {
		return Event{}, decodeErr(nil, "not valid UTF-8 (first invalid byte at offset %d)", firstInvalidUTF8(data))
	}
	// One pass, straight into the typed payload, when the type can be read ahead (producers
	// write it before the payload); two passes through a raw payload otherwise.
	if t, ok := peekType(data); ok {
		if s, known := specOf(t); known {
			ev, err := s.decode(data)
			if err != nil {
				return Event{}, decodeErr(err, "decoding %s event: %v", t, err)
			}
			if ev.Type != t {
				return Event{}, decodeErr(nil, "type: given twice, as %q and %q", t, ev.Type)
			}
			if ev.Payload == nil {
				return Event{}, decodeErr(nil, "payload: missing")
			}
			ev.OccurredAt = ev.OccurredAt.UTC()
			if err := ev.Validate(now); err != nil {
				return Event{}, decodeErr(err, "%v", err)
			}
			return ev, nil
		}
	}
	var w envelopeJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return Event{}, decodeErr(err, "decoding envelope: %v", err)
	}
	s, ok := specOf(w.Type)
	if !ok {
		if w.Type == "" {
			return Event{}, decodeErr(nil, "type: missing")
		}
		return Event{}, decodeErr(nil, "type: %q is not a known event type", w.Type)
	}
	if len(w.Payload) == 0 || bytes.Equal(w.Payload, []byte("null")) {
		return Event{}, decodeErr(nil, "payload: missing")
	}
	p := s.new()
	if err := json.Unmarshal(w.Payload, p); err != nil {
		return Event{}, decodeErr(err, "decoding %s payload: %v", w.Type, err)
	}
	ev := Event{
		EventID:       w.EventID,
		Type:          w.Type,
		SchemaVersion: w.SchemaVersion,
		OccurredAt:    w.OccurredAt.UTC(),
		Source:        w.Source,
		Tenant:        w.Tenant,
		Payload:       deref(p),
	}
	if err := ev.Validate(now); err != nil {
		return Event{}, decodeErr(err, "%v", err)
	}
	return ev, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// envelopeOf is the wire form of an event whose payload type is known.
type envelopeOf[P Payload] struct {
	EventID       uuid.UUID `json:"event_id"`
	Type          Type      `json:"type"`
	SchemaVersion int       `json:"schema_version"`
	OccurredAt    time.Time `json:"occurred_at"`
	Source        string    `json:"source"`
	Tenant        string    `json:"tenant"`
	Payload       *P        `json:"payload"`
}

func decodeAs[P Payload](data []byte) (Event, error) {
	var w envelopeOf[P]
	if err := json.Unmarshal(data, &w); err != nil {
		return Event{}, err
	}
	ev := Event{EventID: w.EventID, Type: w.Type, SchemaVersion: w.SchemaVersion, OccurredAt: w.OccurredAt, Source: w.Source, Tenant: w.Tenant}
	if w.Payload != nil {
		ev.Payload = *w.Payload
	}
	return ev, nil
}

// peekType finds the envelope's "type" without decoding the rest; false when it is not a plain
// string near the start.
func peekType(data []byte) (Type, bool) {
	head := data[:min(len(data), 256)]
	i := bytes.Index(head, []byte(`"type":"`))
	if i < 0 {
		return "", false
	}
	rest := head[i+len(`"type":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return Type(rest[:j]), true
}

// deref turns the pointer the decoder filled back into the value type producers use, so a
// decoded event equals the one that was encoded.
func deref(p Payload) Payload {
	switch v := p.(type) {
	case *CallRecord:
		return *v
	case *CallLifecycle:
		return *v
	case *CallbackRequested:
		return *v
	case *AgentState:
		return *v
	case *DialAttempt:
		return *v
	case *SMS:
		return *v
	case *SurveyResponse:
		return *v
	case *Complaint:
		return *v
	case *QAEvaluation:
		return *v
	case *RecordingStored:
		return *v
	case *RecordingDeleted:
		return *v
	case *RecordingAnalysis:
		return *v
	case *RecordingAccessed:
		return *v
	case *Customer:
		return *v
	case *Policy:
		return *v
	case *Claim:
		return *v
	}
	return p
}

// Encode writes an event as JSON after validating it, so no producer can publish what ingest
// would dead-letter.
func Encode(e Event, now time.Time) ([]byte, error) {
	if err := e.Validate(now); err != nil {
		return nil, fmt.Errorf("validating %s event: %w", e.Type, err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encoding %s event: %w", e.Type, err)
	}
	return b, nil
}
