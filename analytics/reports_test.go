package analytics

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

func loaded(t *testing.T, seed int64) (*Engine, *chtest.Fixture) {
	conn, _ := chtest.Database(t)
	f := chtest.Generate(seed)
	if err := f.Load(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Calendar = Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	return &Engine{Conn: conn, Settings: s}, f
}

func TestVolumeReport(t *testing.T) {
	e, f := loaded(t, 21)
	ctx := context.Background()
	p := Period{From: f.Start, To: f.End}
	v, err := e.Volume(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	days, hours := map[time.Time]float64{}, map[time.Time]float64{}
	var in, out float64
	for _, c := range f.Calls {
		if !in0(p, c.Arrived) {
			continue
		}
		days[c.Arrived.Truncate(24*time.Hour)]++
		hours[c.Arrived.Truncate(time.Hour)]++
		if c.Direction == "inbound" {
			in++
		} else {
			out++
		}
	}
	bd, bdn := argmax(days)
	bh, bhn := argmax(hours)
	if v.Inbound != in || v.Outbound != out || v.Total != in+out || v.Days != 14 || !close(v.DailyAverage, (in+out)/14) ||
		v.BusiestDayCalls != bdn || !v.BusiestDay.Equal(bd) || v.BusiestHourCalls != bhn || !v.BusiestHour.Equal(bh) || v.YoYGrowth != nil {
		t.Errorf("volume %+v; want in %v out %v busiest day %v (%v) hour %v (%v)", v, in, out, bd, bdn, bh, bhn)
	}
	// A year later the same traffic is "last year": growth -100%.
	next, err := e.Volume(ctx, Period{From: f.Start.AddDate(1, 0, 0), To: f.End.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if next.LastYearTotal != in+out || next.YoYGrowth == nil || *next.YoYGrowth != -1 {
		t.Errorf("next year: %+v", next)
	}
}

func in0(p Period, t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// argmax returns the earliest key with the largest value.
func argmax(m map[time.Time]float64) (time.Time, float64) {
	keys := make([]time.Time, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	var best time.Time
	var n float64
	for _, k := range keys {
		if m[k] > n {
			best, n = k, m[k]
		}
	}
	return best, n
}

func TestAgentPerformance(t *testing.T) {
	e, f := loaded(t, 23)
	p := Period{From: f.Start, To: f.End}
	got, err := e.AgentPerformance(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	s := e.Settings
	qsl := map[string]*float64{}
	for _, q := range f.Queues {
		pq := p
		pq.Queue = q
		qsl[q] = refCalls(f, pq, s)["service_level"]
	}
	if len(got) != len(f.Agents) {
		t.Fatalf("%d agents ranked, want %d", len(got), len(f.Agents))
	}
	for i, g := range got {
		pa := p
		pa.Agent = g.Agent
		calls, dial, st, qa, cmp := refCalls(f, pa, s), refDial(f, pa), refAgents(f, pa), refQA(f, pa), refComplaints(f, pa, s, time.Now())
		var num, den float64
		for _, c := range f.Calls {
			if c.Agent == g.Agent && c.Direction == "inbound" && c.Outcome == "answered" && c.Queued != nil && in0(p, c.Arrived) && qsl[c.Queue] != nil {
				num += *qsl[c.Queue]
				den++
			}
		}
		eq := func(name string, a *float64, b *float64) {
			if (a == nil) != (b == nil) || (a != nil && !close(*a, *b)) {
				t.Errorf("%s %s: SQL %v, Go %v", g.Agent, name, deref(a), deref(b))
			}
		}
		if g.InboundAnswered != *calls["answered"] || g.OutboundContacts != *dial["outbound_connected"] || g.Complaints != *cmp["complaints"] ||
			g.Volume != g.InboundAnswered+g.OutboundContacts || g.Rank != i+1 {
			t.Errorf("%s: %+v", g.Agent, g)
		}
		eq("aht", g.AHT, calls["aht"])
		eq("occupancy", g.Occupancy, st["occupancy"])
		eq("talk ratio", g.EffectiveTalkRatio, st["effective_talk_ratio"])
		eq("qa", g.QAScore, qa["qa_score"])
		eq("queue sl", g.QueueServiceLevel, frac(num, den))
		if i > 0 && got[i-1].Volume < g.Volume {
			t.Errorf("not ranked by volume at %d", i)
		}
	}
}

func TestOverdueComplaints(t *testing.T) {
	e, f := loaded(t, 29)
	now := f.Start.AddDate(0, 0, 10)
	got, err := e.OverdueComplaints(context.Background(), "", now)
	if err != nil {
		t.Fatal(err)
	}
	type open struct {
		reg      time.Time
		answered bool
	}
	byID := map[string]*open{}
	for _, c := range f.Complaints {
		if c.At.After(now) {
			continue
		}
		if byID[c.ComplaintID] == nil {
			byID[c.ComplaintID] = &open{reg: c.Registered}
		}
		if c.Stage == "answered" || c.Stage == "closed" {
			byID[c.ComplaintID].answered = true
		}
	}
	want := map[string]time.Time{}
	for id, o := range byID {
		dl := workdayDeadline(e.Settings.Calendar, o.reg, 7)
		if !o.answered && o.reg.Before(now) && !dl.AddDate(0, 0, 1).After(now) {
			want[id] = dl
		}
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d overdue listed, want %d", len(got), len(want))
	}
	for _, g := range got {
		if dl, ok := want[g.ComplaintID]; !ok || !g.DueDate.Equal(dl) || g.DaysOverdue != int(now.Sub(dl.AddDate(0, 0, 1)).Hours()/24) {
			t.Errorf("%+v, want due %v", g, want[g.ComplaintID])
		}
	}
}
