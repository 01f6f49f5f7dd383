package routing

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// QueueLog converts hotline's call and agent events into Asterisk's queue_log, the de-facto
// interchange format of queue analytics tools: one line per queue event,
//
//	epoch|callid|queue|agent|event|data1|data2|...
//
// The mapping: queued → ENTERQUEUE (|callerid|1); answered → CONNECT (holdtime|callid|ringtime);
// an offer that rang out or was declined → RINGNOANSWER (ms); line released after an answer →
// COMPLETECALLER (holdtime|calltime|1); transferred → TRANSFER (target|queue or department|
// holdtime|calltime|1); abandoned → ABANDON (1|1|waittime); call back accepted at max wait →
// EXITWITHKEY (1|1|1|waittime). Agents: login → ADDMEMBER, logout → REMOVEMEMBER, break →
// PAUSE (reason), back from a break → UNPAUSE, each once per queue the agent serves.
// Positions are not tracked by hotline's events and are written as 1.
//
// Rows are ordered by time, then by call or agent id, then by the order of that call's or
// agent's events (the input order, or the Kafka offset: both keep per-key order), so the
// export of the same history is the same bytes whichever store it was read from.
type QueueLog struct {
	items  []qlItem
	phones map[string]string
}

type qlItem struct {
	ms     int64 // Unix milliseconds
	entity string
	seq    uint64
	life   *events.CallLifecycle
	state  *events.AgentState
}

// NewQueueLog returns an empty converter.
func NewQueueLog() *QueueLog { return &QueueLog{phones: map[string]string{}} }

// Add takes one event at its Unix-millisecond time; seq orders the events of one call or agent.
// Events of other types are ignored, except call records, which give the caller id.
func (q *QueueLog) Add(ms int64, seq uint64, p events.Payload) {
	switch v := p.(type) {
	case events.CallLifecycle:
		if v.Direction == events.Outbound {
			return
		}
		q.items = append(q.items, qlItem{ms: ms, entity: v.CallID, seq: seq, life: &v})
	case events.AgentState:
		q.items = append(q.items, qlItem{ms: ms, entity: v.Agent, seq: seq, state: &v})
	case events.CallRecord:
		q.phones[v.CallID] = v.Phone
	}
}

// AddEvents adds events in order; their position is the per-entity sequence.
func (q *QueueLog) AddEvents(evs []events.Event) {
	for i, ev := range evs {
		q.Add(ev.OccurredAt.UnixMilli(), uint64(i), ev.Payload)
	}
}

type qlCall struct {
	queuedMs, offeredMs, answeredMs int64
	answered                        bool
	queue                           string
}

// WriteTo writes the queue_log lines.
func (q *QueueLog) WriteTo(w io.Writer) (int64, error) {
	slices.SortStableFunc(q.items, func(a, b qlItem) int {
		if a.ms != b.ms {
			return cmpInt(a.ms, b.ms)
		}
		if a.entity != b.entity {
			return strings.Compare(a.entity, b.entity)
		}
		return cmpInt(int64(a.seq), int64(b.seq))
	})
	bw := bufio.NewWriter(w)
	var n int64
	line := func(ms int64, callid, queue, agent, event string, data ...string) {
		if queue == "" {
			queue = "NONE"
		}
		if agent == "" {
			agent = "NONE"
		}
		k, _ := fmt.Fprintf(bw, "%d|%s|%s|%s|%s", ms/1000, callid, queue, agent, event)
		n += int64(k)
		for _, d := range data {
			k, _ = bw.WriteString("|" + d)
			n += int64(k)
		}
		_ = bw.WriteByte('\n')
		n++
	}
	calls := map[string]*qlCall{}
	secs := func(from, to int64) string { return fmt.Sprint(int64(math.Round(float64(to-from) / 1000))) }
	for _, it := range q.items {
		if s := it.state; s != nil {
			ev := ""
			switch {
			case s.State == events.AgentLoggedOut:
				ev = "REMOVEMEMBER"
			case s.Previous == events.AgentLoggedOut:
				ev = "ADDMEMBER"
			case s.State == events.AgentBreak && s.Previous != events.AgentBreak:
				ev = "PAUSE"
			case s.Previous == events.AgentBreak && s.State != events.AgentBreak:
				ev = "UNPAUSE"
			}
			if ev == "" {
				continue
			}
			for _, qn := range s.Queues {
				line(it.ms, "NONE", qn, s.Agent, ev, s.Reason)
				if ev == "ADDMEMBER" && s.State == events.AgentBreak {
					line(it.ms, "NONE", qn, s.Agent, "PAUSE", s.Reason)
				}
			}
			continue
		}
		l := it.life
		c := calls[l.CallID]
		if c == nil {
			c = &qlCall{}
			calls[l.CallID] = c
		}
		switch l.Stage {
		case events.StageQueued:
			c.queuedMs, c.queue = it.ms, l.Queue
			line(it.ms, l.CallID, l.Queue, "", "ENTERQUEUE", "", q.phones[l.CallID], "1")
		case events.StageOffered:
			c.offeredMs = it.ms
		case events.StageRejected:
			line(it.ms, l.CallID, c.queue, l.Agent, "RINGNOANSWER", fmt.Sprint(it.ms-c.offeredMs))
		case events.StageAnswered:
			c.answered, c.answeredMs = true, it.ms
			line(it.ms, l.CallID, c.queue, l.Agent, "CONNECT", secs(c.queuedMs, it.ms), l.CallID, secs(c.offeredMs, it.ms))
		case events.StageTransferred:
			target, kind := l.Detail, ""
			if k, t, ok := strings.Cut(l.Detail, ":"); ok {
				kind, target = k, t
			}
			line(it.ms, l.CallID, c.queue, l.Agent, "TRANSFER", target, kind, secs(c.queuedMs, c.answeredMs), secs(c.answeredMs, it.ms), "1")
			c.answered = false
		case events.StageAbandoned:
			if c.queuedMs > 0 {
				line(it.ms, l.CallID, c.queue, "", "ABANDON", "1", "1", secs(c.queuedMs, it.ms))
			}
		case events.StageCallbackRequested:
			if c.queuedMs > 0 && l.Detail != "after_hours" {
				line(it.ms, l.CallID, c.queue, "", "EXITWITHKEY", "1", "1", "1", secs(c.queuedMs, it.ms))
			}
		case events.StageEnded:
			if c.answered {
				line(it.ms, l.CallID, c.queue, "", "COMPLETECALLER", secs(c.queuedMs, c.answeredMs), secs(c.answeredMs, it.ms), "1")
			}
			delete(calls, l.CallID)
		}
	}
	return n, bw.Flush()
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// queueLogFrom is a helper for callers that hold events with their times.
func queueLogFrom(evs []events.Event) string {
	q := NewQueueLog()
	q.AddEvents(evs)
	var b strings.Builder
	_, _ = q.WriteTo(&b)
	return b.String()
}

var _ = time.Second
