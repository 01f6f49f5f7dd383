package dialer

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Stats are a campaign's running outbound figures, as docs/kpi.md defines them.
type Stats struct {
	Attempts  int     // dial attempts placed (blocked ones not included)
	Blocked   int     // attempts compliance refused
	Answers   int     // answered by a person (AMD verdict human)
	Connected int     // connected to an agent within the drop limit
	Dropped   int     // person answered, no agent within the drop limit
	TalkSec   float64 // agent talk time of finished calls
	WrapSec   float64 // after-call work
	WaitSec   float64 // sum of waits of connected calls

	loggedIn    int
	loggedSince time.Time
	loggedSec   float64
	marks       []answerMark // resolved person-answered calls, oldest first
}

type answerMark struct {
	at      time.Time
	dropped bool
}

// NewStats returns empty figures.
func NewStats() *Stats { return &Stats{} }

func (s *Stats) attempt(time.Time) { s.Attempts++ }
func (s *Stats) blocked(time.Time) { s.Blocked++ }
func (s *Stats) answer(time.Time)  { s.Answers++ }
func (s *Stats) talk(d time.Duration) {
	s.TalkSec += d.Seconds()
}
func (s *Stats) wrap(d time.Duration) { s.WrapSec += d.Seconds() }

func (s *Stats) connect(now time.Time, wait time.Duration) {
	s.Connected++
	s.WaitSec += wait.Seconds()
	s.mark(now, false)
}

func (s *Stats) drop(now time.Time) {
	s.Dropped++
	s.mark(now, true)
}

// AnsweredCall is a person-answered call of an earlier run, for the rolling abandonment.
type AnsweredCall struct {
	At      time.Time // connected to an agent, or abandoned
	Dropped bool
}

// preload puts earlier answered calls before the ones this run counted, keeping time order.
func (s *Stats) preload(calls []AnsweredCall) {
	if len(calls) == 0 {
		return
	}
	marks := make([]answerMark, 0, len(calls)+len(s.marks))
	for _, c := range calls {
		marks = append(marks, answerMark{c.At, c.Dropped})
	}
	marks = append(marks, s.marks...)
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].at.Before(marks[j].at) })
	s.marks = marks
}

// keepMarks is how far back the rolling abandonment can look: the regulators' 30 days.
const keepMarks = 30 * 24 * time.Hour

func (s *Stats) mark(now time.Time, dropped bool) {
	s.marks = append(s.marks, answerMark{now, dropped})
	if len(s.marks) > 4096 && now.Sub(s.marks[0].at) > keepMarks+24*time.Hour {
		i := sort.Search(len(s.marks), func(i int) bool { return now.Sub(s.marks[i].at) <= keepMarks })
		s.marks = append(s.marks[:0], s.marks[i:]...)
	}
}

func (s *Stats) settle(now time.Time) {
	if s.loggedIn > 0 && now.After(s.loggedSince) {
		s.loggedSec += float64(s.loggedIn) * now.Sub(s.loggedSince).Seconds()
	}
	s.loggedSince = now
}

func (s *Stats) login(now time.Time)  { s.settle(now); s.loggedIn++ }
func (s *Stats) logout(now time.Time) { s.settle(now); s.loggedIn-- }

// LoggedInSec is the agents' logged-in time up to now.
func (s *Stats) LoggedInSec(now time.Time) float64 {
	t := s.loggedSec
	if s.loggedIn > 0 && now.After(s.loggedSince) {
		t += float64(s.loggedIn) * now.Sub(s.loggedSince).Seconds()
	}
	return t
}

// AbandonRate is dropped / person-answered over the window ending at now, and the number of
// person-answered calls it is measured on.
func (s *Stats) AbandonRate(now time.Time, window time.Duration) (rate float64, answered int) {
	i := sort.Search(len(s.marks), func(i int) bool { return now.Sub(s.marks[i].at) <= window })
	var d int
	for _, m := range s.marks[i:] {
		if m.dropped {
			d++
		}
	}
	n := len(s.marks) - i
	if n == 0 {
		return 0, 0
	}
	return float64(d) / float64(n), n
}

// WorstWindow is the highest abandonment over any window of the given length that ends at a
// resolved answer, counting only windows with at least minAnswers answers.
func (s *Stats) WorstWindow(window time.Duration, minAnswers int) float64 {
	var worst float64
	lo, drops := 0, 0
	for hi, m := range s.marks {
		if m.dropped {
			drops++
		}
		for m.at.Sub(s.marks[lo].at) > window {
			if s.marks[lo].dropped {
				drops--
			}
			lo++
		}
		if n := hi - lo + 1; n >= minAnswers {
			worst = max(worst, float64(drops)/float64(n))
		}
	}
	return worst
}

// AnswerHistory reads the person-answered calls of the 30 days before until from ClickHouse,
// by campaign, oldest first: the earlier runs' part of each campaign's rolling abandonment.
func AnswerHistory(ctx context.Context, conn driver.Conn, tenant string, until time.Time) (map[string][]AnsweredCall, error) {
	rows, err := conn.Query(ctx, `SELECT toString(campaign_id), ifNull(connected_at, ended_at) AS at, toUInt8(outcome = 'dropped')
		FROM dial_attempts
		WHERE tenant = ? AND outcome IN ('connected', 'dropped') AND ended_at >= toDateTime(?) AND ended_at < toDateTime(?)
		ORDER BY at`, tenant, until.Add(-keepMarks).Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("reading answered calls: %w", err)
	}
	defer rows.Close()
	out := map[string][]AnsweredCall{}
	for rows.Next() {
		var campaign string
		var at time.Time
		var dropped uint8
		if err := rows.Scan(&campaign, &at, &dropped); err != nil {
			return nil, fmt.Errorf("reading answered calls: %w", err)
		}
		out[campaign] = append(out[campaign], AnsweredCall{At: at, Dropped: dropped == 1})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading answered calls: %w", err)
	}
	return out, nil
}
