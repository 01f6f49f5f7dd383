package sim

import (
	"math"
	"time"
)

// Answer is what happens when the dialer calls a customer.
type Answer struct {
	Outcome string  // events.OutcomeAnswered (a person), OutcomeNoAnswer, OutcomeBusy or OutcomeMachine
	RingSec float64 // seconds of ringing before the outcome
	TalkSec float64 // for a person: how long they would talk with an agent, seconds
}

// Population is how the book's customers behave towards calls. It is a pure function of the
// seed, the customer and the minute, so a dialer asking twice gets the same answer, and runs
// are reproducible whatever order the dialer asks in.
type Population struct {
	seed uint64
	zone *time.Location
}

// NewPopulation returns the customers' behaviour for a seed.
func NewPopulation(seed uint64) *Population {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &Population{seed: seed, zone: loc}
}

// ReachProbability is the chance that a person answers at t: low at night, lower in working
// hours for working-age customers (a per-customer trait), best early evening.
func (p *Population) ReachProbability(customerID string, t time.Time) float64 {
	h := t.In(p.zone).Hour()
	trait := float64(hash64(customerID)%1000) / 1000 // 0..1: how reachable this person is
	base := 0.35 + 0.4*trait
	switch {
	case h < 8 || h >= 22:
		base *= 0.15
	case h >= 9 && h < 12, h >= 14 && h < 18:
		if hash64(customerID+"w")%3 == 0 { // works office hours
			base *= 0.5
		}
	case h >= 18 && h < 21:
		base *= 1.15
	}
	return math.Min(base, 0.95)
}

// Answer says whether customerID answers a call placed at t (ringing at most maxRing).
func (p *Population) Answer(customerID string, t time.Time, maxRing time.Duration) Answer {
	u := p.uniform(customerID, t, 1)
	v := p.uniform(customerID, t, 2)
	w := p.uniform(customerID, t, 3)
	ring := 5 + 20*v
	reach := p.ReachProbability(customerID, t)
	switch {
	case u < reach:
		if ring > maxRing.Seconds() {
			return Answer{Outcome: "no_answer", RingSec: maxRing.Seconds()}
		}
		return Answer{Outcome: "answered", RingSec: ring, TalkSec: 60 + 240*w}
	case u < reach+0.05:
		return Answer{Outcome: "busy", RingSec: 1}
	case u < reach+0.15:
		return Answer{Outcome: "machine", RingSec: math.Min(ring+5, maxRing.Seconds())}
	}
	return Answer{Outcome: "no_answer", RingSec: maxRing.Seconds()}
}

func (p *Population) uniform(customerID string, t time.Time, k uint64) float64 {
	h := hash64(customerID) ^ (p.seed * 0x9e3779b97f4a7c15) ^ (uint64(t.Unix()/60) * 0xbf58476d1ce4e5b9) ^ (k * 0x94d049bb133111eb)
	h ^= h >> 31
	h *= 0xd6e8feb86659fd93
	h ^= h >> 32
	return float64(h>>11) / (1 << 53)
}
