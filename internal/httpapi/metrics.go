package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Labels use the route's path pattern ("/api/campaigns/{id}"), never the raw URL path, so that
// the number of series stays bounded by the number of endpoints.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by method, route path pattern and status code.",
		}, []string{"method", "path", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method and route path pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "path"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{s},
		Registry: s.registry, // reports promhttp's own scrape errors in the same registry
	})
}

// slogPrinter adapts the server's logger to promhttp's Println-style error log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Error("serving metrics", "error", v) }
