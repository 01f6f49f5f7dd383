package routing

import (
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

type callState uint8

const (
	csIVR callState = iota
	csWaiting
	csOffered
	csConnected // on call or on hold
	csEnded     // line released; the record waits for wrap-ups
)

// Call is a call the engine knows about. Its fields are read by the engine's goroutine only;
// observers get a CallInfo copy.
type Call struct {
	ID        string
	Phone     string
	Customer  string
	Segment   string
	Direction string
	Campaign  string
	Line      string
	Data      map[string]string // collected in the IVR: policy number, accident type, …
	Priority  int

	seq      uint64
	state    callState
	caller   Caller
	queue    *queue   // home queue
	targets  []*queue // home queue plus overflow queues reached so far
	queuedAt time.Time
	timers   []clock.Timer
	agent    *agent
	rejected []*agent
	only     *agent    // offered to this agent alone until they decline it (Arrival.Agent)
	held     time.Time // start of the current hold
	talkFrom time.Time // start of the current talk segment
	pendACW  int       // agents still in after-call work for this call
	ivr      *ivrSession
	taskDone bool // a self-service task was completed in the IVR
	rec      events.CallRecord
}

// CallInfo is what a desktop (or the dialer) sees of a call.
type CallInfo struct {
	CallID    string            `json:"call_id"`
	Direction string            `json:"direction"`
	Phone     string            `json:"phone"`
	Customer  string            `json:"customer_id,omitempty"`
	Segment   string            `json:"segment,omitempty"`
	Line      string            `json:"business_line"`
	Queue     string            `json:"queue,omitempty"`
	Campaign  string            `json:"campaign_id,omitempty"`
	Priority  int               `json:"priority"`
	IVRPath   string            `json:"ivr_path,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
	ArrivedAt time.Time         `json:"arrived_at"`
	QueuedAt  *time.Time        `json:"queued_at,omitempty"`
}

func (c *Call) info() CallInfo {
	ci := CallInfo{
		CallID: c.ID, Direction: c.Direction, Phone: c.Phone, Customer: c.Customer, Segment: c.Segment,
		Line: c.Line, Campaign: c.Campaign, Priority: c.Priority, IVRPath: c.rec.IVRPath, Data: c.Data,
		ArrivedAt: c.rec.ArrivedAt,
	}
	if c.queue != nil {
		ci.Queue = c.queue.cfg.Name
		q := c.queuedAt
		ci.QueuedAt = &q
	}
	return ci
}

// before is the routing order: higher priority, then queued earlier, then arrived earlier.
func (c *Call) before(o *Call) bool {
	if c.Priority != o.Priority {
		return c.Priority > o.Priority
	}
	if !c.queuedAt.Equal(o.queuedAt) {
		return c.queuedAt.Before(o.queuedAt)
	}
	return c.seq < o.seq
}

func (c *Call) rejectedBy(a *agent) bool {
	return len(c.rejected) > 0 && slices.Contains(c.rejected, a)
}

func (c *Call) stopTimers() {
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = c.timers[:0]
}

func tp(t time.Time) *time.Time { return &t }
