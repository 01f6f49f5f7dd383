package dashboards

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana-tools/sdk"
	"github.com/seed-1c4692e8/hotline/analytics"
)

// The data source every panel uses: the grafana-clickhouse-datasource plugin, version 4.x
// (jsonData keys host/port/protocol/defaultDatabase), provisioned with this UID.
const (
	PluginID      = "grafana-clickhouse-datasource"
	DatasourceUID = "hotline-clickhouse"
	schemaVersion = 39
)

func datasourceRef() map[string]string {
	return map[string]string{"type": PluginID, "uid": DatasourceUID}
}

// Built is one dashboard: its spec, the panels' SQL, and the Grafana JSON.
type Built struct {
	Spec  Spec
	SQL   []string // per panel, in Grafana's dialect (macros unexpanded)
	Board *sdk.Board
	JSON  []byte
}

// Build renders every dashboard with the analytics settings (thresholds, variants) in lang (one
// of analytics.Languages): titles, column names, variable labels and each panel's description,
// the definitions of its KPIs.
func Build(s analytics.Settings, lang string) ([]Built, error) {
	if err := CheckLang(lang); err != nil {
		return nil, err
	}
	var out []Built
	for _, sp := range Specs() {
		b, err := build(sp, s, lang)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", sp.UID, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func build(sp Spec, s analytics.Settings, lang string) (Built, error) {
	board := sdk.NewBoard(title(sp.Title, lang))
	board.ID = 0
	board.UID = uid(sp.UID, lang)
	board.Tags = sp.Tags
	board.Editable = true
	board.Timezone = "browser"
	board.SchemaVersion = schemaVersion
	board.Time = sdk.Time{From: "now-7d", To: "now"}
	if sp.Live {
		board.Time = sdk.Time{From: "now-6h", To: "now"}
		board.Refresh = &sdk.BoolString{Flag: true, Value: "30s"}
	}
	board.Timepicker.RefreshIntervals = []string{"30s", "1m", "5m", "15m", "1h"}
	board.Templating.List = templateVars(lang)
	built := Built{Spec: sp, Board: board}
	x, y, rowH := 0, 0, 0
	var err error
	for i, ps := range sp.Panels {
		ps.Query.Lang = lang
		if ps.MinInterval == "" && ps.Custom == nil && agentTime(ps.Query.Metrics) {
			// Agent time is cut at 15 minutes (analytics' agent-state pieces): finer buckets
			// would put a piece wholly in the one it starts in.
			ps.MinInterval = "15m"
		}
		var sql string
		if ps.Custom != nil {
			sql = ps.Custom(analytics.GrafanaDialect{}, s)
		} else if sql, err = analytics.Build(analytics.GrafanaDialect{}, s, ps.Query); err != nil {
			return Built{}, fmt.Errorf("panel %q: %w", ps.Title, err)
		}
		built.SQL = append(built.SQL, sql)
		w := ps.Width
		if w == 0 {
			w = 8
		}
		h := 8
		if ps.Kind == Stat {
			h = 4
		}
		if x+w > 24 {
			x, y, rowH = 0, y+rowH, 0
		}
		p, err := panel(ps, sql, i+1, s, lang)
		if err != nil {
			return Built{}, err
		}
		p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H = intp(x), intp(y), intp(w), intp(h)
		board.Panels = append(board.Panels, p)
		x += w
		if h > rowH {
			rowH = h
		}
	}
	board.Links = []sdk.Link{}
	board.Annotations.List = []sdk.Annotation{}
	js, err := tidy(board)
	if err != nil {
		return Built{}, fmt.Errorf("encoding: %w", err)
	}
	built.JSON = js
	return built, nil
}

func intp(v int) *int { return &v }

// agentTime reports whether the metrics are agents' time in states.
func agentTime(ms []string) bool {
	for _, n := range ms {
		if m, err := analytics.MetricByName(n); err == nil && (m.Family == "agent_states" || m.Family == "campaign_agent_states") {
			return true
		}
	}
	return false
}

func panel(ps PanelSpec, sql string, id int, s analytics.Settings, lang string) (*sdk.Panel, error) {
	format, queryType := 1, "table"
	if ps.Kind == Timeseries {
		format, queryType = 0, "timeseries"
	}
	target := map[string]any{
		"refId": "A", "datasource": datasourceRef(), "rawSql": sql, "format": format,
		"queryType": queryType, "editorType": "sql", "pluginVersion": "4.0.0",
	}
	defaults := map[string]any{}
	overrides := []any{}
	for _, name := range ps.Query.Metrics {
		m, err := analytics.MetricByName(name)
		if err != nil {
			return nil, err
		}
		props := []any{map[string]any{"id": "unit", "value": m.Unit}}
		if m.Target != nil {
			props = append(props, map[string]any{"id": "thresholds", "value": thresholds(m.Target)},
				map[string]any{"id": "custom.thresholdsStyle", "value": map[string]any{"mode": "line+area"}})
		}
		if len(ps.Query.Metrics) == 1 {
			defaults["unit"] = m.Unit
			if m.Target != nil {
				defaults["thresholds"] = thresholds(m.Target)
			}
		}
		overrides = append(overrides, map[string]any{
			"matcher":    map[string]any{"id": "byName", "options": strings.Trim(m.ColumnIn(lang), "`")},
			"properties": props,
		})
	}
	if _, ok := defaults["thresholds"]; !ok {
		defaults["thresholds"] = map[string]any{"mode": "absolute", "steps": []any{map[string]any{"color": "green", "value": nil}}}
	}
	if ps.Kind == Timeseries {
		defaults["custom"] = map[string]any{"lineWidth": 1, "fillOpacity": 10, "drawStyle": "line", "showPoints": "never", "spanNulls": false}
	}
	options := map[string]any{}
	switch ps.Kind {
	case Stat:
		options = map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}, "colorMode": "background", "graphMode": "none", "textMode": "auto"}
	case Timeseries:
		options = map[string]any{"legend": map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true}, "tooltip": map[string]any{"mode": "multi", "sort": "none"}}
	case Barchart:
		xf := ps.XField
		if xf == "" {
			xf = ps.Query.GroupBy[0] + "_key"
		}
		options = map[string]any{"orientation": "horizontal", "xField": xf, "showValue": "auto", "legend": map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true}}
	case Table:
		options = map[string]any{"showHeader": true}
	}
	custom := sdk.CustomPanel{
		"targets":     []any{target},
		"fieldConfig": map[string]any{"defaults": defaults, "overrides": overrides},
		"options":     options,
	}
	if ps.MinInterval != "" {
		custom["interval"] = ps.MinInterval
	}
	desc, err := description(ps, s, lang)
	if err != nil {
		return nil, err
	}
	p := &sdk.Panel{CommonPanel: sdk.CommonPanel{ID: uint(id), OfType: sdk.CustomType, Type: ps.Kind, Title: title(ps.Title, lang), Description: &desc,
		Datasource: datasourceRef()}, CustomPanel: &custom}
	return p, nil
}

// thresholds colours a metric against its seed-document target.
func thresholds(t *analytics.Target) map[string]any {
	below, above := "red", "green"
	if !t.Above {
		below, above = "green", "red"
	}
	return map[string]any{"mode": "absolute", "steps": []any{
		map[string]any{"color": below, "value": nil},
		map[string]any{"color": above, "value": t.Value},
	}}
}

// templateVars are the dashboard variables, one per analytics dimension, filled from ClickHouse.
func templateVars(lang string) []sdk.TemplateVar {
	src := map[analytics.Dim]string{
		analytics.DimTenant:   "SELECT DISTINCT toString(tenant) FROM call_records ORDER BY 1",
		analytics.DimQueue:    "SELECT DISTINCT toString(queue) FROM call_records WHERE queue != '' ORDER BY 1",
		analytics.DimLine:     "SELECT DISTINCT toString(business_line) FROM call_records ORDER BY 1",
		analytics.DimAgent:    "SELECT DISTINCT toString(agent_id) FROM call_records WHERE agent_id != '' ORDER BY 1",
		analytics.DimCampaign: "SELECT DISTINCT toString(campaign_id) FROM dial_attempts ORDER BY 1",
	}
	var out []sdk.TemplateVar
	for _, d := range analytics.Dims {
		all := "All"
		out = append(out, sdk.TemplateVar{
			Name: string(d), Label: varLabels[d].In(lang), Type: "query", Datasource: datasourceRef(),
			Query: src[d], Refresh: sdk.BoolInt{Flag: true, Value: int64p(1)}, Multi: true, IncludeAll: true,
			Current: sdk.Current{Text: &sdk.StringSliceString{Value: []string{all}, Valid: true}, Value: []string{"$__all"}},
			Options: []sdk.Option{},
		})
	}
	return out
}

func int64p(v int64) *int64 { return &v }

// TemplateQueries returns the variables' SQL, for tests.
func TemplateQueries() []string {
	var out []string
	for _, v := range templateVars(analytics.LangEn) {
		out = append(out, v.Query.(string))
	}
	return out
}

// tidy drops what the unmaintained SDK emits but Grafana's current schema does not know
// (allFormat, multiFormat, time_options, slug, originalTitle, style, the empty legacy rows).
func tidy(board *sdk.Board) ([]byte, error) {
	raw, err := json.Marshal(board)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"slug", "originalTitle", "style", "rows", "hideControls", "sharedCrosshair"} {
		delete(m, k)
	}
	if ps, ok := m["panels"].([]any); ok {
		for _, p := range ps {
			if pm, ok := p.(map[string]any); ok {
				for _, k := range []string{"editable", "error", "isNew", "span", "renderer", "height", "minSpan", "leftYAxisLabel", "rightYAxisLabel", "transparent"} {
					delete(pm, k)
				}
			}
		}
	}
	if tp, ok := m["timepicker"].(map[string]any); ok {
		delete(tp, "time_options")
	}
	if tl, ok := m["templating"].(map[string]any); ok {
		if list, ok := tl["list"].([]any); ok {
			for _, v := range list {
				if vm, ok := v.(map[string]any); ok {
					delete(vm, "allFormat")
					delete(vm, "multiFormat")
				}
			}
		}
	}
	return json.MarshalIndent(m, "", "  ")
}
