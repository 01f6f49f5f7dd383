"""Runs hotline's schema, data and queries on a current ClickHouse engine (chdb-core, in
process) and writes each query's rows or error as JSON. Driven by analytics/compat's Go test.

usage: chdb_check.py INPUT.json OUTPUT.json
INPUT: {"setup": [sql, ...], "queries": [{"name": str, "sql": str}, ...]}
"""
import json
import sys

from chdb import session


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    s = session.Session()
    out = {"version": None, "setup_errors": [], "queries": {}}
    out["version"] = json.loads(s.query("SELECT version()", "JSONCompact").bytes())["data"][0][0]
    s.query("CREATE DATABASE IF NOT EXISTS hotline")
    s.query("USE hotline")
    for i, stmt in enumerate(spec["setup"]):
        try:
            s.query(stmt)
        except Exception as e:  # noqa: BLE001 - reported back to the Go test
            out["setup_errors"].append({"statement": i, "sql": stmt[:300], "error": str(e)[:500]})
    for q in spec["queries"]:
        try:
            res = s.query(q["sql"], "JSONCompact")
            raw = res.bytes()
            rows = json.loads(raw)["data"] if raw.strip() else []
            out["queries"][q["name"]] = {"rows": rows}
        except Exception as e:  # noqa: BLE001
            out["queries"][q["name"]] = {"error": str(e)[:800]}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
