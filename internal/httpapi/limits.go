package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Connection limits of Serve: a client that opens connections and sends nothing, or keeps them
// idle, holds them for these at most, and no more than the limit are open at once.
const (
	defaultMaxConns    = 1024
	defaultIdleTimeout = 60 * time.Second
	readTimeout        = 60 * time.Second // a whole request, body included
	writeTimeout       = 10 * time.Minute // a whole response: a long recording over a slow link fits (WebSockets are exempt)
	readHeaderTimeout  = 10 * time.Second
)

// WithMaxConnections bounds the connections Serve keeps open at once (default 1024); more wait
// in the listen backlog until one closes. WebSockets count.
func WithMaxConnections(n int) Option { return func(s *Server) { s.maxConns = n } }

// WithIdleTimeout sets how long a keep-alive connection may sit idle (default 60 s).
func WithIdleTimeout(d time.Duration) Option { return func(s *Server) { s.idleTimeout = d } }

// WithRateLimit lets each credential (a known bearer token), or each client address for requests
// without one, make perSecond requests a second on average with bursts of burst; beyond, 429
// with Retry-After. perSecond 0 turns the limit off (the default).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *Server) { s.limiter = newLimiter(perSecond, burst) }
}

// limiter keeps a token bucket per key. Keys idle for a while are forgotten, so that a client
// cycling through addresses or made-up tokens cannot grow it without bound.
type limiter struct {
	perSecond rate.Limit
	burst     int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxBuckets is how many keys the limiter keeps before it forgets idle ones.
const maxBuckets = 10_000

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 || math.IsNaN(perSecond) {
		return nil
	}
	return &limiter{perSecond: rate.Limit(perSecond), burst: max(burst, 1), buckets: map[string]*bucket{}}
}

// allow reports whether key may make a request at now; wait is how long until it may, if not.
func (l *limiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.perSecond, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets buckets idle long enough to be full again; if every key is busy it forgets all,
// which errs on the side of letting requests through. Under l.mu.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.perSecond) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// limit answers 429 for a request over its key's rate; ok is false when it has answered.
func (s *Server) limit(w http.ResponseWriter, r *http.Request) bool {
	if s.limiter == nil {
		return true
	}
	key := "addr " + ClientAddr(r)
	if token, ok := bearerToken(r); ok {
		if p, known := s.tokens.Lookup(token); known {
			key = "user " + p.User
		}
	}
	ok, wait := s.limiter.allow(key, time.Now())
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		Error(w, http.StatusTooManyRequests, fmt.Sprintf("too many requests: at most %g a second (bursts of %d); retry in %s",
			float64(s.limiter.perSecond), s.limiter.burst, wait.Round(time.Millisecond)))
	}
	return ok
}
