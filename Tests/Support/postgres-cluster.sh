#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#
#   Tests/Support/postgres-cluster.sh start DIR   -> prints `export ...` lines (eval them)
#   Tests/Support/postgres-cluster.sh stop DIR    -> stops the server and removes DIR (never fails)
#
# start installs the Debian package `postgresql` when no server binaries are found, creates a cluster in
# DIR listening only on 127.0.0.1 at a free port, with durability switched off (it is thrown away), and
# creates the database flutterbye_test. initdb refuses to run as root, so as root the cluster is run by the
# `postgres` OS user (created if missing) via runuser.
set -euo pipefail

die() { echo "postgres-cluster: $*" >&2; exit 1; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

start() {
    local dir=$1 bindir port
    if ! bindir=$(find_bindir); then
        echo "postgres-cluster: installing the postgresql Debian package" >&2
        [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and we are not root: install the 'postgresql' package"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || die "apt-get update failed"
        apt-get install -y -qq --no-install-recommends postgresql >&2 || die "apt-get install postgresql failed"
        bindir=$(find_bindir) || die "postgresql installed but no initdb found under /usr/lib/postgresql"
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres || die "cannot create the postgres user"
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -5 "$dir/initdb.log")"
    local attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            break
        fi
        port=""
    done
    [ -n "$port" ] || die "the server did not start: $(tail -5 "$dir/server.log" 2>/dev/null)"
    "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -t 30 >/dev/null || die "the server does not answer on port $port"
    "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE flutterbye_test" >/dev/null \
        || die "cannot create the test database"
    echo "$bindir" >"$dir/bindir"
    echo "export FLUTTERBYE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/flutterbye_test"
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=flutterbye_test"
    echo "export FLUTTERBYE_TEST_PG_BINDIR=$bindir FLUTTERBYE_TEST_PG_DATA=$dir/data"
}

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    if [ -f "$dir/bindir" ] && [ -d "$dir/data" ]; then
        as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) [ -n "${2:-}" ] || die "usage: $0 start DIR"; start "$2" ;;
    stop) [ -n "${2:-}" ] || die "usage: $0 stop DIR"; stop "$2" || true ;;
    *) die "usage: $0 start|stop DIR" ;;
esac
