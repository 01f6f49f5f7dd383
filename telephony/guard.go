package telephony

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// guard rate-limits requests per source address and logs each kind of refusal once per source
// and window, with how many were refused since: a scanner sending thousands of requests leaves
// a line a minute, not thousands.
type guard struct {
	mu     sync.Mutex
	clk    clock.Clock
	log    *slog.Logger
	limit  rate.Limit
	burst  int
	trunk  trunkMatcher
	window time.Duration
	srcs   map[string]*peer
	sweep  time.Time
	// refused counts every refusal by reason, logged or not.
	refused *prometheus.CounterVec
}

type peer struct {
	lim     *rate.Limiter
	seen    time.Time
	refused map[string]*refusal // by reason
}

type refusal struct {
	logged time.Time
	since  int // refusals not logged since
}

func newGuard(clk clock.Clock, log *slog.Logger, perSecond int, trunk trunkMatcher) *guard {
	return &guard{clk: clk, log: log, limit: rate.Limit(perSecond), burst: 2 * perSecond, trunk: trunk,
		window: time.Minute, srcs: map[string]*peer{},
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotline_sip_refused_total",
			Help: "SIP requests refused, by reason (rate limited, wrong password, unknown user, not from the trunk or an agent's phone)."}, []string{"reason"})}
}

// allow takes one request from ip out of its budget. The trunk is never limited: its calls
// are the business, and it is trusted by address.
func (g *guard) allow(ip net.IP) bool {
	if g.trunk.contains(ip) {
		return true
	}
	now := g.clk.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.source(ip, now)
	return s.lim.AllowN(now, 1)
}

func (g *guard) source(ip net.IP, now time.Time) *peer {
	k := ip.String()
	s, ok := g.srcs[k]
	if !ok {
		s = &peer{lim: rate.NewLimiter(g.limit, g.burst), refused: map[string]*refusal{}}
		g.srcs[k] = s
	}
	s.seen = now
	// Forget quiet sources now and then, so a scan from many addresses does not grow the map
	// for ever.
	if now.Sub(g.sweep) > 10*time.Minute {
		g.sweep = now
		for k, o := range g.srcs {
			if now.Sub(o.seen) > 10*time.Minute {
				delete(g.srcs, k)
			}
		}
	}
	return s
}

// refuse logs a refused request from src once per window and reason.
func (g *guard) refuse(ip net.IP, method, reason string, attrs ...any) {
	g.refused.WithLabelValues(reason).Inc()
	now := g.clk.Now()
	g.mu.Lock()
	s := g.source(ip, now)
	r, ok := s.refused[reason]
	if !ok {
		r = &refusal{}
		s.refused[reason] = r
	}
	logIt := r.logged.IsZero() || now.Sub(r.logged) >= g.window
	n := r.since
	if logIt {
		r.logged, r.since = now, 0
	} else {
		r.since++
	}
	g.mu.Unlock()
	if logIt {
		args := append([]any{"source", ip.String(), "method", method, "reason", reason, "refused_since_last_log", n}, attrs...)
		g.log.Warn("SIP request refused", args...)
	}
}
