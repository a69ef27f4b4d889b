#!/usr/bin/env bash
# benchmarks/compare.sh [--quick]: the comparison run (issues 8, 15, 18, 19). On the same inputs, in one run, each
# DocEngine path beside the tool people would otherwise use: upload vs a raw HTTP/2 POST into Kestrel that hashes and
# fsyncs; fitting to 4 MB and compressing at 150 dpi vs Ghostscript; previews vs `mutool draw` (also with both
# saturating the cores, and as one-shot commands); thumbnails vs `vipsthumbnail`; signature verification vs `pdfsig`;
# Word conversion vs `soffice --convert-to`, OCR vs `ocrmypdf`, PDF/A vs `gs -dPDFA=2`; and the sandboxed workers vs
# the same code in-process. One-shot rows run the CLI as users install it (packed as a .NET tool into a scratch
# folder). It rewrites the table between <!-- compare:begin --> and <!-- compare:end --> in benchmarks/README.md,
# stamped with the date, the machine and the commit.
#
#   --quick   fewer rounds and a 128 MiB upload instead of 1 GiB: checks the script end to end; the stamp says so.
#             Not figures to quote.
#
# Needs ../shared (scans and corpus) beside the repository, and the peers, which it installs from Debian packages when
# missing and this user may (root or password-less sudo; DOCENGINE_SKIP_PACKAGE_INSTALL=1 turns that off).
# Each verb's own detailed output is kept under benchmarks/DocEngine.Benchmarks/BenchmarkDotNet.Artifacts/compare-*/.
set -euo pipefail

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
    esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
if [ ! -d ../shared/scans ] || [ ! -d ../shared/corpus/pdf-signed ]; then
    echo "compare.sh: the inputs are ../shared/scans and ../shared/corpus/pdf-signed beside the repository, and they are not there." >&2
    exit 1
fi

# The peers, installed the way the server's build installs mutool.
ensure() {
    sh "$REPO/src/DocEngine.Server/ensure-package.sh" "$1" "$2" "the comparison run's $1"
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "compare.sh: $1 is missing and could not be installed: run 'sudo apt-get install $2', then run this again." >&2
        exit 1
    fi
}
ensure gs ghostscript
ensure mutool mupdf-tools
ensure vipsthumbnail libvips-tools
ensure pdfsig poppler-utils
ensure soffice libreoffice-writer-nogui
ensure tesseract tesseract-ocr
ensure ocrmypdf ocrmypdf

# Stamp what is measured before anything runs (the run rewrites README.md, which would make the tree dirty).
COMMIT="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain)" ]; then COMMIT="$COMMIT+dirty"; fi
DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
CPU="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
CORES="$(nproc)"
COMMAND="benchmarks/compare.sh$([ "$QUICK" = 1 ] && echo ' --quick' || true)"
STARTED=$SECONDS

echo "== building DocEngine (server, CLI, benchmarks) in Release" >&2
for project in src/DocEngine.Server src/DocEngine.Cli benchmarks/DocEngine.Benchmarks; do
    dotnet build "$project" -c Release -nologo -v q
done
BENCH="benchmarks/DocEngine.Benchmarks/bin/Release/net10.0/DocEngine.Benchmarks.dll"
OUT="benchmarks/DocEngine.Benchmarks/BenchmarkDotNet.Artifacts/compare-$(date -u '+%Y%m%d-%H%M%S')"
mkdir -p "$OUT"

# The one-shot rows time the CLI as README "Install the CLI" installs it: packed as a .NET tool (ahead-of-time
# compiled) and installed, here into a scratch tool path rather than the user's global tools.
echo "== packing and installing the CLI as a .NET tool into $OUT/tool" >&2
dotnet pack src/DocEngine.Cli -o "$OUT/package" -nologo -v q
dotnet tool install --tool-path "$OUT/tool" --add-source "$OUT/package" DocEngine.Cli >/dev/null
export DOCENGINE_CLI="$REPO/$OUT/tool/docengine"

# run NAME VERB ARGS...: one side-by-side verb; its table goes to the terminal and NAME.txt, its summary to NAME.json.
run() {
    local name="$1"; shift
    local start=$SECONDS
    echo "== $name: dotnet $BENCH $*" >&2
    dotnet "$BENCH" "$@" --summary-json "$OUT/$name.json" | tee "$OUT/$name.txt"
    echo "== $name took $((SECONDS - start)) s" >&2
}

if [ "$QUICK" = 1 ]; then
    run upload upload-e2e --size 128MiB --runs 1
    run fit fit-vs-gs --runs 1
    run preview preview-vs-mutool --runs 1 --saturate
    run thumbnail process-vs-vips --runs 2
    run verify verify-vs-pdfsig --runs 2 --warmup 1
    run convert convert-vs-soffice --runs 1
    run ocr ocr-vs-ocrmypdf --runs 1
    run pdfa pdfa-vs-gs --runs 1
    run workers workers-vs-inprocess --rounds 1 --limit 40
    KIND="**Quick run** (\`--quick\`: one or two rounds, a 128 MiB upload, 40 files through the workers): it checks the script works; its figures are not to be quoted."
else
    run upload upload-e2e --size 1GiB --runs 3
    run fit fit-vs-gs --runs 2
    run preview preview-vs-mutool --runs 5 --saturate
    run thumbnail process-vs-vips --runs 9
    run verify verify-vs-pdfsig --runs 20 --warmup 3
    run convert convert-vs-soffice --runs 3
    run ocr ocr-vs-ocrmypdf --runs 1
    run pdfa pdfa-vs-gs --runs 3
    run workers workers-vs-inprocess --rounds 1
    KIND="Full run: 1 GiB upload × 3, fitting and compression × 2, previews × 5, thumbnails × 9, verification × 20, conversion × 3, OCR × 1, PDF/A × 3 rounds (medians), and every shared file once through the workers and once in-process."
fi

STAMP="Measured ${DATE} on ${CORES} cores (${CPU}), commit \`${COMMIT}\`, by \`${COMMAND}\` in $((SECONDS - STARTED)) s. ${KIND} Each verb's full output: \`${OUT#benchmarks/}/\` (not committed)."
dotnet "$BENCH" compare-table --readme benchmarks/README.md --stamp "$STAMP" \
    "$OUT/upload.json" "$OUT/fit.json" "$OUT/preview.json" "$OUT/thumbnail.json" "$OUT/verify.json" \
    "$OUT/convert.json" "$OUT/ocr.json" "$OUT/pdfa.json" "$OUT/workers.json"
echo "== wrote the table into benchmarks/README.md ($((SECONDS - STARTED)) s in all)" >&2
