#!/usr/bin/env bash
# DocEngine on several stateless nodes, on one machine: PostgreSQL, an S3-compatible server (OpenStack Swift with s3api),
# N DocEngine nodes and nginx in front of them. Everything lives under DIR and is stopped by "stop DIR".
#
#   deploy/cluster.sh start DIR [--nodes N] [--set KEY=VALUE]...   starts (or restarts) everything; returns once every
#                                                                   part answers; the last stdout lines are KEY=value
#                                                                   lines to eval (DOCENGINE_SERVER last)
#   deploy/cluster.sh stop DIR                                      stops exactly what start started
#   deploy/cluster.sh kill-node DIR N                               SIGKILL node N
#   deploy/cluster.sh start-node DIR N                              starts node N again and waits until it serves
#   deploy/cluster.sh env DIR                                       prints the KEY=value lines again
#   deploy/cluster.sh restart-postgres DIR | stop-s3 DIR | start-s3 DIR   fault drills (the tests use them)
#
# The nodes run the server built in Release (dotnet build -c Release src/DocEngine.Server, done here when missing or
# stale), or the DocEngine.Server.dll named by DOCENGINE_SERVER_DLL. --set adds a configuration key to every node
# (for example --set DocEngine:Uploads:MaxUploadBytes=10000000).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=deploy/common.sh
. "$here/common.sh"

usage() {
    sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

say() {
    echo "cluster: $*" >&2
}

load() {
    local dir="$1"
    [ -f "$dir/cluster.env" ] || die "$dir holds no cluster: start one with '$0 start $dir'."
    # shellcheck disable=SC1091
    . "$dir/cluster.env"
}

server_dll() {
    if [ -n "${DOCENGINE_SERVER_DLL:-}" ]; then
        [ -f "$DOCENGINE_SERVER_DLL" ] || die "DOCENGINE_SERVER_DLL names $DOCENGINE_SERVER_DLL, which does not exist."
        echo "$DOCENGINE_SERVER_DLL"
        return
    fi
    say "building the server (Release)..."
    dotnet build -c Release -nologo -v q "$repo_root/src/DocEngine.Server" >&2 || die "the server did not build."
    echo "$repo_root/src/DocEngine.Server/bin/Release/net10.0/DocEngine.Server.dll"
}

# node_env N: the environment of node N, one KEY=VALUE a line.
write_node_env() {
    local dir="$1" n="$2" grpc="$3" web="$4"
    mkdir -p "$dir/nodes/$n/data"
    {
        echo "ASPNETCORE_ENVIRONMENT=Production"
        echo "Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$grpc"
        echo "Kestrel__Endpoints__Grpc__Protocols=Http2"
        echo "Kestrel__Endpoints__Web__Url=http://127.0.0.1:$web"
        echo "Kestrel__Endpoints__Web__Protocols=Http1"
        echo "Logging__Console__FormatterName=simple"
        echo "DocEngine__NodeName=node-$n"
        echo "DocEngine__DataDirectory=$dir/nodes/$n/data"
        echo "DocEngine__Storage__Provider=Postgres"
        echo "DocEngine__Storage__Postgres__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=docengine;Database=docengine"
        echo "DocEngine__Storage__S3__ServiceUrl=http://127.0.0.1:$S3_PORT"
        echo "DocEngine__Storage__S3__Bucket=docengine"
        echo "DocEngine__Storage__S3__Region=us-east-1"
        echo "DocEngine__Storage__S3__AccessKey=test:tester"
        echo "DocEngine__Storage__S3__SecretKey=testing"
        echo "DocEngine__Storage__S3__ForcePathStyle=true"
        echo "DocEngine__ApiKeys__0__Key=$API_KEY"
        echo "DocEngine__ApiKeys__0__Tenant=cluster"
        echo "DocEngine__Portal__Enabled=true"
        echo "DocEngine__CorsOrigins__0=*"
        [ -f "$dir/settings.env" ] && cat "$dir/settings.env"
    } >"$dir/nodes/$n/env"
}

start_node() {
    local dir="$1" n="$2" dll
    dll="$(cat "$dir/server-dll")"
    [ -f "$dir/nodes/$n/env" ] || die "there is no node $n in $dir."
    local environment=()
    mapfile -t environment <"$dir/nodes/$n/env"
    (cd "$(dirname "$dll")" && start_background "$dir/nodes/$n/node" env "${environment[@]}" dotnet "$dll")
}

wait_node() {
    local dir="$1" n="$2" web
    web="$(sed -n 's#^Kestrel__Endpoints__Web__Url=##p' "$dir/nodes/$n/env")"
    wait_until 120 "node $n (log: $dir/nodes/$n/node.log)" node_serving "$dir/nodes/$n/node" "$web"
}

node_serving() {
    is_running "$1" || die "node $(basename "$(dirname "$1")") exited while starting; its log, $1.log, ends with: $(tail -n 5 "$1.log")"
    grpc_web_serving "$2"
}

print_env() {
    local dir="$1"
    load "$dir"
    echo "DOCENGINE_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=docengine;Database=docengine'"
    echo "DOCENGINE_S3_URL=http://127.0.0.1:$S3_PORT"
    echo "DOCENGINE_WEB=http://127.0.0.1:$LB_WEB_PORT"
    echo "DOCENGINE_API_KEY=$API_KEY"
    echo "DOCENGINE_SERVER=http://127.0.0.1:$LB_GRPC_PORT"
}

start() {
    local dir="" nodes=3
    local settings=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --nodes) nodes="$2"; shift 2 ;;
            --set) settings+=("$2"); shift 2 ;;
            -*) usage ;;
            *) [ -z "$dir" ] || usage; dir="$1"; shift ;;
        esac
    done
    [ -n "$dir" ] || usage
    [[ "$nodes" =~ ^[1-9][0-9]?$ ]] || die "--nodes takes a number from 1 to 99."
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    chmod 755 "$dir"
    if [ ! -f "$dir/cluster.env" ]; then
        local ports
        read -r -a ports < <(free_ports $((4 + 2 * nodes)))
        local grpc_ports="" web_ports=""
        for i in $(seq "$nodes"); do
            grpc_ports+="${grpc_ports:+,}${ports[$((4 + 2 * (i - 1)))]}"
            web_ports+="${web_ports:+,}${ports[$((5 + 2 * (i - 1)))]}"
        done
        cat >"$dir/cluster.env" <<ENV
NODES=$nodes
PG_PORT=${ports[0]}
S3_PORT=${ports[1]}
LB_GRPC_PORT=${ports[2]}
LB_WEB_PORT=${ports[3]}
NODE_GRPC_PORTS=$grpc_ports
NODE_WEB_PORTS=$web_ports
API_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
ENV
        : >"$dir/settings.env"
        for setting in "${settings[@]+"${settings[@]}"}"; do
            local key="${setting%%=*}"
            echo "${key//:/__}=${setting#*=}" >>"$dir/settings.env"
        done
    elif [ ${#settings[@]} -gt 0 ]; then
        die "$dir already holds a cluster: --set applies only to a new one."
    fi
    load "$dir"
    say "PostgreSQL on 127.0.0.1:$PG_PORT..."
    bash "$here/postgres.sh" start "$dir/postgres" "$PG_PORT"
    say "Swift (S3) on 127.0.0.1:$S3_PORT..."
    bash "$here/swift.sh" start "$dir/swift" "$S3_PORT"
    server_dll >"$dir/server-dll"
    local grpc web
    for i in $(seq "$NODES"); do
        grpc="$(echo "$NODE_GRPC_PORTS" | cut -d, -f"$i")"
        web="$(echo "$NODE_WEB_PORTS" | cut -d, -f"$i")"
        write_node_env "$dir" "$i" "$grpc" "$web"
        # One node first: it applies the schema migrations, so the others start on a ready database (they would wait
        # on the migration lock otherwise, which is also safe).
        say "node $i on 127.0.0.1:$grpc (gRPC) and :$web (web)..."
        start_node "$dir" "$i"
        [ "$i" = 1 ] && wait_node "$dir" 1
    done
    for i in $(seq "$NODES"); do
        wait_node "$dir" "$i"
    done
    say "nginx on 127.0.0.1:$LB_GRPC_PORT (gRPC) and :$LB_WEB_PORT (web)..."
    bash "$here/balancer.sh" start "$dir/balancer" "$LB_GRPC_PORT" "$LB_WEB_PORT" "$NODE_GRPC_PORTS" "$NODE_WEB_PORTS"
    wait_until 30 "nginx (log: $dir/balancer/error.log)" grpc_web_serving "http://127.0.0.1:$LB_WEB_PORT"
    say "ready: $NODES nodes behind http://127.0.0.1:$LB_GRPC_PORT"
    print_env "$dir"
}

stop() {
    local dir="$1"
    load "$dir"
    bash "$here/balancer.sh" stop "$dir/balancer"
    for i in $(seq "$NODES"); do
        stop_background "$dir/nodes/$i/node"
    done
    bash "$here/swift.sh" stop "$dir/swift"
    bash "$here/postgres.sh" stop "$dir/postgres"
}

node_arg() {
    load "$1"
    [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le "$NODES" ] || die "there is no node $2: the nodes are 1 to $NODES."
}

command="${1:-}"
[ $# -ge 2 ] || usage
shift
case "$command" in
    start) start "$@" ;;
    stop) stop "$1" ;;
    env) print_env "$1" ;;
    kill-node) node_arg "$1" "${2:-}"; stop_background "$(cd "$1" && pwd)/nodes/$2/node" KILL ;;
    start-node) node_arg "$1" "${2:-}"; d="$(cd "$1" && pwd)"; start_node "$d" "$2"; wait_node "$d" "$2" ;;
    restart-postgres) load "$1"; bash "$here/postgres.sh" restart "$(cd "$1" && pwd)/postgres" ;;
    stop-s3) load "$1"; bash "$here/swift.sh" stop "$(cd "$1" && pwd)/swift" ;;
    start-s3) load "$1"; bash "$here/swift.sh" start "$(cd "$1" && pwd)/swift" "$S3_PORT" ;;
    *) usage ;;
esac
