#!/usr/bin/env python3
"""Checks the Grafana dashboard ops/grafana/flutterbye.json (Scripts/check-ops.sh runs it; needs promtool).

1. The file is JSON, imports with a `${DS_PROMETHEUS}` datasource input, and every panel and query uses it.
2. Every metric name in the dashboard, in ops/prometheus/alerts.yml and in its unit tests is one the service exports:
   its name appears as a string in Sources/ (a histogram's `_bucket`, `_count` and `_sum` series count for its name).
3. Every PromQL expression parses: they are written, with Grafana's variables replaced, as recording rules into a
   temporary file that `promtool check rules` checks.
4. Every expression selects something: `promtool test rules` evaluates each on sample series named and labelled as
   GET /metrics exports them (SAMPLE_SERIES below) and expects at least one series back.

Exits 1 naming each problem. Usage: Scripts/check-dashboard.py [DASHBOARD] (default ops/grafana/flutterbye.json).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALERT_FILES = ["ops/prometheus/alerts.yml", "ops/prometheus/alerts_test.yml"]
# Grafana's variables, as a query sees them when the dashboard runs (the `job` variable set to one job).
VARIABLES = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h", "job": "flutterbye"}
METRIC = re.compile(r"\b(?:flutterbye|solana_rpc)_[a-z0-9_]+\b")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
CONFIRMATION_BUCKETS = ["0.5", "1.0", "2.0", "5.0", "10.0", "20.0", "30.0", "60.0", "120.0", "300.0", "600.0", "1800.0", "+Inf"]
RPC_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"]


def sample_series():
    """Half an hour of one `flutterbye run` process's metrics, one sample a minute, as `promtool test rules` takes them."""
    base = 'job="flutterbye", instance="flutterbye:8080"'
    series = [("up{%s}" % base, "1x30")]
    for state, count in [("available", 3), ("running", 2), ("confirmed", 40), ("failed", 1)]:
        series.append(('flutterbye_jobs{%s, state="%s"}' % (base, state), "%dx30" % count))
    series += [
        ("flutterbye_oldest_waiting_job_age_seconds{%s}" % base, "0+10x30"),
        ("flutterbye_sender_jobs_in_flight{%s}" % base, "2x30"),
        ("flutterbye_payer_balance_lamports{%s}" % base, "5000000000-1000000x30"),
        ('flutterbye_job_failures_total{%s, error_class="insufficient_funds", outcome="failed"}' % base, "0+1x30"),
        ('flutterbye_job_failures_total{%s, error_class="transient", outcome="retried"}' % base, "0+2x30"),
        ("flutterbye_job_confirmation_seconds_count{%s}" % base, "0+10x30"),
        ("flutterbye_job_confirmation_seconds_sum{%s}" % base, "0+60x30"),
        ('flutterbye_index_lag_slots{%s, role="mint", address="FLBYMint111111111111111111111111111111111111"}' % base, "3x30"),
        ('flutterbye_index_caught_up_timestamp_seconds{%s, role="mint", address="FLBYMint111111111111111111111111111111111111"}' % base,
         "0+60x30"),
        ("flutterbye_index_finalized_watermark_slot{%s}" % base, "1000+150x30"),
        ("flutterbye_indexed_transactions_total{%s}" % base, "0+5x30"),
        ("flutterbye_indexed_movements_total{%s}" % base, "0+7x30"),
        ("flutterbye_event_streams{%s}" % base, "2x30"),
        ("flutterbye_events_sent_total{%s}" % base, "0+20x30"),
        ('solana_rpc_request_duration_seconds_count{%s, method="sendTransaction"}' % base, "0+60x30"),
        ('solana_rpc_errors_total{%s, method="sendTransaction", code="rpc"}' % base, "0+1x30"),
        ('solana_rpc_errors_total{%s, method="sendTransaction", code="timeout"}' % base, "0+1x30"),
    ]
    for index, le in enumerate(CONFIRMATION_BUCKETS):
        series.append(('flutterbye_job_confirmation_seconds_bucket{%s, le="%s"}' % (base, le), "0+%dx30" % min(10, index)))
    for index, le in enumerate(RPC_BUCKETS):
        series.append(('solana_rpc_request_duration_seconds_bucket{%s, method="sendTransaction", le="%s"}' % (base, le),
                       "0+%dx30" % min(60, index * 6)))
    return [{"series": name, "values": values} for name, values in series]


def substitute(expr):
    """The expression with Grafana's variables replaced; raises ValueError naming an unknown one."""
    def replace(match):
        name = match.group(1) or match.group(2)
        if name not in VARIABLES:
            raise ValueError("unknown Grafana variable $%s" % name)
        return VARIABLES[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", replace, expr)


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def exported_names():
    """Every string literal of the Swift sources (metric names are written whole there)."""
    names = set()
    for directory, _, files in os.walk(os.path.join(ROOT, "Sources")):
        for file in files:
            if file.endswith(".swift"):
                with open(os.path.join(directory, file), encoding="utf-8") as source:
                    names.update(re.findall(r'"((?:flutterbye|solana_rpc)_[a-z0-9_]+)"', source.read()))
    return names


def unknown_metrics(text, exported):
    unknown = set()
    for name in set(METRIC.findall(text)):
        if name in exported:
            continue
        stem = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if stem is None or stem not in exported:
            unknown.add(name)
    return sorted(unknown)


def promtool(*arguments):
    result = subprocess.run(["promtool", *arguments], capture_output=True, text=True)
    return result.returncode, (result.stdout + result.stderr).strip()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "ops/grafana/flutterbye.json")
    problems = []
    try:
        with open(path, encoding="utf-8") as file:
            dashboard = json.load(file)
    except (OSError, ValueError) as error:
        print("check-dashboard: %s is not readable JSON: %s" % (path, error), file=sys.stderr)
        return 1

    inputs = [i for i in dashboard.get("__inputs", []) if i.get("name") == "DS_PROMETHEUS" and i.get("pluginId") == "prometheus"]
    if not inputs:
        problems.append("no __inputs entry DS_PROMETHEUS of type prometheus: Grafana's import would not ask for the datasource")
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        problems.append("schemaVersion %r: expected a current Grafana's (36 or later)" % dashboard.get("schemaVersion"))
    queries = []  # (where, expr)
    ids = set()
    for panel in panels(dashboard):
        where = "panel %r (%s)" % (panel.get("title"), panel.get("id"))
        if panel.get("id") in ids:
            problems.append("%s: the id is used twice" % where)
        ids.add(panel.get("id"))
        if panel.get("type") == "row":
            continue
        if (panel.get("datasource") or {}).get("uid") != "${DS_PROMETHEUS}":
            problems.append("%s: its datasource is not ${DS_PROMETHEUS}" % where)
        targets = panel.get("targets") or []
        if not targets:
            problems.append("%s: no query" % where)
        for target in targets:
            if (target.get("datasource") or {}).get("uid") != "${DS_PROMETHEUS}":
                problems.append("%s query %s: its datasource is not ${DS_PROMETHEUS}" % (where, target.get("refId")))
            expr = target.get("expr", "")
            if not expr.strip():
                problems.append("%s query %s: no expression" % (where, target.get("refId")))
                continue
            try:
                queries.append(("%s query %s" % (where, target.get("refId")), substitute(expr)))
            except ValueError as error:
                problems.append("%s query %s: %s" % (where, target.get("refId"), error))

    exported = exported_names()
    texts = [("the dashboard", "\n".join(expr for _, expr in queries))]
    for name in ALERT_FILES:
        with open(os.path.join(ROOT, name), encoding="utf-8") as file:
            texts.append((name, file.read()))
    samples = sample_series()
    texts.append(("check-dashboard.py's sample series", "\n".join(s["series"] for s in samples)))
    for what, text in texts:
        for name in unknown_metrics(text, exported):
            problems.append("%s names %s, which the service does not export (no \"%s\" in Sources/)" % (what, name, name))

    with tempfile.TemporaryDirectory(prefix="flutterbye-dashboard-") as directory:
        records = ["dashboard:query_%d" % index for index in range(len(queries))]
        rules = {"groups": [{"name": "dashboard", "rules": [{"record": record, "expr": expr} for record, (_, expr) in zip(records, queries)]}]}
        rules_path = os.path.join(directory, "dashboard_rules.yml")
        with open(rules_path, "w", encoding="utf-8") as file:
            json.dump(rules, file, indent=1)  # JSON is YAML
        status, output = promtool("check", "rules", rules_path)
        if status != 0:
            index = {record: where for record, (where, _) in zip(records, queries)}
            for line in output.splitlines():
                print("  " + re.sub(r"dashboard:query_\d+", lambda m: index.get(m.group(0), m.group(0)), line), file=sys.stderr)
            problems.append("promtool check rules refused the dashboard's expressions (above)")
        else:
            tests = {
                "rule_files": [],
                "evaluation_interval": "1m",
                "tests": [{
                    "name": "every dashboard query selects series",
                    "interval": "1m",
                    "input_series": samples,
                    "promql_expr_test": [
                        {"expr": "clamp_max(count(%s), 1)" % expr, "eval_time": "20m", "exp_samples": [{"labels": "{}", "value": 1}]}
                        for _, expr in queries
                    ],
                }],
            }
            tests_path = os.path.join(directory, "dashboard_test.yml")
            with open(tests_path, "w", encoding="utf-8") as file:
                json.dump(tests, file, indent=1)
            status, output = promtool("test", "rules", tests_path)
            if status != 0:
                print(output, file=sys.stderr)
                problems.append("a dashboard query selects nothing from the sample series (above: the expression that failed)")

    for problem in problems:
        print("check-dashboard: %s" % problem, file=sys.stderr)
    if problems:
        return 1
    print("check-dashboard: %s: %d queries parse and select series; every metric named is exported" % (os.path.relpath(path, ROOT), len(queries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
