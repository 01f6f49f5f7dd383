package report

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// FuzzPeriod: a report's query parameters give a valid period inside the allowed days, or an
// error; never a period ClickHouse would read as another day.
func FuzzPeriod(f *testing.F) {
	for _, s := range []string{"2026-03-01", "1900-01-01", "2200-01-01", "2026-02-30", "0000-00-00", "99999-01-01", ""} {
		f.Add(s, "2026-03-08", "day")
	}
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	first, end := analytics.DayRange()
	f.Fuzz(func(t *testing.T, from, to, by string) {
		q := url.Values{"from": {from}, "to": {to}, "by": {by}}
		p, err := period(httptest.NewRequest("GET", "/api/reports?"+q.Encode(), nil), now)
		if err != nil {
			return
		}
		if p.From.Before(first) || p.To.After(end) || !p.To.After(p.From) {
			t.Fatalf("from=%q to=%q gave %s..%s", from, to, p.From, p.To)
		}
	})
}
