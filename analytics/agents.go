package analytics

import (
	"context"
	"sort"
)

// AgentPerformance is one agent's volume and quality side by side (docs/kpi.md).
type AgentPerformance struct {
	Rank               int      `json:"rank"`
	Agent              string   `json:"agent_id"`
	InboundAnswered    float64  `json:"inbound_answered"`
	OutboundContacts   float64  `json:"outbound_contacts"`
	Volume             float64  `json:"volume"` // inbound answered + outbound contacts (产量)
	QueueServiceLevel  *float64 `json:"queue_service_level"`
	EffectiveTalkRatio *float64 `json:"effective_talk_ratio"`
	Occupancy          *float64 `json:"occupancy"`
	AHT                *float64 `json:"aht_sec"`
	QAScore            *float64 `json:"qa_score"`
	Complaints         float64  `json:"complaints"`
}

// AgentPerformance ranks agents by volume (ties by QA score). The service level of an agent's
// queues is the service level of the queues they answered in, weighted by the calls they
// answered there.
func (e *Engine) AgentPerformance(ctx context.Context, p Period) ([]AgentPerformance, error) {
	p.Agent = ""
	rows := map[string]*AgentPerformance{}
	get := func(a string) *AgentPerformance {
		if rows[a] == nil {
			rows[a] = &AgentPerformance{Agent: a}
		}
		return rows[a]
	}
	run := func(q Query, each func(key string, r *Result, i int)) error {
		res, err := e.Run(ctx, p, q)
		if err != nil {
			return err
		}
		for i, r := range res.Rows {
			each(r.Keys[0], res, i)
		}
		return nil
	}
	val := func(r *Result, i int, m string) *float64 {
		if v, ok := r.Value(i, m); ok {
			return &v
		}
		return nil
	}
	if err := run(Query{Metrics: []string{"answered", "aht"}, GroupBy: []string{"agent_id"}}, func(a string, r *Result, i int) {
		if a == "" {
			return
		}
		x := get(a)
		x.InboundAnswered, _ = r.Value(i, "answered")
		x.AHT = val(r, i, "aht")
	}); err != nil {
		return nil, err
	}
	if err := run(Query{Metrics: []string{"outbound_connected"}, GroupBy: []string{"agent_id"}}, func(a string, r *Result, i int) {
		if a != "" {
			get(a).OutboundContacts, _ = r.Value(i, "outbound_connected")
		}
	}); err != nil {
		return nil, err
	}
	if err := run(Query{Metrics: []string{"occupancy", "effective_talk_ratio"}, GroupBy: []string{"agent_id"}}, func(a string, r *Result, i int) {
		x := get(a)
		x.Occupancy, x.EffectiveTalkRatio = val(r, i, "occupancy"), val(r, i, "effective_talk_ratio")
	}); err != nil {
		return nil, err
	}
	if err := run(Query{Metrics: []string{"qa_score"}, GroupBy: []string{"agent_id"}}, func(a string, r *Result, i int) {
		get(a).QAScore = val(r, i, "qa_score")
	}); err != nil {
		return nil, err
	}
	if err := run(Query{Metrics: []string{"complaints"}, GroupBy: []string{"against_agent_id"}}, func(a string, r *Result, i int) {
		if a != "" {
			get(a).Complaints, _ = r.Value(i, "complaints")
		}
	}); err != nil {
		return nil, err
	}
	// Queue service level, then weighted per agent by their answered calls per queue.
	sl := map[string]float64{}
	if err := run(Query{Metrics: []string{"service_level"}, GroupBy: []string{"queue"}}, func(q string, r *Result, i int) {
		if v, ok := r.Value(i, "service_level"); ok {
			sl[q] = v
		}
	}); err != nil {
		return nil, err
	}
	res, err := e.Run(ctx, p, Query{Metrics: []string{"answered"}, GroupBy: []string{"agent_id", "queue"}})
	if err != nil {
		return nil, err
	}
	num, den := map[string]float64{}, map[string]float64{}
	for i, r := range res.Rows {
		n, _ := res.Value(i, "answered")
		if v, ok := sl[r.Keys[1]]; ok && r.Keys[0] != "" && n > 0 {
			num[r.Keys[0]] += v * n
			den[r.Keys[0]] += n
		}
	}
	var out []AgentPerformance
	for a, x := range rows {
		if den[a] > 0 {
			v := num[a] / den[a]
			x.QueueServiceLevel = &v
		}
		x.Volume = x.InboundAnswered + x.OutboundContacts
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Volume != out[j].Volume {
			return out[i].Volume > out[j].Volume
		}
		qi, qj := -1.0, -1.0
		if out[i].QAScore != nil {
			qi = *out[i].QAScore
		}
		if out[j].QAScore != nil {
			qj = *out[j].QAScore
		}
		if qi != qj {
			return qi > qj
		}
		return out[i].Agent < out[j].Agent
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}
