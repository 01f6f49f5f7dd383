// Package compat checks that hotline's ClickHouse SQL runs the same on the 18.16 server CI has
// and on a current engine (chdb-core from PyPI, ClickHouse 26.x in process): the migrations
// with their version gates evaluated for the modern server, the rollup, every KPI query (raw
// and rollup), every dashboard panel and variable query, segmentation and the overdue list,
// over the same generated data. Its test needs var/venv from scripts/analytics-deps.sh.
package compat
