#!/usr/bin/env bash
# Checks the monitoring files under ops/ (Tests/run runs it without arguments; README "Operations"):
#   1. `promtool check rules ops/prometheus/alerts.yml`: the alert rules parse, their templates too;
#   2. `promtool test rules ops/prometheus/alerts_test.yml`: each alert fires on its sample history and stays quiet
#      on the other, with the annotations it renders;
#   3. Scripts/check-dashboard.py: the Grafana dashboard is JSON with a ${DS_PROMETHEUS} input, each of its PromQL
#      queries parses and selects series from samples named as the service exports them, and every metric named in
#      the dashboard, the rules and their tests is one the service exports.
# promtool comes from Debian's `prometheus` package, installed when missing (as root; its service is not started
# where the machine's policy-rc.d forbids it, as in containers). Exits non-zero on the first failing check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "Scripts/check-ops.sh: $*"; }
fail() { echo "Scripts/check-ops.sh: error: $*" >&2; exit 1; }

if ! command -v promtool >/dev/null 2>&1; then
    say "promtool is not installed"
    bash Tests/Support/debian-package.sh "promtool (Scripts/check-ops.sh)" prometheus || fail "promtool could not be installed (above)"
    command -v promtool >/dev/null 2>&1 || fail "the prometheus package brought no promtool"
fi
command -v python3 >/dev/null 2>&1 || fail "python3 is needed for Scripts/check-dashboard.py"

say "promtool check rules ops/prometheus/alerts.yml"
promtool check rules ops/prometheus/alerts.yml || fail "the alert rules do not parse (above)"
say "promtool test rules ops/prometheus/alerts_test.yml"
promtool test rules ops/prometheus/alerts_test.yml || fail "an alert rule's unit test failed (above)"
say "Scripts/check-dashboard.py ops/grafana/flutterbye.json"
python3 Scripts/check-dashboard.py ops/grafana/flutterbye.json || fail "the Grafana dashboard has problems (above)"
say "ok"
