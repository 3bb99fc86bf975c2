#!/usr/bin/env bash
# `ferry convert` from the outside: a directory of generated documents (one of them broken, one of
# a format not read yet) converted to every output format; checks the files written, their
# contents, the summary line and the exit codes. Usage: convert_cli.sh FERRY_BINARY
set -euo pipefail
ferry="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "convert_cli: FAIL: $*" >&2; exit 1; }

mkdir -p "$work/in/sub"
printf '# Title\n\nSome *text*.\n\n- a\n- b\n' >"$work/in/notes.md"
printf 'x;y\n1;2\n' >"$work/in/sub/data.csv"
printf '<html><body><h1>Page</h1><p>Hello</p></body></html>' >"$work/in/page.html"
printf 'name,"unclosed\n' >"$work/in/broken.csv"
printf '%%PDF-1.4 not really' >"$work/in/scan.pdf"
printf 'ignored' >"$work/in/binary.bin"

# Good files only: exit 0, one output per input.
"$ferry" convert "$work/in/notes.md" "$work/in/sub" "$work/in/page.html" --to md --out "$work/md" \
  --jobs 2 2>"$work/ok.log" || fail "exit $? for good inputs: $(cat "$work/ok.log")"
[[ "$(cat "$work/md/notes.md")" == $'# Title\n\nSome *text* .\n\n- a\n- b' ]] ||
  fail "notes.md: $(cat "$work/md/notes.md")"
[[ "$(cat "$work/md/data.md")" == $'| x | y |\n| - | - |\n| 1 | 2 |' ]] || fail "data.md: $(cat "$work/md/data.md")"
grep -q '^# Page' "$work/md/page.md" || fail "page.md: $(cat "$work/md/page.md")"
grep -q '^3 files, 0 pages, 0 failed' "$work/ok.log" || fail "summary: $(cat "$work/ok.log")"

# Every format.
for to in json html text; do
  "$ferry" convert "$work/in/notes.md" --to "$to" --out "$work/$to" 2>/dev/null || fail "--to $to"
done
grep -q '"schema_name":"DoclingDocument"' "$work/json/notes.json" || fail "json"
grep -q '<h1>Title</h1>' "$work/html/notes.html" || fail "html"
[[ "$(head -n 1 "$work/text/notes.txt")" == "Title" ]] || fail "text"

# Chunks: one file per input, each chunk with its heading path and source items.
"$ferry" convert "$work/in/notes.md" --to chunks --chunker hierarchical --out "$work/chunks" \
  2>/dev/null || fail "--to chunks"
python3 - "$work/chunks/notes.chunks.json" <<'PY' || fail "chunks: $(cat "$work/chunks/notes.chunks.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
chunks = doc["chunks"]
assert len(chunks) == 2, chunks
assert chunks[0]["headings"] == ["Title"] and "Some" in chunks[0]["text"], chunks[0]
assert chunks[1]["items"] and chunks[1]["items"][0].startswith("#/"), chunks[1]
PY

# A directory with a broken and an unsupported file: the others are still written, exit 1.
if "$ferry" convert "$work/in" --out "$work/all" 2>"$work/all.log"; then
  fail "exit 0 despite failures: $(cat "$work/all.log")"
fi
grep -q 'FAILED .*broken.csv: malformed CSV' "$work/all.log" || fail "broken.csv not reported: $(cat "$work/all.log")"
grep -q 'FAILED .*scan.pdf: corrupt or truncated PDF' "$work/all.log" || fail "pdf not reported"
[[ -f "$work/all/notes.md" && -f "$work/all/data.md" && -f "$work/all/page.md" ]] || fail "good files missing"
[[ ! -e "$work/all/binary.md" ]] || fail "an unknown extension was converted"
grep -q '^5 files, 0 pages, 2 failed' "$work/all.log" || fail "summary: $(cat "$work/all.log")"

# Usage errors.
"$ferry" convert "$work/nope" --out "$work/x" 2>/dev/null && fail "a missing input gave exit 0"
"$ferry" convert "$work/in/notes.md" --to docx --out "$work/x" 2>/dev/null && fail "--to docx gave exit 0"
"$ferry" convert "$work/in/notes.md" --to chunks --chunker words --out "$work/x" 2>/dev/null &&
  fail "--chunker words gave exit 0"
"$ferry" convert "$work/in/notes.md" --first-page 3 --last-page 2 --out "$work/x" 2>/dev/null &&
  fail "an empty page range gave exit 0"
echo "convert_cli: ok"
