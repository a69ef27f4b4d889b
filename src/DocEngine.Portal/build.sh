#!/bin/sh
# build.sh OUTDIR: builds the portal page into OUTDIR. The server's build runs it (DocEngine.Server.csproj, target
# BuildPortal) so both quick-start commands produce the page: npm ci (once per package-lock.json), the client generated
# from protos/ with buf + protoc-gen-es, a type check with tsc, and an esbuild bundle. Builds running at once (Debug and
# Release, say) take turns on a lock, because they share node_modules/ and src/gen/.
set -eu
OUT="$1"
HERE="$(cd "$(dirname "$0")" && pwd)"
sh "$HERE/../DocEngine.Server/ensure-package.sh" npm npm "the portal page (src/DocEngine.Portal)"
if ! command -v npm >/dev/null 2>&1; then
    echo "DocEngine: npm not found, so the portal page is not built; the server runs without it." >&2
    exit 0
fi
cd "$HERE"
exec 9>"$HERE/node_modules.lock"
flock 9
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install buf generate
npx --no-install tsc --noEmit
node build.mjs "$OUT"
