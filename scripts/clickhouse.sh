#!/usr/bin/env bash
# Local ClickHouse for tests, CI and `make run`: scripts/clickhouse.sh start|stop|status|run [flags]
# Flags (see --help): --data-dir (default var/clickhouse), --tcp-port 19000, --http-port 18123.
# Environment (overridden by flags): CLICKHOUSE_DATA_DIR, CLICKHOUSE_TCP_PORT, CLICKHOUSE_HTTP_PORT.
# The logic lives in internal/chserver (also reachable as `hotline clickhouse`).
#
# Pitfalls found with the Debian 18.16 package:
# - The binary is /usr/sbin/clickhouse-server (not on a non-root PATH); chserver looks there.
# - 18.16 wants absolute paths ending in "/" for path, tmp_path, user_files_path and
#   format_schema_path, and a users_config; chserver writes all of them under the data dir.
# - It runs fine as root. It only needs IPv4 loopback: listening on ::1 is left out on purpose,
#   since a missing IPv6 loopback (common in containers) makes it refuse to start.
# - Startup problems are reported in var/clickhouse/log/clickhouse-server.err.log, not on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

sub=${1:-}
case $sub in
start | run) scripts/deps.sh clickhouse ;;
esac
shift || true
flags=()
[[ -n ${CLICKHOUSE_DATA_DIR:-} ]] && flags+=(--data-dir "$CLICKHOUSE_DATA_DIR")
[[ -n ${CLICKHOUSE_TCP_PORT:-} ]] && flags+=(--tcp-port "$CLICKHOUSE_TCP_PORT")
[[ -n ${CLICKHOUSE_HTTP_PORT:-} ]] && flags+=(--http-port "$CLICKHOUSE_HTTP_PORT")
# On a fresh machine the first `go run` compiles the ClickHouse driver: about a minute on 2 cores.
# Flags given on the command line come last and win over the environment.
exec go run ./internal/chserver/chserverctl $sub "${flags[@]}" "$@"
