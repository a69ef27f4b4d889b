#!/usr/bin/env bash
# deploy/swift.sh start DIR PORT | stop DIR | pids DIR
# A single-replica, all-in-one OpenStack Swift with the S3 API (s3api + tempauth), for one machine: account, container
# and object servers on loopback, one device under DIR/srv (it needs a file system with user xattrs, such as ext4),
# memcached for tempauth's tokens, and the proxy on 127.0.0.1:PORT. The S3 credentials are test:tester / testing.
# Facts this relies on (../shared/DESIGN.md, "Settled choices"): multipart needs slo (with copy and dlo) after tempauth;
# mount_check = false for a plain directory; bucket names must be DNS-valid and at least 3 characters.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=deploy/common.sh
. "$here/common.sh"

write_configs() {
    local dir="$1" proxy_port="$2" account_port="$3" container_port="$4" object_port="$5" memcached_port="$6"
    local etc="$dir/etc" user
    user="$(id -un)"
    mkdir -p "$etc" "$dir/srv/d1" "$dir/run" "$dir/cache"
    cat >"$etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = docengine-$(basename "$dir")
swift_hash_path_prefix = docengine

[storage-policy:0]
name = Policy-0
default = yes
CONF
    local common="[DEFAULT]
bind_ip = 127.0.0.1
devices = $dir/srv
mount_check = false
swift_dir = $etc
user = $user
workers = 0
log_name = swift
log_level = WARNING
log_udp_host = 127.0.0.1
log_udp_port = 9
"
    for server in account container object; do
        local port_var="${server}_port"
        cat >"$etc/$server-server.conf" <<CONF
$common
bind_port = ${!port_var}

[pipeline:main]
pipeline = $server-server

[app:$server-server]
use = egg:swift#$server
CONF
    done
    cat >"$etc/proxy-server.conf" <<CONF
$common
bind_port = $proxy_port

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$memcached_port

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
dns_compliant_bucket_names = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
CONF
    (
        cd "$etc"
        for ring in account container object; do
            local port_var="${ring}_port"
            swift-ring-builder "$ring.builder" create 6 1 1 >/dev/null
            swift-ring-builder "$ring.builder" add "r1z1-127.0.0.1:${!port_var}/d1" 1 >/dev/null
            swift-ring-builder "$ring.builder" rebalance >/dev/null 2>&1 || true # "balanced" exits 1 on one device
        done
    )
    echo "$proxy_port" >"$dir/proxy-port"
}

start() {
    local dir="$1" port="$2"
    require_command swift-proxy-server "swift swift-proxy swift-account swift-container swift-object memcached" "the S3-compatible server"
    require_command memcached memcached "the S3-compatible server's token cache"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    check_xattrs "$dir"
    if [ ! -f "$dir/etc/proxy-server.conf" ]; then
        read -r account_port container_port object_port memcached_port < <(free_ports 4)
        write_configs "$dir" "$port" "$account_port" "$container_port" "$object_port" "$memcached_port"
        echo "$memcached_port" >"$dir/memcached-port"
    fi
    local memcached_port
    memcached_port="$(cat "$dir/memcached-port")"
    start_background "$dir/run/memcached" memcached -l 127.0.0.1 -p "$memcached_port" -U 0 -m 64 -u "$(id -un)"
    for server in account container object proxy; do
        start_background "$dir/run/$server" "swift-$server-server" "$dir/etc/$server-server.conf"
    done
    # Cold start takes 12-15 s on this machine class; the first request after it may still be refused.
    wait_until 90 "Swift on port $(cat "$dir/proxy-port")" http_ok "http://127.0.0.1:$(cat "$dir/proxy-port")/healthcheck"
    wait_until 60 "Swift's S3 API" s3_answers "http://127.0.0.1:$(cat "$dir/proxy-port")/"
}

stop() {
    local dir="$1"
    for server in proxy object container account memcached; do
        stop_background "$dir/run/$server"
    done
}

case "${1:-}" in
    start) start "$2" "$3" ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
