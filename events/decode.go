package events

import (
	"bytes"
	json "github.com/goccy/go-json"
	"fmt"
	"time"
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
