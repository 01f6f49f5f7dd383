// Package analytics is hotline's KPI layer: every metric of KPI.md is defined here once, as one
// SQL expression over ClickHouse fact tables (or a rollup of them), and rendered for a period and
// filters (Period) or for a Grafana panel (GrafanaDialect). Dashboards, reports and the API all
// take their SQL from here, so two people reading the same number mean the same thing.
//
// All SQL runs on ClickHouse 18.16 and on current releases: no window functions, no CTEs, one
// JOIN per SELECT, no toStartOfInterval (see shared/clickhouse-18.md).
package analytics
