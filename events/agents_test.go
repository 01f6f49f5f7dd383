package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
)

// How long an agent was in a state is real data however long: only a state that would have
// begun before any event could have is refused.
func TestAgentStateDurations(t *testing.T) {
	at := time.Date(2026, 10, 9, 8, 30, 0, 0, time.UTC)
	tests := []struct {
		name     string
		previous string
		sec      float64
		want     string // "" = accepted
	}{
		{"login after the National Day break", events.AgentLoggedOut, 663674.596, ""},
		{"login after a year of leave", events.AgentLoggedOut, 400 * 86400, ""},
		{"break over a holiday", events.AgentBreak, 9 * 86400, ""},
		{"milliseconds sent as seconds", events.AgentLoggedOut, 1e12, "previous_sec"},
		{"begun before 2000", events.AgentAvailable, at.Sub(time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)).Seconds(), "before 2000-01-01"},
		{"negative", events.AgentAvailable, -1, "previous_sec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := events.Event{EventID: uuid.New(), Type: events.TypeAgentState, SchemaVersion: 1, OccurredAt: at, Source: "test/1", Tenant: "GD",
				Payload: events.AgentState{Agent: "A1", State: events.AgentAvailable, Previous: tt.previous, PreviousSec: tt.sec}}
			if tt.previous == events.AgentAvailable {
				ev.Payload = events.AgentState{Agent: "A1", State: events.AgentOnCall, Previous: tt.previous, PreviousSec: tt.sec}
			}
			b, err := events.Encode(ev, at)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if _, err := events.Decode(b, at); err != nil {
					t.Fatalf("decoding refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
