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
    [ "$(id -u)" -eq 0 ] || fail "chromium is not installed and we are not root: install the Debian package 'chromium'"
    say "chromium is not installed: installing the Debian package chromium (for the status page's browser test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || fail "apt-get update failed"
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium </dev/null >&2 \
        || fail "apt-get install chromium failed"
    path=$(find_chromium) || fail "the chromium package brought no chromium command"
fi
echo "$path"
