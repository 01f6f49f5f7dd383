// Package analytics is hotline's KPI layer: every metric of docs/kpi.md is defined here once, as one
// SQL expression over ClickHouse fact tables (or a rollup of them), and rendered for a period and
// filters (Period) or for a Grafana panel (GrafanaDialect). Dashboards, reports and the API all
// take their SQL from here, so two people reading the same number mean the same thing. What each
// KPI counts is written beside it in English and Chinese (definitions.go): the dashboards' panel
// descriptions, docs/kpi.md and GET /api/kpis/definitions read it there.
//
// Windows compare milliseconds: DateTime holds seconds on every ClickHouse (no DateTime64 on
// 18.16), so the times they compare carry a millisecond column beside them (migration 0250,
// MillisSQL), as occurred_at has occurred_ms.
//
// Speed comes from tables derived from the facts, each answering exactly what the facts would
// (tests compare both): counter rollups and the waits of answered calls kept by materialised
// views (migrations 0100-0102, 0108), and what only time can settle kept by DailyJobs, which
// `hotline run` runs: FCR of days whose window has closed (0105), policies in force per day
// (0106), daily segmentation snapshots and the quadrant changes between them (0104, 0107).
// Settings (Settings, the analytics: section of the config file) choose the variants; a query
// uses a derived table only when it holds what the settings ask for.
//
// All SQL runs on ClickHouse 18.16 and on current releases: no window functions, no CTEs, one
// JOIN per SELECT, no toStartOfInterval (docs/clickhouse-compat.md).
package analytics
