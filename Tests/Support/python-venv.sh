#!/usr/bin/env bash
# Makes the repository's Python virtualenv .venv ready: creates it (installing the Debian package python3-venv
# when python3 -m venv is missing and we are root) and installs Tests/requirements.txt into it (solders for the
# local chain and the reference vectors, schemathesis for the API check) when that file changed since the last
# install. Used by Tests/run and Scripts/demo. Messages go to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { echo "python-venv: $*" >&2; }
fail() { echo "python-venv: error: $*" >&2; exit 1; }

requirements=Tests/requirements.txt
included=Tests/SolanaCoreTests/Vectors/requirements.txt
[ -f "$requirements" ] && [ -f "$included" ] || fail "$requirements or $included is missing"
stamp=.venv/.tests-run-requirements.sha256
wanted=$(cat "$requirements" "$included" | sha256sum | cut -d' ' -f1)
if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
    say "creating the Python virtualenv .venv"
    rm -rf .venv
    if ! python3 -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        say "python3 -m venv failed"
        bash Tests/Support/debian-package.sh "the Python virtualenv .venv" python3-venv || fail "python3-venv could not be installed (above)"
        python3 -m venv .venv || fail "cannot create the Python virtualenv .venv"
    fi
fi
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    say "installing $(cat "$requirements" "$included" | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^-r ' | tr '\n' ' ')into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements" || fail "pip install -r $requirements failed"
    echo "$wanted" >"$stamp"
fi
