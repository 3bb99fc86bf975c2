#!/usr/bin/env bash
# `ferry vectorize` and `ferry ssim` from the outside: generated PNGs (good, truncated, empty, a
# header declaring 100000 x 100000 pixels) and a GIF, converted one by one and as a directory;
# checks the SVGs written, the summary line, the report, the error messages and the exit codes.
# Usage: vectorize_cli.sh FERRY_BINARY
set -euo pipefail
ferry="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "vectorize_cli: FAIL: $*" >&2; exit 1; }

mkdir -p "$work/in"
python3 - "$work/in" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
def png(w, h, pixel):
    rows = b''.join(b'\0' + b''.join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
def shapes(x, y):
    if 8 <= x < 30 and 8 <= y < 40: return (200, 30, 30)
    if (x - 45) ** 2 + (y - 24) ** 2 < 144: return (30, 60, 200)
    return (250, 250, 250)
good = png(64, 48, shapes)
open(f'{out}/good.png', 'wb').write(good)
open(f'{out}/truncated.png', 'wb').write(good[:len(good) // 2])
open(f'{out}/empty.png', 'wb').write(b'')
ihdr = chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0))
open(f'{out}/huge.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + ihdr)
open(f'{out}/anim.gif', 'wb').write(b'GIF89a\x01\x00\x01\x00\x00\x00\x00;')
open(f'{out}/notes.txt', 'w').write('not an image')
PY

# One good file: exit 0, the SVG, a summary with SSIM, a report.
"$ferry" vectorize "$work/in/good.png" --out "$work/svg" --ssim --report "$work/report.json" \
  2>"$work/ok.log" || fail "exit $? for a good image: $(cat "$work/ok.log")"
grep -q '<svg' "$work/svg/good.svg" || fail "good.svg: $(head -c 300 "$work/svg/good.svg")"
[[ "$(grep -c '<path' "$work/svg/good.svg")" -ge 3 ]] || fail "expected 3 paths: $(cat "$work/svg/good.svg")"
grep -q '^1 files, 0 failed, mean SSIM 0\.9' "$work/ok.log" || fail "summary: $(cat "$work/ok.log")"
python3 - "$work/report.json" <<'PY' || fail "report: $(cat "$work/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
f = r['files'][0]
assert f['ok'] and f['width'] == 64 and f['height'] == 48 and f['paths'] >= 3, f
assert 0.9 < f['ssim'] <= 1 and f['svg_bytes'] > 0 and f['vectorize_seconds'] >= 0, f
PY

# Every preset and mode converts; binary mode paints black.
for args in "--preset speed" "--preset quality" "--mode polygon" "--mode pixel --hierarchical cutout"; do
  # shellcheck disable=SC2086
  "$ferry" vectorize "$work/in/good.png" --out "$work/$RANDOM" $args 2>/dev/null || fail "$args"
done
"$ferry" vectorize "$work/in/good.png" --out "$work/bin" --colormode binary 2>/dev/null || fail "binary"
grep -q 'fill="#000000"' "$work/bin/good.svg" || fail "binary: $(cat "$work/bin/good.svg")"

# A directory with broken images: the good one is still written, each failure named, exit 1.
if "$ferry" vectorize "$work/in" "$work/in/anim.gif" --out "$work/all" 2>"$work/all.log"; then
  fail "exit 0 despite failures: $(cat "$work/all.log")"
fi
grep -q 'FAILED .*truncated.png: corrupt or truncated PNG' "$work/all.log" || fail "truncated: $(cat "$work/all.log")"
grep -q 'FAILED .*empty.png: empty file' "$work/all.log" || fail "empty: $(cat "$work/all.log")"
grep -q 'FAILED .*huge.png: .*100000x100000.*max_pixels' "$work/all.log" || fail "huge: $(cat "$work/all.log")"
grep -q 'FAILED .*anim.gif: gif images are not supported' "$work/all.log" || fail "gif: $(cat "$work/all.log")"
[[ -f "$work/all/good.svg" && ! -e "$work/all/notes.svg" ]] || fail "outputs: $(ls "$work/all")"
grep -q '^5 files, 4 failed' "$work/all.log" || fail "summary: $(cat "$work/all.log")"

# Usage errors name the parameter, the value and the range.
"$ferry" vectorize "$work/in/good.png" --out "$work/x" --color-precision 10 2>"$work/range.log" &&
  fail "color_precision 10 gave exit 0"
grep -q 'color_precision: 10 is out of range \[1, 8\]' "$work/range.log" || fail "range: $(cat "$work/range.log")"
"$ferry" vectorize "$work/in/good.png" --out "$work/x" --preset fastest 2>/dev/null && fail "--preset fastest gave exit 0"
"$ferry" vectorize "$work/nope.png" --out "$work/x" 2>/dev/null && fail "a missing input gave exit 0"

# ferry ssim: an image against itself is 1; against its vectorization, what the report said.
[[ "$("$ferry" ssim "$work/in/good.png" "$work/in/good.png" | cut -f1)" == "1.000000" ]] || fail "ssim of itself"
"$ferry" ssim "$work/in/good.png" "$work/in/truncated.png" 2>/dev/null && fail "ssim of a truncated image gave exit 0"
echo "vectorize_cli: ok"
