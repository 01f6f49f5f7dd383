package routing

import (
	"math/rand/v2"

	"github.com/google/uuid"
)

// SeededIDs returns a generator of random (version 4) UUIDs from a seeded PRNG, for
// reproducible simulations. Not safe for concurrent use.
func SeededIDs(seed uint64) func() uuid.UUID {
	r := rand.New(rand.NewPCG(seed, 0x6576656e74)) // "event"
	return func() uuid.UUID {
		var u uuid.UUID
		hi, lo := r.Uint64(), r.Uint64()
		for i := 0; i < 8; i++ {
			u[i] = byte(hi >> (8 * i))
			u[8+i] = byte(lo >> (8 * i))
		}
		u[6] = (u[6] & 0x0f) | 0x40 // version 4
		u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
		return u
	}
}
