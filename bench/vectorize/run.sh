#!/usr/bin/env bash
# Raster-to-SVG vectorization: Ferry (`ferry vectorize`) against its peers on the same images in
# the same run: VTracer (npm @neplex/vectorizer 0.1.0, a native build, at equivalent parameters),
# imagetracerjs 1.2.6 and potrace 1.16 (on thresholded binary images); time, SSIM, SVG bytes and
# path counts per image, per set and overall, Ferry/VTracer ratios, Ferry's presets against the
# issue's targets on 1 MP images, and peak memory on a 10 MP image.
#
#   bench/vectorize/run.sh [--quick] [--sets flags,icons,jpeg,binary,mp1,mp10] [--no-peers]
#                          [--no-ferry] [--timeout S] [--deadline S] [--no-install]
#
# Images: the corpus that ../shared/corpus/images/make.sh builds (flags 320x240, Tango icons at
# 256 px, JPEG copies) into the work directory, plus images.mjs's: ~1 MP versions (flags upscaled
# nearest-neighbour to 1154x866, icons rendered at 1024x1024, a noisy synthetic image), one 10 MP
# icon and thresholded binary copies (PNG + PBM). Without ../shared the run stops and says so.
# Every engine runs on core 0 (taskset -c 0), one image at a time, each image under --timeout
# seconds (default 120; 5x on the 10 MP image); after --deadline seconds (default 2400; 600 with
# --quick) the engines still to run are skipped and reported. Every SVG is rendered with
# rsvg-convert at the input's size and compared with the input by `ferry ssim` (bench.py has the
# details). The full run takes about 10-20 minutes; --quick (fewer images, no 10 MP image, VTracer
# not timed end-to-end a second time) about 2.
#
# --no-peers runs Ferry alone; --no-ferry the peers alone (also what happens, with a message, when
# the Ferry binary has no `vectorize` command; SSIM then comes from peers.mjs's implementation).
# The peers' npm packages are installed with `npm ci` from package-lock.json into the work
# directory, again only when the lockfile changes; nothing else is downloaded. Missing Debian
# packages (potrace, librsvg2-bin, netpbm, ...) are installed with apt-get (sudo when not root)
# unless --no-install. Output: summary.md (also printed), per_image.md, rows.csv and rows.json in
# the work directory. Environment: FERRY_BIN (default build/release/ferry), FERRY_NODE (default the
# pinned Node 22, tools/node22), FERRY_PEERS (../shared/peers; the corpus script is found beside
# it), BENCH_DIR (work files, default build/bench/vectorize).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init vectorize
make_sh="$(dirname "$peers")/corpus/images/make.sh"
quick=0
install=1
with_peers=1
with_ferry=1
sets=""
timeout_s=120
deadline=""
while (( $# )); do
  case "$1" in
    --quick) quick=1; shift ;;
    --sets) sets="$2"; shift 2 ;;
    --no-peers) with_peers=0; shift ;;
    --no-ferry) with_ferry=0; shift ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --deadline) deadline="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$deadline" ]] || deadline=$(( quick ? 600 : 2400 ))
for s in ${sets//,/ }; do
  [[ " flags icons jpeg binary mp1 mp10 " == *" $s "* ]] ||
    { echo "run.sh: unknown set $s (sets: flags,icons,jpeg,binary,mp1,mp10)" >&2; exit 2; }
done
for v in timeout_s deadline; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --${v%_s} wants a positive integer" >&2; exit 2; }
done
mkdir -p "$work"

# --- Tools ----------------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3)"
command -v taskset >/dev/null || die "taskset is needed (Debian: apt-get install util-linux)"
[[ -f "$make_sh" ]] || die "no image corpus script at $make_sh: this bench needs ../shared (set FERRY_PEERS to its peers/ directory)"
declare -A tool_pkg=([rsvg-convert]=librsvg2-bin [potrace]=potrace [pngtopnm]=netpbm [cjpeg]=libjpeg-turbo-progs)
missing=()
for t in "${!tool_pkg[@]}"; do command -v "$t" >/dev/null || missing+=("${tool_pkg[$t]}"); done
for p in iso-flags-png-320x240 tango-icon-theme; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
  (( install )) || die "missing Debian packages: ${missing[*]} (apt-get install ${missing[*]})"
  sudo_cmd=(); (( EUID == 0 )) || sudo_cmd=(sudo)
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >"$work/apt.log" 2>&1 || die "apt-get failed: $(tail -n 3 "$work/apt.log")"
fi
[[ -x "$node" ]] || die "no Node at $node (run scripts/setup.sh, or set FERRY_NODE)"
command -v npm >/dev/null || die "no npm (run scripts/setup.sh)"

# --- Ferry: a copy, so a rebuild during the run does not change what is measured -----------------
ferry_ssim=1
if (( with_ferry )); then
  [[ -x "$ferry_bin" ]] || die "no Ferry binary at $ferry_bin (build it, set FERRY_BIN, or --no-ferry)"
  cp "$ferry_bin" "$work/ferry.tmp" && mv -f "$work/ferry.tmp" "$work/ferry"
  say "Ferry: $ferry_bin (built $(date -r "$ferry_bin" "+%F %T"))"
  subcommands="$("$work/ferry" --help 2>&1 | sed -n '/^Subcommands:/,$p')"
  if ! grep -qE '^ +vectorize( |$)' <<<"$subcommands"; then
    say "this Ferry has no 'vectorize' command: running the peers alone"
    with_ferry=0
  fi
  grep -qE '^ +ssim( |$)' <<<"$subcommands" || {
    ferry_ssim=0
    say "this Ferry has no 'ssim' command: SSIM from peers.mjs (same definition) instead"
  }
else
  ferry_ssim=0
fi
(( with_ferry || with_peers )) || die "nothing to run (--no-peers, and no Ferry vectorize)"

# --- Peers' npm packages: npm ci when the lockfile changed ----------------------------------------
modules="$work/peers"
mkdir -p "$modules"
cp "$here/package.json" "$here/package-lock.json" "$modules/"
chmod u+w "$modules"/package*.json
stamp="$(cat "$modules/package.json" "$modules/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$modules/node_modules/.bench-stamp" 2>/dev/null)" != "$stamp" ]]; then
  say "installing the peers' packages (npm ci in $modules)"
  (cd "$modules" && PATH="$(dirname "$node"):$PATH" npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) ||
    die "npm ci failed: $(tail -n 3 "$work/npm.log")"
  echo "$stamp" >"$modules/node_modules/.bench-stamp"
fi

# --- Images ---------------------------------------------------------------------------------------
images="$work/images"
if [[ ! -f "$images/corpus/.done" ]]; then
  say "building the image corpus with $make_sh"
  rm -rf "$images/corpus"
  bash "$make_sh" "$images/corpus" >"$work/corpus.log" 2>&1 || die "make.sh failed: $(tail -n 3 "$work/corpus.log")"
  touch "$images/corpus/.done"
fi
say "corpus: $(tail -n 1 "$work/corpus.log" 2>/dev/null || echo built)"
"$node" "$here/images.mjs" --modules "$modules" --corpus "$images/corpus" --out "$images" |
  sed "s/^images.mjs: /$bench_name: generated images: /"

# --- Run ------------------------------------------------------------------------------------------
args=(--work "$work" --ferry "$work/ferry" --node "$node" --modules "$modules"
      --timeout "$timeout_s" --deadline "$deadline")
(( quick )) && args+=(--quick)
[[ -n "$sets" ]] && args+=(--sets "$sets")
(( with_peers )) || args+=(--no-peers)
(( with_ferry )) || args+=(--no-ferry)
(( ferry_ssim )) || args+=(--no-ferry-ssim)
python3 "$here/bench.py" "${args[@]}"
