#!/usr/bin/env bash
# Conversion quality against Docling's ground truth: every file of ../shared/corpus/docling is
# converted to Markdown with `ferry convert` (one run per format), then measure.py compares each
# result with Docling's own Markdown for that file: text similarity, heading recall, table-cell F1
# and list-item recall, per file, per format and overall (see measure.py for the definitions).
#
#   bench/doc_quality/run.sh [--corpus DIR] [--jobs N]
#
# Environment: FERRY_BIN (default build/release/ferry), BENCH_DIR (work files, default
# build/bench/doc_quality). Needs python3 (Debian: python3).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init doc_quality
corpus="$(dirname "$peers")/corpus/docling"
jobs=2
while (( $# )); do
  case "$1" in
    --corpus) corpus="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ -d "$corpus" ]] || die "no corpus at $corpus (give --corpus DIR)"
command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3)"

out="$work/out"
rm -rf "$out"
for dir in "$corpus"/*/sources; do
  format="$(basename "$(dirname "$dir")")"
  mkdir -p "$out/$format"
  # Failures are part of the result (measure.py scores them 0): do not stop on them.
  timeout 600 "$ferry_bin" convert "$dir" --to md --out "$out/$format" --jobs "$jobs" \
    >"$work/$format.log" 2>&1 || true
  say "$format: $(tail -n 1 "$work/$format.log")"
done
python3 "$here/measure.py" "$corpus" "$out" --json "$work/quality.json"
say "per-file results: $work/quality.json"
