package analytics

import (
	"context"
	"time"
)

// Volume is the volume report for a period: inbound, outbound and total calls, the daily
// average, the busiest day and hour, and the change on the same period a year before.
type Volume struct {
	From, To         time.Time
	Inbound          float64
	Outbound         float64
	Total            float64
	Days             int
	DailyAverage     float64   // total / calendar days
	BusiestDay       time.Time // the day with most calls
	BusiestDayCalls  float64
	BusiestHour      time.Time // the clock hour with most calls
	BusiestHourCalls float64
	LastYearTotal    float64
	YoYGrowth        *float64 // (total - last year) / last year; nil when last year had none
}

// Volume computes the volume report from the call counters (inbound, outbound, total).
func (e *Engine) Volume(ctx context.Context, p Period) (*Volume, error) {
	v := &Volume{From: p.From, To: p.To}
	day := p
	day.Granularity = GranDay
	res, err := e.Run(ctx, day, Query{Metrics: []string{"inbound", "outbound", "total"}, Bucket: true})
	if err != nil {
		return nil, err
	}
	for i, r := range res.Rows {
		in, _ := res.Value(i, "inbound")
		out, _ := res.Value(i, "outbound")
		tot, _ := res.Value(i, "total")
		v.Inbound += in
		v.Outbound += out
		v.Total += tot
		if tot > v.BusiestDayCalls {
			v.BusiestDay, v.BusiestDayCalls = r.Time, tot
		}
	}
	v.Days = int((p.To.Sub(p.From) + 23*time.Hour) / (24 * time.Hour))
	if v.Days > 0 {
		v.DailyAverage = v.Total / float64(v.Days)
	}
	hour := p
	hour.Granularity = GranHour
	hres, err := e.Run(ctx, hour, Query{Metrics: []string{"total"}, Bucket: true})
	if err != nil {
		return nil, err
	}
	for i, r := range hres.Rows {
		if tot, _ := hres.Value(i, "total"); tot > v.BusiestHourCalls {
			v.BusiestHour, v.BusiestHourCalls = r.Time, tot
		}
	}
	ly := p
	ly.From, ly.To = p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)
	tot, err := e.Totals(ctx, ly, "total")
	if err != nil {
		return nil, err
	}
	v.LastYearTotal = tot["total"]
	if v.LastYearTotal > 0 {
		g := (v.Total - v.LastYearTotal) / v.LastYearTotal
		v.YoYGrowth = &g
	}
	return v, nil
}
