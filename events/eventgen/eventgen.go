// Package eventgen makes realistic synthetic events of every type of the contract, seeded and
// repeatable, with an optional exact share of malformed messages: the load for ingest tests and
// benchmarks (`hotline generate`).
package eventgen

import (
	"fmt"
	json "github.com/goccy/go-json"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
)

// Message is one Kafka message to write: topic without prefix, key and bytes.
type Message struct {
	Topic     string
	Key       string
	Value     []byte
	Malformed bool // the bytes are meant to be dead-lettered
}

// Generator yields messages one at a time.
type Generator struct {
	rng       *rand.Rand
	count     int
	malformed int
	emitted   int
	badLeft   int
	start     time.Time
	tenant    string
	uuidState [16]byte
	seq       uint64
	onlyCalls bool
}

// CallRecordsOnly makes every event a call record: one topic and one table, the load of the
// ingest benchmark, where ClickHouse's Kafka engine consumes the same topic for comparison.
func (g *Generator) CallRecordsOnly() *Generator {
	g.onlyCalls = true
	return g
}

// New makes a generator of count messages, of which round(count*malformedShare) are malformed,
// spread evenly. Event times run from start, a few per second as a busy centre would see.
func New(seed uint64, count int, malformedShare float64, start time.Time, tenant string) *Generator {
	bad := int(float64(count)*malformedShare + 0.5)
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), count: count, malformed: bad, badLeft: bad, start: start.UTC().Truncate(time.Millisecond), tenant: tenant}
	for i := range g.uuidState {
		g.uuidState[i] = byte(g.rng.Uint32())
	}
	return g
}

// Malformed is how many of the messages are malformed.
func (g *Generator) Malformed() int { return g.malformed }

// Next returns the next message, and false after the last.
func (g *Generator) Next() (Message, bool) {
	if g.emitted >= g.count {
		return Message{}, false
	}
	i := g.emitted
	g.emitted++
	// Bresenham spacing: exactly `malformed` bad messages, evenly spread and repeatable.
	bad := g.malformed > 0 && (i+1)*g.malformed/g.count > i*g.malformed/g.count
	ev := g.event(i)
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("eventgen: encoding %s: %v", ev.Type, err))
	}
	m := Message{Topic: ev.Topic(), Key: ev.Key(), Value: b}
	if bad {
		m.Value = g.corrupt(ev, b)
		m.Malformed = true
	}
	return m, true
}

// id makes repeatable UUIDs (v4 layout) from the seed, unlike uuid.New.
func (g *Generator) id() uuid.UUID {
	g.seq++
	var u uuid.UUID
	hi, lo := g.rng.Uint64(), g.rng.Uint64()^g.seq
	for i := 0; i < 8; i++ {
		u[i] = byte(hi >> (8 * i))
		u[8+i] = byte(lo >> (8 * i))
	}
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

// corrupt breaks a valid event in one of the ways real producers do.
func (g *Generator) corrupt(ev events.Event, b []byte) []byte {
	switch g.rng.IntN(6) {
	case 0: // truncated in transit
		return b[:len(b)/2]
	case 1: // not JSON at all
		return []byte("call ended " + ev.EventID.String())
	case 2: // a type nobody defined
		return replaceOnce(b, `"type":"`+string(ev.Type)+`"`, `"type":"call.teleported"`)
	case 3: // a future schema this build cannot read
		return replaceOnce(b, `"schema_version":1`, `"schema_version":99`)
	case 4: // milliseconds sent where a timestamp belongs
		return replaceOnce(b, `"occurred_at":"`, `"occurred_at":"1`)
	default: // envelope without its id
		return replaceOnce(b, `"event_id":"`+ev.EventID.String()+`"`, `"event_id":"00000000-0000-0000-0000-000000000000"`)
	}
}

func replaceOnce(b []byte, old, new string) []byte {
	s := string(b)
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return []byte(s[:i] + new + s[i+len(old):])
		}
	}
	panic("eventgen: corrupting: " + old + " not found")
}
