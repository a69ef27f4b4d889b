#!/usr/bin/env bash
# deploy/balancer.sh start DIR GRPC_PORT WEB_PORT NODE_GRPC_PORTS NODE_WEB_PORTS | stop DIR
# nginx in front of the nodes: gRPC (HTTP/2 cleartext) on GRPC_PORT with grpc_pass, and the page and gRPC-Web
# (HTTP/1.1) on WEB_PORT. Each call goes to the next node in turn; a node that refuses connections is skipped for 5 s
# and the call tried on the next one. The port lists are comma-separated.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=deploy/common.sh
. "$here/common.sh"

upstream() {
    local name="$1" ports="$2" port
    echo "    upstream $name {"
    for port in ${ports//,/ }; do
        echo "        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"
    done
    echo "        keepalive 64;"
    echo "    }"
}

start() {
    local dir="$1" grpc_port="$2" web_port="$3" node_grpc="$4" node_web="$5"
    require_command nginx nginx "the cluster's load balancer"
    mkdir -p "$dir/temp"
    dir="$(cd "$dir" && pwd)"
    local user_line=""
    [ "$(id -u)" = "0" ] && user_line="user root;"
    cat >"$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    client_max_body_size 0;
    client_body_timeout 1h;
    send_timeout 1h;
    http2_max_concurrent_streams 256;
$(upstream docengine_grpc "$node_grpc")
$(upstream docengine_web "$node_web")
    server {
        listen 127.0.0.1:$grpc_port http2;
        location / {
            grpc_pass grpc://docengine_grpc;
            grpc_next_upstream error timeout;
            grpc_connect_timeout 2s;
            grpc_read_timeout 1h;
            grpc_send_timeout 1h;
            grpc_socket_keepalive on;
        }
    }
    server {
        listen 127.0.0.1:$web_port;
        location / {
            proxy_pass http://docengine_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
CONF
    nginx -t -c "$dir/nginx.conf" -p "$dir" >"$dir/check.log" 2>&1 || die "nginx refused its configuration: see $dir/check.log"
    start_background "$dir/nginx" nginx -c "$dir/nginx.conf" -p "$dir"
}

stop() {
    stop_background "$1/nginx"
}

case "${1:-}" in
    start) start "$2" "$3" "$4" "$5" "$6" ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 start DIR GRPC_PORT WEB_PORT NODE_GRPC_PORTS NODE_WEB_PORTS | stop DIR" >&2; exit 2 ;;
esac
