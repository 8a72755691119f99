#!/usr/bin/env bash
# Makes headless Chromium ready for the status page's browser test (StatusPageTests) and prints its path: Debian's
# `chromium` package, installed when missing (as root, the way Scripts/check-ops.sh installs promtool); not root
# and missing, it fails saying what to install. Used by Tests/run, which exports the path as FLUTTERBYE_CHROMIUM.
# Messages go to stderr.
set -euo pipefail

say() { echo "chromium: $*" >&2; }
fail() { echo "chromium: error: $*" >&2; exit 1; }

find_chromium() {
    local name
    for name in chromium chromium-browser; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    done
    return 1
}

if ! path=$(find_chromium); then
    say "chromium is not installed"
    bash "$(dirname "${BASH_SOURCE[0]}")/debian-package.sh" "the status page's browser tests" chromium || fail "chromium could not be installed (above)"
    path=$(find_chromium) || fail "the chromium package brought no chromium command"
fi
echo "$path"
