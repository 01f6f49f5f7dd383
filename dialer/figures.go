package dialer

import "time"

// Figures are a campaign's outbound KPIs at a moment, counting calls still in progress.
type Figures struct {
	Agents           int     `json:"agents_logged_in"`
	Attempts         int     `json:"attempts"`
	Blocked          int     `json:"blocked"`
	Contacts         int     `json:"contacts"` // person-answered and resolved (connected or dropped)
	Connected        int     `json:"connected"`
	Dropped          int     `json:"dropped"`
	TalkSec          float64 `json:"talk_sec"`
	WrapSec          float64 `json:"wrap_sec"`
	LoggedInSec      float64 `json:"logged_in_sec"`
	Occupancy        float64 `json:"occupancy"`        // (talk + wrap) / logged-in
	AbandonRate      float64 `json:"abandon_rate"`     // dropped / contacts, whole run
	AbandonRate24h   float64 `json:"abandon_rate_24h"` // rolling 24 h
	AbandonRate30d   float64 `json:"abandon_rate_30d"` // rolling 30 days
	MeanWaitSec      float64 `json:"mean_wait_sec"`    // of connected calls
	ActiveCalls      int     `json:"active_calls"`     // lines in use now
	TalkMinPerAgentH float64 `json:"talk_min_per_agent_hour"`
}

// Figures returns the engine's figures at now, including the elapsed part of calls and
// after-call work still in progress.
func (e *Engine) Figures() Figures {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clk.Now()
	s := e.stats
	f := Figures{
		Attempts: s.Attempts, Blocked: s.Blocked, Connected: s.Connected, Dropped: s.Dropped,
		Contacts: s.Connected + s.Dropped, TalkSec: s.TalkSec, WrapSec: s.WrapSec,
		LoggedInSec: s.LoggedInSec(now), ActiveCalls: e.active,
	}
	for _, a := range e.agents {
		switch a.state {
		case agentOut:
			continue
		case agentTalking:
			f.TalkSec += now.Sub(a.connected).Seconds()
		case agentWrap:
			f.WrapSec += now.Sub(a.since).Seconds()
		}
		f.Agents++
	}
	if f.LoggedInSec > 0 {
		f.Occupancy = (f.TalkSec + f.WrapSec) / f.LoggedInSec
		f.TalkMinPerAgentH = f.TalkSec / 60 / (f.LoggedInSec / 3600)
	}
	if f.Contacts > 0 {
		f.AbandonRate = float64(f.Dropped) / float64(f.Contacts)
	}
	if s.Connected > 0 {
		f.MeanWaitSec = s.WaitSec / float64(s.Connected)
	}
	f.AbandonRate24h, _ = s.AbandonRate(now, 24*time.Hour)
	f.AbandonRate30d, _ = s.AbandonRate(now, 30*24*time.Hour)
	return f
}
