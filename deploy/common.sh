# Helpers shared by the deploy/ scripts (sourced, not run). Every process they start is recorded in a PID file under
# the cluster's directory, so that stop ends exactly what start began and nothing else.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
    echo "cluster: $*" >&2
    exit 1
}

# require_command COMMAND PACKAGES PURPOSE: installs the Debian packages when COMMAND is missing (as the build does).
require_command() {
    command -v "$1" >/dev/null 2>&1 && return 0
    sh "$repo_root/src/DocEngine.Server/ensure-package.sh" "$1" "$2" "$3"
    command -v "$1" >/dev/null 2>&1 || die "$1 is missing: install the Debian packages '$2' (for $3) and run again."
}

# free_ports N: N distinct free TCP ports on loopback, on one line.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

# check_xattrs DIR: Swift's object server keeps metadata in user xattrs; tmpfs before Linux 6.6 and some overlays lack them.
check_xattrs() {
    python3 - "$1" <<'PY' || die "the file system under $1 has no user xattrs, which Swift needs: use a directory on ext4 or XFS."
import os, sys, tempfile
with tempfile.NamedTemporaryFile(dir=sys.argv[1]) as f:
    os.setxattr(f.name, "user.docengine", b"1")
PY
}

# start_background PREFIX COMMAND...: runs COMMAND detached (its own session, so signals meant for the caller do not
# reach it), output to PREFIX.log, PID to PREFIX.pid. Does nothing when PREFIX.pid names a live process.
start_background() {
    local prefix="$1"
    shift
    if is_running "$prefix"; then
        return 0
    fi
    setsid "$@" </dev/null >>"$prefix.log" 2>&1 &
    echo $! >"$prefix.pid"
}

is_running() {
    [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid")" 2>/dev/null
}

# stop_background PREFIX [SIGNAL]: ends the process in PREFIX.pid (TERM, then KILL after 10 s), or sends SIGNAL alone.
stop_background() {
    local prefix="$1" signal="${2:-}" pid
    [ -f "$prefix.pid" ] || return 0
    pid="$(cat "$prefix.pid")"
    if [ -n "$signal" ]; then
        kill "-$signal" "$pid" 2>/dev/null || true
    else
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$prefix.pid"
}

# wait_until SECONDS WHAT CHECK ARGS...: retries CHECK until it succeeds, or fails naming WHAT.
wait_until() {
    local seconds="$1" what="$2"
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || die "$what did not answer within $seconds s."
        sleep 0.3
    done
}

# http_ok URL: true when a GET answers 2xx.
http_ok() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)' "$1"
}

# s3_answers URL: true when a call with a made-up S3 signature gets an S3 XML error (s3api answers only signed calls).
s3_answers() {
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Authorization": "AWS probe:probe:probe"}), timeout=3)
    sys.exit(0)
except urllib.error.HTTPError as e:
    sys.exit(0 if b"<Error>" in e.read() else 1)
PY
}

# grpc_web_serving URL: true when the gRPC health check, sent as gRPC-Web over HTTP/1.1, says SERVING.
grpc_web_serving() {
    python3 - "$1" <<'PY'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/grpc.health.v1.Health/Check", data=b"\x00\x00\x00\x00\x00",
    headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1"})
body = urllib.request.urlopen(request, timeout=3).read()
# The first frame is the HealthCheckResponse: field 1 (status) = 1 (SERVING) is the bytes 08 01.
sys.exit(0 if len(body) >= 7 and body[0] == 0 and body[5:7] == b"\x08\x01" else 1)
PY
}
