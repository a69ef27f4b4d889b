#!/usr/bin/env bash
# deploy/postgres.sh start DIR PORT | stop DIR | restart DIR
# A throwaway PostgreSQL cluster in DIR (initdb + pg_ctl from Debian's postgresql package), on 127.0.0.1:PORT, with a
# database and role "docengine" that loopback clients reach without a password (trust: it is bound to loopback and
# lives as long as DIR). As root, the server runs as the postgres user, which PostgreSQL requires.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=deploy/common.sh
. "$here/common.sh"

bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || die "PostgreSQL's server programs are missing: install the Debian package 'postgresql'."
    echo "$dir"
}

# as_owner COMMAND...: runs COMMAND as the owner of the data directory (postgres when we are root).
as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local dir="$1" port="$2" bin
    require_command pg_ctlcluster postgresql "the PostgreSQL metadata store"
    bin="$(bindir)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        [ "$(id -u)" = "0" ] && chown postgres "$dir"
        as_owner "$bin/initdb" -D "$dir/data" -U docengine -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
            || die "initdb failed: see $dir/initdb.log"
        cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
log_min_messages = warning
CONF
        echo "$port" >"$dir/port"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || die "PostgreSQL did not start: see $dir/server.log"
    port="$(cat "$dir/port")"
    if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U docengine -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'docengine'" | grep -q 1; then
        as_owner "$bin/createdb" -h "$dir" -p "$port" -U docengine docengine
    fi
}

stop() {
    local dir="$1"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

restart() {
    local dir="$1"
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null || die "PostgreSQL did not restart: see $dir/server.log"
}

case "${1:-}" in
    start) start "$2" "$3" ;;
    stop) stop "$2" ;;
    restart) restart "$2" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR | restart DIR" >&2; exit 2 ;;
esac
