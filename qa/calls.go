package qa

import (
	"context"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CallDirectory says which calls exist and who handled them, so that an evaluation, a sampling
// candidate or a calibration names a real call and an agent who took it.
type CallDirectory interface {
	// Handlers returns, for each of callIDs that exists, the agents who handled it (a transferred
	// call has several); a call it does not know is absent from the map.
	Handlers(ctx context.Context, callIDs []string) (map[string][]string, error)
}

// Handlers answers from the recordings in the store: a recorded call and its agent.
func (s *Store) Handlers(_ context.Context, callIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, id := range callIDs {
		for _, rec := range s.ByCall(id) {
			if rec.Agent != "" && !slices.Contains(out[id], rec.Agent) {
				out[id] = append(out[id], rec.Agent)
			}
		}
	}
	return out, nil
}

// ClickHouseCalls answers from the recordings in Store first, then from ClickHouse's
// call_records: every call the hotline handled, recorded or not.
type ClickHouseCalls struct {
	Store *Store
	Conn  driver.Conn
}

// maxLookup bounds the call ids one query names.
const maxLookup = 5000

func (c ClickHouseCalls) Handlers(ctx context.Context, callIDs []string) (map[string][]string, error) {
	out, _ := c.Store.Handlers(ctx, callIDs)
	var rest []string
	for _, id := range callIDs {
		if _, ok := out[id]; !ok {
			rest = append(rest, id)
		}
	}
	for len(rest) > 0 {
		batch := rest[:min(len(rest), maxLookup)]
		rest = rest[len(batch):]
		rows, err := c.Conn.Query(ctx, `SELECT call_id, agent_id FROM call_records
			WHERE has(?, call_id) AND agent_id != '' GROUP BY call_id, agent_id`, batch)
		if err != nil {
			return nil, fmt.Errorf("looking up calls: %w", err)
		}
		for rows.Next() {
			var call, agent string
			if err := rows.Scan(&call, &agent); err != nil {
				rows.Close()
				return nil, fmt.Errorf("looking up calls: %w", err)
			}
			out[call] = append(out[call], agent)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("looking up calls: %w", err)
		}
	}
	return out, nil
}

// checkHandled returns an error wrapping ErrNotFound for a call the directory does not know, and
// one naming the agent when agent did not handle it.
func checkHandled(handlers map[string][]string, callID, agent string) error {
	agents, ok := handlers[callID]
	switch {
	case !ok:
		return fmt.Errorf("call %s: %w (no call or recording of that id)", clipID(callID), ErrNotFound)
	case !slices.Contains(agents, agent):
		return fmt.Errorf("call %s was not handled by agent %s", clipID(callID), clipID(agent))
	}
	return nil
}

// clipID shortens an id from a request for an error message.
func clipID(s string) string {
	if len(s) > maxIDLen {
		return s[:maxIDLen] + "..."
	}
	return s
}
