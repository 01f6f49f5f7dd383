package qa

import (
	"context"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// collect is an events.Sink that keeps what it is given, validating like the real publisher.
type collect struct {
	mu  sync.Mutex
	evs []events.Event
}

func (c *collect) Publish(_ context.Context, evs ...events.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range evs {
		if err := e.Validate(time.Now().Add(100 * 365 * 24 * time.Hour)); err != nil {
			return err
		}
	}
	c.evs = append(c.evs, evs...)
	return nil
}

func (c *collect) ofType(t events.Type) []events.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []events.Event
	for _, e := range c.evs {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}
