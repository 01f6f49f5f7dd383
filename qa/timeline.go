package qa

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// SegmentKind says who is audible during a stretch of a call.
type SegmentKind string

const (
	SegAgent    SegmentKind = "agent"    // agent speaks, customer silent
	SegCustomer SegmentKind = "customer" // customer speaks, agent silent
	SegBoth     SegmentKind = "both"     // both speak at once (overtalk)
	SegSilence  SegmentKind = "silence"  // connected, nobody speaks
	SegHold     SegmentKind = "hold"     // customer on hold: agent muted, customer hears music
)

// Segment is one stretch of a call's audio timeline.
type Segment struct {
	Kind SegmentKind
	Dur  time.Duration
}

// Timeline is the ordered segments of an answered call, from answer to hang-up.
type Timeline []Segment

// Totals sums the timeline by kind.
type Totals struct {
	Duration, AgentTalk, CustomerTalk, Overtalk, Silence, Hold time.Duration
	HoldSegments                                               int
}

// Totals returns what an exact analysis of the timeline's recording would measure.
func (tl Timeline) Totals() Totals {
	var t Totals
	prev := SegmentKind("")
	for _, s := range tl {
		t.Duration += s.Dur
		switch s.Kind {
		case SegAgent:
			t.AgentTalk += s.Dur
		case SegCustomer:
			t.CustomerTalk += s.Dur
		case SegBoth:
			t.AgentTalk += s.Dur
			t.CustomerTalk += s.Dur
			t.Overtalk += s.Dur
		case SegSilence:
			t.Silence += s.Dur
		case SegHold:
			t.Hold += s.Dur
			if prev != SegHold {
				t.HoldSegments++
			}
		}
		prev = s.Kind
	}
	return t
}

// Validate reports the first segment with an unknown kind or a non-positive duration.
func (tl Timeline) Validate() error {
	if len(tl) == 0 {
		return fmt.Errorf("timeline: no segments")
	}
	for i, s := range tl {
		switch s.Kind {
		case SegAgent, SegCustomer, SegBoth, SegSilence, SegHold:
		default:
			return fmt.Errorf("timeline segment %d: unknown kind %q", i, s.Kind)
		}
		if s.Dur <= 0 {
			return fmt.Errorf("timeline segment %d: duration %s is not positive", i, s.Dur)
		}
	}
	return nil
}

// PlanTimeline lays out a plausible conversation for a call record: talk (hold excluded) and
// hold as the record says, holds split into the given number of hold periods. Turns alternate
// agent/customer with short gaps, occasional overtalk and an occasional long pause, so that
// sampling rules on silence and overtalk have something to find. The sum of non-hold segments
// equals talk exactly and the sum of hold segments equals hold.
func PlanTimeline(talk, hold time.Duration, holds int, rng *rand.Rand) Timeline {
	if holds <= 0 || hold <= 0 {
		holds, hold = 0, 0
	}
	// Cut talk into holds+1 stretches separated by the hold periods.
	parts := holds + 1
	var tl Timeline
	talkLeft := talk
	holdLeft := hold
	for p := range parts {
		stretch := talkLeft / time.Duration(parts-p)
		talkLeft -= stretch
		conv := conversation(stretch, rng)
		if p < holds {
			conv = agentBeforeHold(conv)
		}
		tl = append(tl, conv...)
		if p < holds {
			h := holdLeft / time.Duration(holds-p)
			holdLeft -= h
			if h > 0 {
				tl = append(tl, Segment{SegHold, h})
			}
		}
	}
	return tl
}

// agentBeforeHold makes the agent speak last before a hold ("may I put you on hold?"), as
// agents do; it also keeps customer speech from running straight into hold music on the same
// channel, which no analyser could split at the exact sample. Totals do not change.
func agentBeforeHold(tl Timeline) Timeline {
	if n := len(tl); n > 1 && tl[n-1].Kind == SegSilence && tl[n-1].Dur < 300*time.Millisecond {
		tl[n-2].Dur += tl[n-1].Dur
		tl = tl[:n-1]
	}
	if n := len(tl); n > 0 && (tl[n-1].Kind == SegCustomer || tl[n-1].Kind == SegBoth) {
		tl[n-1].Kind = SegAgent
	}
	return tl
}

// conversation fills d with alternating turns.
func conversation(d time.Duration, rng *rand.Rand) Timeline {
	var tl Timeline
	left := d
	speaker := SegAgent // the agent greets first
	for left > 0 {
		turn := time.Duration(1500+rng.IntN(7000)) * time.Millisecond
		var gap Segment
		switch r := rng.Float64(); {
		case r < 0.08:
			gap = Segment{SegBoth, time.Duration(300+rng.IntN(900)) * time.Millisecond}
		case r < 0.12:
			gap = Segment{SegSilence, time.Duration(4500+rng.IntN(4000)) * time.Millisecond}
		default:
			gap = Segment{SegSilence, time.Duration(400+rng.IntN(800)) * time.Millisecond}
		}
		turn = min(turn, left)
		tl = append(tl, Segment{speaker, turn})
		left -= turn
		if left <= 0 {
			break
		}
		gap.Dur = min(gap.Dur, left)
		tl = append(tl, gap)
		left -= gap.Dur
		if speaker == SegAgent {
			speaker = SegCustomer
		} else {
			speaker = SegAgent
		}
	}
	return tl
}

// newRand is the package's seeded generator: same seed, same sequence.
func newRand(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)) }
