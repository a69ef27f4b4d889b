#!/usr/bin/env bash
# benchmarks/signatures-vs-pdfsig.sh [--write] [--no-fixtures] [--fixtures-from DIR]: our verdict beside poppler's
# pdfsig on every file of ../shared/corpus/pdf-signed (with its manifest's expected outcome) and on every fixture the
# signature tests build (attack variants, permitted counterparts, the rule table after a P=2 certification), saying
# who is right. Prints the Markdown tables; --write also puts them between <!-- pdfsig:begin --> and
# <!-- pdfsig:end --> in src/DocEngine.Core/Signatures/README.md.
#
#   --no-fixtures        the shared corpus only
#   --fixtures-from DIR  use fixtures already written there (by DOCENGINE_SIGNATURE_FIXTURES=DIR dotnet test ...)
#
# The fixtures are written by the test FixturesVersusPdfsigTests (DOCENGINE_SIGNATURE_FIXTURES=DIR), which also checks
# pdfsig's answers on them; the CLI checks them against the test run's root (--trust DIR/test-root.pem). Needs pdfsig
# (poppler-utils), python3 and the .NET SDK; builds the CLI (Debug) when it is missing.
set -euo pipefail

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

WRITE=0
FIXTURES=1
FIXTURES_DIR=""
while [ $# -gt 0 ]; do
    case "$1" in
        --write) WRITE=1 ;;
        --no-fixtures) FIXTURES=0 ;;
        --fixtures-from) FIXTURES_DIR="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "signatures-vs-pdfsig.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CORPUS="$REPO/../shared/corpus/pdf-signed"
if [ ! -d "$CORPUS" ]; then
    echo "signatures-vs-pdfsig.sh: the corpus is ../shared/corpus/pdf-signed beside the repository, and it is not there." >&2
    exit 1
fi
for tool in pdfsig python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "signatures-vs-pdfsig.sh: $tool is missing (pdfsig: sudo apt-get install poppler-utils)." >&2
        exit 1
    fi
done
CLI="src/DocEngine.Cli/bin/Debug/net10.0/docengine.dll"
if [ ! -f "$CLI" ]; then
    dotnet build src/DocEngine.Cli -nologo -v q >&2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# one KIND FILE EXPECTED [TRUST]: a JSON line with what both tools said about FILE.
one() {
    local kind="$1" file="$2" expected="$3" trust="${4:-}"
    local json pdfsig
    if [ -n "$trust" ]; then
        json="$(dotnet "$CLI" verify "$file" --json --trust "$trust" 2>&1 || true)"
    else
        json="$(dotnet "$CLI" verify "$file" --json 2>&1 || true)"
    fi
    pdfsig="$(pdfsig "$file" 2>&1 || true)"
    KIND="$kind" FILE="$(basename "$file")" EXPECTED="$expected" JSON="$json" PDFSIG="$pdfsig" python3 -c '
import json, os
print(json.dumps({k: os.environ[k] for k in ("KIND", "FILE", "EXPECTED", "JSON", "PDFSIG")}))'
}

echo "== the shared corpus ($CORPUS)" >&2
for file in "$CORPUS"/*.pdf; do
    name="pdf-signed/$(basename "$file")"
    expected="$(awk -F'\t' -v n="$name" '$1 == n { print $8 }' "$CORPUS/../manifest.tsv")"
    one corpus "$file" "$expected" >> "$WORK/rows.jsonl"
done

if [ "$FIXTURES" = 1 ]; then
    if [ -z "$FIXTURES_DIR" ]; then
        FIXTURES_DIR="$WORK/fixtures"
        echo "== writing the fixtures (dotnet test ... FixturesVersusPdfsigTests)" >&2
        DOCENGINE_SIGNATURE_FIXTURES="$FIXTURES_DIR" dotnet test tests/DocEngine.Tests -nologo -v q \
            --filter "FullyQualifiedName~DocEngine.Tests.Signatures.FixturesVersusPdfsigTests" >&2
    fi
    echo "== the fixtures ($FIXTURES_DIR)" >&2
    tail -n +2 "$FIXTURES_DIR/fixtures.tsv" | while IFS=$'\t' read -r file id family description expected; do
        one "fixture	$id	$family	$description" "$FIXTURES_DIR/$file" "$expected" "$FIXTURES_DIR/test-root.pem" >> "$WORK/rows.jsonl"
    done
fi

python3 - "$WORK/rows.jsonl" > "$WORK/table.md" <<'PY'
import json, sys

def pdfsig_said(text):
    said, total = [], []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- Signature Validation:"):
            said.append(line.split(":", 1)[1].strip())
        elif line in ("- Total document signed", "- Not total document signed"):
            total.append(line[2:])
    if not said:
        return "no signature", "none found" if "does not contain any signatures" in text else text.strip().splitlines()[-1][:80]
    first_bad = next((s for s in said if s != "Signature is Valid."), None)
    words = "; ".join(s.rstrip(".") for s in said)
    partial = any(t.startswith("Not total") for t in total)
    return ("valid" if first_bad is None else first_bad), words + ("; not total document signed" if partial else "")

def ours(text):
    try:
        report = json.loads(text)["report"]
    except (ValueError, KeyError):
        return "REFUSED", text.strip().splitlines()[-1][:80] if text.strip() else "no output"
    verdict = report["verdict"]
    parts = []
    for s in report.get("signatures", []):
        integrity = s.get("integrity", "").replace("INTEGRITY_", "").lower()
        level = s.get("modificationLevel", "MODIFICATION_LEVEL_NONE").replace("MODIFICATION_LEVEL_", "").lower().replace("_", " ")
        parts.append(f"{s.get('fieldName', '?')}: {integrity}" + (f", then {level}" if level != "none" else ""))
    return verdict, "; ".join(parts) or ", ".join(report.get("unsignedSignatureFields", [])) + " empty"

def short(verdict):
    return verdict.replace("VERDICT_", "")

def judge(expected, verdict, pdfsig):
    """Returns (ours right, pdfsig right) against the verdict the file deserves."""
    if expected == "VERDICT_NOT_SIGNED":
        return verdict == expected, pdfsig != "valid"
    if expected in ("VERDICT_VALID", "VERDICT_VALID_UNTRUSTED"):
        return verdict in ("VERDICT_VALID", "VERDICT_VALID_UNTRUSTED") if expected == "VERDICT_VALID_UNTRUSTED" else verdict == expected, pdfsig == "valid"
    return verdict == expected, pdfsig != "valid"

def why(expected, pdfsig, ours_right, theirs_right):
    if ours_right and theirs_right:
        return "both"
    if not ours_right and theirs_right:
        return "**pdfsig**"
    if not ours_right:
        return "**neither**"
    if expected == "VERDICT_NOT_SIGNED":
        return "DocEngine: a zero-filled placeholder is a field prepared for signing, not a failed signature"
    if pdfsig == "Signature has not yet been verified." and expected.startswith("VERDICT_VALID"):
        return "DocEngine: pdfsig cannot check an ETSI.RFC3161 document time-stamp"
    if expected == "VERDICT_MODIFIED":
        return "DocEngine: pdfsig checks each signature's bytes only, not what was changed after them"
    if expected == "VERDICT_INVALID":
        return "DocEngine: the signed bytes verify, but the signature is wrapped or forged around them"

    return "DocEngine"

corpus, fixtures = [], []
for line in open(sys.argv[1]):
    row = json.loads(line)
    verdict, detail = ours(row["JSON"])
    pdfsig, words = pdfsig_said(row["PDFSIG"])
    if row["KIND"] == "corpus":
        manifest = row["EXPECTED"]
        unsigned = "not signed" in manifest.lower() or "unsigned" in manifest.lower()
        expected = "VERDICT_NOT_SIGNED" if unsigned else "VERDICT_VALID_UNTRUSTED"
        a, b = judge(expected, verdict, pdfsig)
        if unsigned:
            b = pdfsig == "no signature"  # the manifest: "field present, not signed", not a failed signature
        corpus.append(f"| `{row['FILE']}` | {manifest.replace('|', '/')} | {short(verdict)} ({detail}) | {words} | {why(expected, pdfsig, a, b)} |")
        row["_a"], row["_b"] = a, b
    else:
        _, fid, family, description = row["KIND"].split("\t")
        expected = row["EXPECTED"]
        a, b = judge(expected, verdict, pdfsig)
        fixtures.append((fid, family, description, expected, verdict, words, a, b, why(expected, pdfsig, a, b)))
    row["_a"], row["_b"] = a, b

print("On the shared signed corpus (no trust anchors: the manifest's \"valid\" is ours VALID_UNTRUSTED):")
print()
print("| File | Manifest expects | DocEngine | pdfsig | Who is right |")
print("|---|---|---|---|---|")
print("\n".join(corpus))
if fixtures:
    ours_right = sum(1 for f in fixtures if f[6])
    theirs_right = sum(1 for f in fixtures if f[7])
    print()
    print(f"On the {len(fixtures)} fixtures the tests build (checked against the test run's root; `rule-p2:` is a rule of the table above after a P=2 certification). "
          f"Right: DocEngine {ours_right} of {len(fixtures)}, pdfsig {theirs_right} of {len(fixtures)}.")
    print()
    print("| Fixture | What it is | Deserves | DocEngine | pdfsig | Who is right |")
    print("|---|---|---|---|---|---|")
    for fid, family, description, expected, verdict, words, a, b, w in fixtures:
        print(f"| `{fid}` | {family}: {description.replace('|', '/')} | {short(expected)} | {short(verdict)} | {words} | {w} |")
PY

cat "$WORK/table.md"
if [ "$WRITE" = 1 ]; then
    README="src/DocEngine.Core/Signatures/README.md"
    STAMP="Generated $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$(git rev-parse --short HEAD)$([ -n "$(git status --porcelain)" ] && echo +uncommitted)\` by \`benchmarks/signatures-vs-pdfsig.sh --write\`, with $(pdfsig -v 2>&1 | head -1 || true)."
    python3 - "$README" "$WORK/table.md" "$STAMP" <<'PY'
import sys
path, table, stamp = sys.argv[1], open(sys.argv[2]).read().rstrip("\n"), sys.argv[3]
text = open(path).read()
begin, end = "<!-- pdfsig:begin -->", "<!-- pdfsig:end -->"
if begin not in text or end not in text:
    sys.exit(f"{path} has no {begin} ... {end} markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(f"{head}{begin}\n{stamp}\n\n{table}\n{end}{tail}")
PY
    echo "== wrote the table into $README" >&2
fi
