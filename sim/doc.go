// Package sim is the discrete-event simulator that plays the hotline's world: customers with
// policies and claims (the book of business), callers who arrive with an intraday profile, walk
// the IVR, wait, abandon and call again, and agents who work shifts, take breaks, talk, hold
// and wrap up. It drives the real routing code on a clock.Sim, so a day takes seconds, and it
// is seeded: the same seed gives the same events, down to the event ids.
//
// For the dialer it exposes the book (Book: policies expiring, premiums due, claims closed) and
// the customers' answering behaviour (Population.Answer).
package sim
