package routing

import (
	"context"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Live runs an Engine against a real (or any concurrently read) clock: every entry point and
// every timer takes one mutex, so the engine stays single-threaded code.
type Live struct {
	mu  sync.Mutex
	eng *Engine
}

// lockedClock runs timer functions under the Live's mutex.
type lockedClock struct {
	inner clock.Clock
	mu    *sync.Mutex
}

func (c lockedClock) Now() time.Time { return c.inner.Now() }
func (c lockedClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return c.inner.AfterFunc(d, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		f()
	})
}

// NewLive builds an engine on clk whose timers and calls are serialised.
func NewLive(cfg Config, clk clock.Clock, opts ...Option) (*Live, error) {
	l := &Live{}
	eng, err := New(cfg, lockedClock{inner: clk, mu: &l.mu}, opts...)
	if err != nil {
		return nil, err
	}
	l.eng = eng
	return l, nil
}

// Do runs f with exclusive access to the engine.
func (l *Live) Do(f func(e *Engine) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return f(l.eng)
}

// Run holds the engine until ctx ends, then logs every agent out so none stays in a state.
func (l *Live) Run(ctx context.Context) error {
	<-ctx.Done()
	_ = l.Do(func(e *Engine) error {
		for _, a := range e.Agents() {
			_ = e.Logout(a.Agent, "shutdown")
		}
		return nil
	})
	return nil
}

// Runner gives serialised access to an engine: Live and the simulator's live service both are.
type Runner interface {
	Do(f func(e *Engine) error) error
}

var _ Runner = (*Live)(nil)
