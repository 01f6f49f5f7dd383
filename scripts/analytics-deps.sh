#!/usr/bin/env bash
# Installs what the analytics and dashboards tests need besides Go:
#  - @grafana/schema + typescript (dashboards/schemacheck, from package-lock.json) for the
#    dashboard schema check;
#  - chdb-core from PyPI in var/venv (ClickHouse in-process, a current engine) for the
#    modern-ClickHouse check of the schema and every KPI/panel query.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x dashboards/schemacheck/node_modules/.bin/tsc ]; then
  npm ci --prefix dashboards/schemacheck --no-audit --no-fund
fi
if [ ! -x var/venv/bin/python ] || ! var/venv/bin/python -c 'import chdb' 2>/dev/null; then
  python3 -m venv var/venv
  var/venv/bin/pip install --quiet --disable-pip-version-check 'chdb-core==26.9.0'
fi
echo "analytics deps ready"
