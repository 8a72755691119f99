#!/usr/bin/env bash
# Installs Debian packages a test or check script needs and the machine lacks (PostgreSQL, python3-venv, promtool's
# prometheus, Chromium), the one way every such script does it: as root, apt-get update then install without
# recommended packages; not root, it fails naming what to install. Messages go to stderr.
#
#   Tests/Support/debian-package.sh WHAT PACKAGE...    WHAT says what needs them ("the status page's browser tests")
set -euo pipefail
[ "$#" -ge 2 ] || { echo "usage: $0 WHAT PACKAGE..." >&2; exit 2; }
what=$1
shift

say() { echo "debian-package: $*" >&2; }
fail() { echo "debian-package: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "$what needs the Debian package(s) $* and we are not root: install them (apt-get install $*)"
say "installing the Debian package(s) $* for $what"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || fail "apt-get update failed"
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" </dev/null >&2 || fail "apt-get install $* failed"
