#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (used by Tests/run).
#
#   Tests/Support/postgres-cluster.sh start DIR   prints `export ...` lines to eval: FLUTTERBYE_TEST_DATABASE_URL,
#                                                 PGHOST, PGPORT, PGUSER, PGDATABASE
#   Tests/Support/postgres-cluster.sh stop DIR    stops the server and removes DIR; never fails
#   Tests/Support/postgres-cluster.sh halt DIR    stops the server (fast shutdown: open connections are cut) and
#                                                 keeps DIR, to test what clients do while the database is gone
#   Tests/Support/postgres-cluster.sh resume DIR  starts a halted server again, on the same port
#
# start installs the Debian package `postgresql` when no initdb is found under /usr/lib/postgresql/*/bin, creates
# a cluster in DIR/data (trust authentication, user postgres, UTF8) that listens only on 127.0.0.1 at a free
# port, with its socket in DIR and durability switched off (it is thrown away), and creates the database
# flutterbye_test. initdb refuses to run as root, so as root the cluster belongs to the `postgres` OS user
# (created if missing) and runs through runuser; DIR and its parents must then be reachable by that user, so
# pick DIR under /tmp (mktemp -d). Messages go to stderr; only the export lines go to stdout.
set -euo pipefail

me=postgres-cluster
say() { echo "$me: $*" >&2; }
die() { say "error: $*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# The newest PostgreSQL binaries directory that has initdb.
find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

# Runs a command as the cluster's owner (from /, which that user can always enter).
as_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Runs a command as the cluster's owner with no open descriptor above 2. For `pg_ctl start`: the server outlives
# this script, and a descriptor it inherited from our caller would hold the caller's end open; Foundation's
# Process on Linux, for one, waits for such a socket to close, so its caller would hang until the server stops.
as_owner_detached() {
    local closer='import os, sys
os.closerange(3, os.sysconf("SC_OPEN_MAX"))
os.execvp(sys.argv[1], sys.argv[1:])'
    if is_root; then
        (cd / && python3 -c "$closer" runuser -u postgres -- "$@")
    else
        (cd / && python3 -c "$closer" "$@")
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

install_postgresql() {
    say "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin)"
    bash "$(dirname "${BASH_SOURCE[0]}")/debian-package.sh" "the test database" postgresql || die "PostgreSQL could not be installed (above)"
}

# Stops the server of DIR if one runs there (used by stop and when start fails half-way).
stop_server() {
    local dir=$1 bindir="" pid cmdline
    [ -f "$dir/data/postmaster.pid" ] || return 0
    bindir=$(cat "$dir/bindir" 2>/dev/null || find_bindir || true)
    if [ -n "$bindir" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
        return 0
    fi
    # pg_ctl could not stop it: signal the postmaster recorded in its pid file (a process this script started).
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    if [[ "$cmdline" == *"$dir/data"* ]]; then
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

start() {
    local dir=$1 bindir port="" attempt
    case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
    [ ${#dir} -le 80 ] || die "DIR '$dir' is too long for a Unix socket path (at most 80 characters): use mktemp -d"

    bindir=$(find_bindir) || { install_postgresql; bindir=$(find_bindir) || die "the postgresql package is installed but no initdb is under /usr/lib/postgresql/*/bin"; }
    command -v python3 >/dev/null || die "python3 is needed (to pick a free port and start the server detached)"

    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "DIR '$dir' is not empty: give a new directory (mktemp -d)"
    if is_root; then
        if ! id postgres >/dev/null 2>&1; then
            say "creating the OS user postgres (initdb refuses to run as root)"
            useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres \
                || die "cannot create the OS user postgres"
        fi
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" \
            || die "the OS user postgres cannot write to '$dir': its parent directories must be traversable by others; use a directory under /tmp (mktemp -d)"
    fi
    echo "$bindir" >"$dir/bindir"

    if ! as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        rm -rf "$dir/data"
        as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
            || die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
    fi
    local socket_dir=${dir//\'/\'\'}
    cat >>"$dir/data/postgresql.conf" <<EOF

# Throwaway test cluster (Tests/Support/postgres-cluster.sh): loopback only, no durability.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF

    for attempt in 1 2 3 4 5 6 7 8; do
        port=$(free_port) || die "cannot pick a free port with python3"
        if as_owner_detached "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1; then
            break
        fi
        stop_server "$dir"
        if grep -qiE "could not bind|address already in use|could not create any TCP/IP sockets" "$dir/server.log" 2>/dev/null; then
            say "port $port was taken meanwhile, trying another (attempt $attempt)"
            : >"$dir/server.log"
            port=""
            continue
        fi
        die "the server did not start: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
    done
    [ -n "$port" ] || die "the server did not start: no free port found after 8 attempts"
    echo "$port" >"$dir/port"

    if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 30; then
        stop_server "$dir"
        die "the server does not answer on 127.0.0.1:$port: $(tail -n 5 "$dir/server.log")"
    fi
    if ! "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE flutterbye_test" >/dev/null 2>"$dir/createdb.log"; then
        stop_server "$dir"
        die "cannot create the database flutterbye_test: $(cat "$dir/createdb.log")"
    fi

    echo "export FLUTTERBYE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/flutterbye_test"
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=flutterbye_test"
    echo "export FLUTTERBYE_TEST_PG_BINDIR=$(printf %q "$bindir") FLUTTERBYE_TEST_PG_DATA=$(printf %q "$dir/data")"
}

stop() {
    local dir=$1
    case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
    [ -e "$dir" ] || return 0
    stop_server "$dir" || true
    # Remove only what start made (its marker file), or an empty directory: never an unrelated tree.
    if [ -f "$dir/bindir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ]; then
        rm -rf "$dir" || true
    else
        say "not removing '$dir': it does not look like a cluster directory made by start"
    fi
}

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }

halt() {
    local dir bindir
    dir=$(absolute "$1")
    [ -f "$dir/bindir" ] && [ -f "$dir/port" ] || die "'$dir' is not a cluster directory made by start"
    bindir=$(cat "$dir/bindir")
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed: $(tail -n 5 "$dir/server.log")"
}

resume() {
    local dir bindir port
    dir=$(absolute "$1")
    [ -f "$dir/bindir" ] && [ -f "$dir/port" ] || die "'$dir' is not a cluster directory made by start"
    bindir=$(cat "$dir/bindir")
    port=$(cat "$dir/port")
    as_owner_detached "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null \
        || die "the server did not start again on port $port: $(tail -n 5 "$dir/server.log")"
}

case "${1:-}" in
    start) [ -n "${2:-}" ] || die "usage: $0 start DIR"; start "$2" ;;
    stop) [ -n "${2:-}" ] || die "usage: $0 stop DIR"; stop "$2" || true ;;
    halt) [ -n "${2:-}" ] || die "usage: $0 halt DIR"; halt "$2" ;;
    resume) [ -n "${2:-}" ] || die "usage: $0 resume DIR"; resume "$2" ;;
    *) die "usage: $0 start DIR | stop DIR | halt DIR | resume DIR" ;;
esac
