#!/usr/bin/env bash
# Conversion speed: Ferry against pandoc (DOCX and HTML to Markdown) and `pdftotext -layout` (PDF)
# on the files of ../shared/corpus/docling, same files, same run; throughput, pages per second and
# peak RSS per conversion (speed.py explains the two views: per process and in process).
#
#   bench/doc_speed/run.sh [--repeat N] [--corpus DIR] [--no-install]
#
# Installs pandoc and poppler-utils with apt-get when missing (sudo when not root), unless
# --no-install. Environment: FERRY_BIN, BENCH_DIR (default build/bench/doc_speed).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init doc_speed
corpus="$(dirname "$peers")/corpus/docling"
repeat=3
install=1
while (( $# )); do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ -d "$corpus" ]] || die "no corpus at $corpus (give --corpus DIR)"
command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3)"
missing=()
command -v pandoc >/dev/null || missing+=(pandoc)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if (( ${#missing[@]} )); then
  (( install )) || die "missing: ${missing[*]} (apt-get install ${missing[*]})"
  sudo_cmd=(); (( EUID == 0 )) || sudo_cmd=(sudo)
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >"$work/apt.log" 2>&1 || die "apt-get failed: $(tail -n 3 "$work/apt.log")"
fi
say "load average: $(loadavg) ($(nproc) cores)"
python3 "$here/speed.py" "$ferry_bin" "$corpus" "$work" --repeat "$repeat"
