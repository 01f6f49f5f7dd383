package report

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Register mounts the report endpoints (role manager). Every one takes from/to (YYYY-MM-DD,
// default: the last 7 days) and the filters tenant, queue, business_line, campaign, agent:
//
//	GET /api/reports            the `hotline report` table as JSON (?by=day|week|month, ?metrics=a,b)
//	GET /api/kpis               totals of ?metrics= (default: every call metric) over the period
//	GET /api/kpis/definitions   what each KPI counts and the conventions, ?lang=en|zh
//	GET /api/volume             inbound/outbound/total, daily average, busiest day and hour, YoY
//	GET /api/agents/performance agents ranked by volume with their quality figures
//	GET /api/complaints/overdue open complaints past their working-day deadline
func Register(srv *httpapi.Server, e *analytics.Engine, now func() time.Time) {
	roles := []httpapi.Role{httpapi.RoleManager}
	handle := func(path, summary string, f func(w http.ResponseWriter, r *http.Request, p analytics.Period)) {
		srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: path, Roles: roles, Summary: summary, TenantFiltered: true,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tenant, ok := httpapi.TenantFilter(w, r)
				if !ok {
					return
				}
				p, err := period(r, now())
				if err != nil {
					httpapi.Error(w, http.StatusBadRequest, err.Error())
					return
				}
				p.Tenant = tenant // the user's centre, or the one of it ?tenant= names
				f(w, r, p)
			})})
	}
	handle("/api/reports", "KPIs per day, week or month (the hotline report table)", func(w http.ResponseWriter, r *http.Request, p analytics.Period) {
		ms, err := metricsParam(r, ReportMetrics)
		if err != nil {
			httpapi.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		res, err := e.Run(r.Context(), p, analytics.Query{Metrics: ms, Bucket: true})
		if err != nil {
			httpapi.InternalError(w, r, "running the report", err)
			return
		}
		rows := make([]map[string]any, 0, len(res.Rows))
		for _, row := range res.Rows {
			m := map[string]any{"period": row.Time.Format(time.DateOnly)}
			for i, name := range ms {
				m[name] = row.Values[i]
			}
			rows = append(rows, m)
		}
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"from": p.From.Format(time.DateOnly), "to": p.To.Format(time.DateOnly), "by": p.Granularity, "metrics": ms, "rows": rows})
	})
	handle("/api/kpis", "totals of KPIs over a period (?metrics=a,b)", func(w http.ResponseWriter, r *http.Request, p analytics.Period) {
		ms, err := metricsParam(r, analytics.MetricsOf("calls"))
		if err != nil {
			httpapi.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		tot, err := e.Totals(r.Context(), p, ms...)
		if err != nil {
			httpapi.InternalError(w, r, "computing the KPIs", err)
			return
		}
		out := map[string]any{}
		for _, m := range ms {
			if v, ok := tot[m]; ok {
				out[m] = v
			} else {
				out[m] = nil
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	})
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/kpis/definitions", Roles: roles,
		Summary: "what each KPI counts, with the settings' thresholds and windows, and the conventions (?lang=en|zh)",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lang := r.URL.Query().Get("lang")
			if lang == "" {
				lang = analytics.LangEn
			}
			if lang != analytics.LangEn && lang != analytics.LangZh {
				httpapi.Error(w, http.StatusBadRequest, "lang: "+strconv.Quote(lang)+" is not en or zh")
				return
			}
			type kpi struct {
				Name       string `json:"name"`
				Title      string `json:"title"`
				Unit       string `json:"unit"`
				Definition string `json:"definition"`
			}
			kpis := []kpi{}
			for _, n := range analytics.MetricNames() {
				m, _ := analytics.MetricByName(n)
				kpis = append(kpis, kpi{Name: n, Title: m.TitleIn(lang), Unit: m.Unit, Definition: m.Definition(e.Settings, lang)})
			}
			conv := []map[string]string{}
			for _, c := range analytics.Conventions {
				conv = append(conv, map[string]string{"name": c.Name.In(lang), "text": c.Text.In(lang)})
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"lang": lang, "kpis": kpis, "conventions": conv})
		})})
	handle("/api/volume", "call volume: inbound, outbound, total, daily average, busiest day and hour, year-on-year growth", func(w http.ResponseWriter, r *http.Request, p analytics.Period) {
		v, err := e.Volume(r.Context(), p)
		if err != nil {
			httpapi.InternalError(w, r, "computing the call volume", err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, v)
	})
	handle("/api/agents/performance", "agents ranked by volume, with service level, talk ratio, AHT, QA score and complaints", func(w http.ResponseWriter, r *http.Request, p analytics.Period) {
		a, err := e.AgentPerformance(r.Context(), p)
		if err != nil {
			httpapi.InternalError(w, r, "ranking the agents", err)
			return
		}
		// ?agent= narrows the ranking to that agent (their rank among all stays).
		out := []analytics.AgentPerformance{}
		for _, ap := range a {
			if p.Agent == "" || ap.Agent == p.Agent {
				out = append(out, ap)
			}
		}
		a = out
		httpapi.WriteJSON(w, http.StatusOK, a)
	})
	handle("/api/complaints/overdue", "open complaints past their 7-working-day deadline", func(w http.ResponseWriter, r *http.Request, p analytics.Period) {
		c, err := e.OverdueComplaints(r.Context(), p.Tenant, now())
		if err != nil {
			httpapi.InternalError(w, r, "listing overdue complaints", err)
			return
		}
		if c == nil {
			c = []analytics.OverdueComplaint{}
		}
		httpapi.WriteJSON(w, http.StatusOK, c)
	})
}

// maxMetrics bounds ?metrics=: there are fewer metrics than this.
const maxMetrics = 100

// metricsParam is ?metrics=a,b, each a known metric, or def.
func metricsParam(r *http.Request, def []string) ([]string, error) {
	m := r.URL.Query().Get("metrics")
	if m == "" {
		return def, nil
	}
	names := strings.Split(m, ",")
	if len(names) > maxMetrics {
		return nil, fmt.Errorf("metrics: %d names, at most %d", len(names), maxMetrics)
	}
	for _, n := range names {
		if _, err := analytics.MetricByName(n); err != nil {
			return nil, fmt.Errorf("metrics: %q is not a metric (GET /api/endpoints lists the report endpoints; `hotline report --help` the metrics)", httpapi.Clip(n))
		}
	}
	return names, nil
}

func period(r *http.Request, now time.Time) (analytics.Period, error) {
	q := r.URL.Query()
	to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if s := q.Get("to"); s != "" {
		t, err := analytics.ParseDay("to", s)
		if err != nil {
			return analytics.Period{}, err
		}
		to = t
	}
	from := to.AddDate(0, 0, -7)
	if s := q.Get("from"); s != "" {
		t, err := analytics.ParseDay("from", s)
		if err != nil {
			return analytics.Period{}, err
		}
		from = t
	}
	by := q.Get("by")
	if by == "" {
		by = analytics.GranDay
	}
	p := analytics.Period{From: from, To: to, Granularity: by, Tenant: q.Get("tenant"), Queue: q.Get("queue"),
		Line: q.Get("business_line"), Campaign: q.Get("campaign"), Agent: q.Get("agent")}
	return p, p.Validate()
}
