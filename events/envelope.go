package events

import (
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"time"

	"github.com/google/uuid"
)

// SchemaVersion is the version of the contract this code writes and the newest it reads.
const SchemaVersion = 1

// Type names an event's payload, e.g. "call.record".
type Type string

// Payload is the typed body of an event.
type Payload interface {
	// EventType is the Type the payload is published as.
	EventType() Type
	// Key is the Kafka message key: the entity whose events must stay in order.
	Key() string
	// Validate reports the first field that breaks the contract.
	Validate() error
}

// Event is the envelope every fact travels in.
type Event struct {
	// EventID is assigned by the producer and is the idempotency key end to end.
	EventID uuid.UUID `json:"event_id"`
	// Type names the payload; it decides the topic and the ClickHouse table.
	Type Type `json:"type"`
	// SchemaVersion is the contract version the producer wrote.
	SchemaVersion int `json:"schema_version"`
	// OccurredAt is when the fact happened (not when it was sent), UTC, millisecond precision.
	OccurredAt time.Time `json:"occurred_at"`
	// Source is the producing service and instance, e.g. "routing/acd-1".
	Source string `json:"source"`
	// Tenant is the call centre or branch code, e.g. "GD" for a provincial centre.
	Tenant string `json:"tenant"`
	// Payload is the typed body; its concrete type follows Type.
	Payload Payload `json:"payload"`
}

// New wraps a payload in an envelope with a fresh event id, stamped at occurredAt.
func New(p Payload, occurredAt time.Time, source, tenant string) Event {
	return Event{
		EventID:       uuid.New(),
		Type:          p.EventType(),
		SchemaVersion: SchemaVersion,
		OccurredAt:    occurredAt.UTC().Truncate(time.Millisecond),
		Source:        source,
		Tenant:        tenant,
		Payload:       p,
	}
}

// Topic is the topic name (without prefix) the event goes to.
func (e Event) Topic() string { return TopicOf(e.Type) }

// Key is the Kafka message key of the event.
func (e Event) Key() string {
	if e.Payload == nil {
		return ""
	}
	return e.Payload.Key()
}

// Earliest and latest plausible event times: anything outside is a producer clock or unit bug
// (seconds sent as milliseconds, a zero time), not a fact about the hotline. occurred_at may lie
// at most maxClockSkew ahead of the reader's clock. Times in the payload may lie in the future
// by nature (a policy's end date, a complaint's due date, a recording's retention) and are held
// to [earliestOccurredAt, latestPayloadTime): well inside what ClickHouse's DateTime (up to
// 2106-02-07) and Date (up to 2149-06-06) hold, so no stored time ever wraps around.
var (
	earliestOccurredAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	latestPayloadTime  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	maxClockSkew       = 24 * time.Hour
)

// Validate checks the envelope and the payload. now bounds how far in the future an event may be.
func (e Event) Validate(now time.Time) error {
	if e.EventID == uuid.Nil {
		return errors.New("event_id: missing")
	}
	if e.SchemaVersion < 1 || e.SchemaVersion > SchemaVersion {
		return fmt.Errorf("schema_version: %d is not supported (this build reads 1..%d)", e.SchemaVersion, SchemaVersion)
	}
	if e.OccurredAt.IsZero() {
		return errors.New("occurred_at: missing")
	}
	if e.OccurredAt.Before(earliestOccurredAt) {
		return fmt.Errorf("occurred_at: %s is before %s", e.OccurredAt.Format(time.RFC3339), earliestOccurredAt.Format("2006-01-02"))
	}
	if e.OccurredAt.After(now.Add(maxClockSkew)) {
		return fmt.Errorf("occurred_at: %s is more than %s in the future", e.OccurredAt.Format(time.RFC3339), maxClockSkew)
	}
	if e.Source == "" {
		return errors.New("source: missing")
	}
	if e.Tenant == "" {
		return errors.New("tenant: missing")
	}
	if e.Payload == nil {
		return errors.New("payload: missing")
	}
	if e.Payload.EventType() != e.Type {
		return fmt.Errorf("type: %q does not match payload %q", e.Type, e.Payload.EventType())
	}
	if err := e.Payload.Validate(); err != nil {
		return fmt.Errorf("payload.%w", err)
	}
	if s, ok := e.Payload.(AgentState); ok {
		// A state that began before any event could have is a unit bug (ms sent as s).
		if began := e.OccurredAt.Add(-time.Duration(s.PreviousSec * float64(time.Second))); began.Before(earliestOccurredAt) {
			return fmt.Errorf("payload.previous_sec: %v s puts the start of %s at %s, before %s", s.PreviousSec, s.Previous,
				began.Format(TimeFormat), earliestOccurredAt.Format("2006-01-02"))
		}
	}
	return nil
}

// envelopeJSON is the wire form; the payload is decoded in a second step once Type is known.
type envelopeJSON struct {
	EventID       uuid.UUID       `json:"event_id"`
	Type          Type            `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	OccurredAt    time.Time       `json:"occurred_at"`
	Source        string          `json:"source"`
	Tenant        string          `json:"tenant"`
	Payload       json.RawMessage `json:"payload"`
}

// MarshalJSON writes occurred_at in UTC with milliseconds, whatever zone the value carries.
func (e Event) MarshalJSON() ([]byte, error) {
	type wire struct {
		EventID       uuid.UUID `json:"event_id"`
		Type          Type      `json:"type"`
		SchemaVersion int       `json:"schema_version"`
		OccurredAt    string    `json:"occurred_at"`
		Source        string    `json:"source"`
		Tenant        string    `json:"tenant"`
		Payload       Payload   `json:"payload"`
	}
	return json.Marshal(wire{e.EventID, e.Type, e.SchemaVersion, e.OccurredAt.UTC().Format(TimeFormat), e.Source, e.Tenant, e.Payload})
}

// TimeFormat is how every timestamp is written on the wire: RFC 3339, UTC, milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"
