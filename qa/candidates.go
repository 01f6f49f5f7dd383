package qa

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// LoadCandidates reads the recorded, answered calls that arrived in [from, to) from ClickHouse,
// with what the targeted sampling rules need: handle time and transfers from the call record,
// the longest silence and overtalk ratio from the recording analysis, the lowest CSAT of the
// call's surveys, whether a complaint names the call, and whether the agent's first call is
// less than newAgentDays before from. Separate queries merged here rather than joins: they run
// the same on ClickHouse 18.16 and current releases.
func LoadCandidates(ctx context.Context, conn driver.Conn, from, to time.Time, newAgentDays int) ([]Candidate, error) {
	window := fmt.Sprintf("arrived_at >= toDateTime(%d) AND arrived_at < toDateTime(%d)", from.Unix(), to.Unix())
	callsIn := "SELECT call_id FROM call_records WHERE outcome = 'answered' AND recording_id != '' AND " + window

	byCall := map[string]*Candidate{}
	var order []string
	rows, err := conn.Query(ctx, `SELECT call_id, any(recording_id), any(agent_id), any(business_line), any(answered_at),
		any(talk_sec + hold_sec + acw_sec), max(transferred)
		FROM call_records WHERE outcome = 'answered' AND recording_id != '' AND `+window+` GROUP BY call_id ORDER BY call_id`)
	if err != nil {
		return nil, fmt.Errorf("loading QA candidates: %w", err)
	}
	for rows.Next() {
		var c Candidate
		var answered *time.Time
		var transferred uint8
		if err := rows.Scan(&c.CallID, &c.RecordingID, &c.Agent, &c.Line, &answered, &c.HandleSec, &transferred); err != nil {
			rows.Close()
			return nil, fmt.Errorf("loading QA candidates: %w", err)
		}
		if answered != nil {
			c.AnsweredAt = answered.UTC()
		}
		c.Transferred = transferred == 1
		byCall[c.CallID] = &c
		order = append(order, c.CallID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading QA candidates: %w", err)
	}
	if len(order) == 0 {
		return nil, nil
	}

	type extra struct {
		query string
		scan  func(driver.Rows) error
	}
	var id string
	for _, x := range []extra{
		{"SELECT call_id, max(longest_silence_sec), max(overtalk_ratio) FROM recording_analyses WHERE call_id IN (" + callsIn + ") GROUP BY call_id",
			func(r driver.Rows) error {
				var sil, over float64
				if err := r.Scan(&id, &sil, &over); err != nil {
					return err
				}
				if c := byCall[id]; c != nil {
					c.LongestSilenceSec, c.OvertalkRatio = sil, over
				}
				return nil
			}},
		{"SELECT call_id, min(assumeNotNull(csat)) FROM survey_responses WHERE csat IS NOT NULL AND call_id IN (" + callsIn + ") GROUP BY call_id",
			func(r driver.Rows) error {
				var csat uint8
				if err := r.Scan(&id, &csat); err != nil {
					return err
				}
				if c := byCall[id]; c != nil {
					c.CSAT = int(csat)
				}
				return nil
			}},
		{"SELECT DISTINCT call_id FROM complaints WHERE call_id IN (" + callsIn + ")",
			func(r driver.Rows) error {
				if err := r.Scan(&id); err != nil {
					return err
				}
				if c := byCall[id]; c != nil {
					c.Complaint = true
				}
				return nil
			}},
	} {
		if err := scanAll(ctx, conn, x.query, x.scan); err != nil {
			return nil, fmt.Errorf("loading QA candidates: %w", err)
		}
	}

	firstCall := map[string]time.Time{}
	err = scanAll(ctx, conn, "SELECT agent_id, min(arrived_at) FROM call_records WHERE agent_id IN (SELECT agent_id FROM call_records WHERE "+window+") GROUP BY agent_id",
		func(r driver.Rows) error {
			var agent string
			var first time.Time
			if err := r.Scan(&agent, &first); err != nil {
				return err
			}
			firstCall[agent] = first
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("loading QA candidates: %w", err)
	}
	cutoff := from.Add(-time.Duration(newAgentDays) * 24 * time.Hour)
	out := make([]Candidate, 0, len(order))
	for _, id := range order {
		c := byCall[id]
		if f, ok := firstCall[c.Agent]; ok && newAgentDays > 0 && !f.Before(cutoff) {
			c.NewAgent = true
		}
		out = append(out, *c)
	}
	return out, nil
}

func scanAll(ctx context.Context, conn driver.Conn, q string, scan func(driver.Rows) error) error {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
