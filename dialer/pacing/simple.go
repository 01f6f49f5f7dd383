package pacing

import "time"

// Progressive dials one line per free agent and reserves that agent for the call.
type Progressive struct{}

func (Progressive) Name() string                { return "progressive" }
func (Progressive) Dial(s *Snapshot) int        { return min(s.Ready, s.LinesFree) }
func (Progressive) ObserveAttempt(Attempt)      {}
func (Progressive) ObserveHandle(time.Duration) {}
func (Progressive) ReservesAgent()              {}

// Preview is progressive dialling where the agent first sees the record and dials it; the
// dialer asks the agent to preview and dials when the agent says so, so Dial only caps lines.
type Preview struct{}

func (Preview) Name() string                { return "preview" }
func (Preview) Dial(s *Snapshot) int        { return min(s.Ready, s.LinesFree) }
func (Preview) ObserveAttempt(Attempt)      {}
func (Preview) ObserveHandle(time.Duration) {}
func (Preview) ReservesAgent()              {}
