// Package clock is where every part of hotline gets the time, so that the simulator can run a
// day of traffic through the real routing and dialer code in seconds.
package clock

import "time"

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f once d has passed on this clock. On a Sim clock, f runs on the goroutine
	// that advances the clock, so domain code driven by it needs no locking of its own.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports false if f already ran or was stopped.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                            { return time.Now() }
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
