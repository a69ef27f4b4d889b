#!/usr/bin/env bash
# benchmarks/fleet.sh [NODES...]: issue 14's figures on this machine, in one run: upload MB/s (docengine bench upload,
# 4 callers, 20 s after 3 s of warm-up, the largest shared scan) and server-side batch docs/s (normalize, preview,
# verify over every PDF and JPEG of ../shared/scans and ../shared/corpus/pdf-signed) on the embedded default
# (SQLite + files, one node) and on a cluster of N nodes over PostgreSQL + Swift (S3) behind nginx (deploy/cluster.sh),
# for each N given (default: 1 2 3). Release builds; everything it starts is stopped at the end.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
NODES=("$@"); [ $# -eq 0 ] && NODES=(1 2 3)
WORK="$(mktemp -d /tmp/docengine-fleet.XXXXXX)"
dotnet build -c Release -nologo -v q src/DocEngine.Server >/dev/null && dotnet build -c Release -nologo -v q src/DocEngine.Cli >/dev/null || exit 1
CLI=(dotnet "$REPO/src/DocEngine.Cli/bin/Release/net10.0/docengine.dll")
IN="$WORK/in"; mkdir -p "$IN"
cp ../shared/scans/*.pdf ../shared/scans/*.jpg ../shared/corpus/pdf-signed/*.pdf "$IN"/ 2>/dev/null
BIG=$(ls -S "$IN"/*.pdf | head -1)
echo "inputs: $(ls "$IN" | wc -l) files, $(du -sh "$IN" | cut -f1); upload input: $(basename "$BIG") ($(stat -c %s "$BIG") bytes)"
upload_bench() { "${CLI[@]}" bench upload --server "$1" --input "$BIG" --concurrency 4 --duration 20s --warmup 3s --json 2>/dev/null; }
batch_run() { # SERVER LABEL
    local app="fleet-$RANDOM"
    "${CLI[@]}" upload "$IN"/* --application "$app" --server "$1" >/dev/null 2>&1
    "${CLI[@]}" batch --server "$1" --application "$app" --ops normalize,preview,verify --json >"$WORK/batch-$2.json" 2>/dev/null
    python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print('%s batch: %d files, %d ok, %d attention, %d refused, %d failed, %.1f s, %.2f docs/s'%(sys.argv[2],d['files'],d['ok'],d['attention'],d['refused'],d['failed'],d['elapsedSeconds'],d['docsPerSecond']))" "$WORK/batch-$2.json" "$2"
}
mkdir -p "$WORK/embedded"
(cd src/DocEngine.Server/bin/Release/net10.0 && exec env ASPNETCORE_ENVIRONMENT=Development DocEngine__DataDirectory="$WORK/embedded" \
    Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5580 Kestrel__Endpoints__Web__Url=http://127.0.0.1:5581 dotnet DocEngine.Server.dll >"$WORK/embedded.log" 2>&1) &
EMBEDDED=$!
for _ in $(seq 60); do grep -q "Now listening" "$WORK/embedded.log" && break; sleep 1; done
echo "embedded upload: $(upload_bench http://127.0.0.1:5580)"
batch_run http://127.0.0.1:5580 embedded
kill "$EMBEDDED"; wait "$EMBEDDED" 2>/dev/null
for n in "${NODES[@]}"; do
    deploy/cluster.sh start "$WORK/dc$n" --nodes "$n" >"$WORK/dc$n.log" 2>&1 || { echo "the $n-node cluster did not start: $WORK/dc$n.log"; continue; }
    set -a; eval "$(deploy/cluster.sh env "$WORK/dc$n")"; set +a
    echo "cluster of $n upload: $(upload_bench "$DOCENGINE_SERVER")"
    batch_run "$DOCENGINE_SERVER" "cluster of $n"
    deploy/cluster.sh stop "$WORK/dc$n" >/dev/null 2>&1
done
echo "logs and batch summaries: $WORK"
