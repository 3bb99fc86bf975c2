#!/usr/bin/env bash
# Requests per second of `tools/call echo` over stdio: Ferry (`ferry serve --stdio`, the built-in
# diagnostics `echo`) against the official TypeScript SDK's stdio server (shared/peers/ts-sdk).
#
# Method: a pre-generated NDJSON stream (initialize, notifications/initialized, N tools/call echo)
# is piped into the server as fast as it will take it; a small C++ counter reads stdout and stops
# the clock at the last expected response. Time runs from just before the server starts to that
# last response, so it includes start-up (milliseconds) and nothing of the driver's making: the
# counter alone is measured on canned responses first and must be far faster than any server.
#
#   bench/stdio_echo/run.sh [--ferry-n N] [--peer-n N] [--runs R] [--no-peer]
#
# Environment: FERRY_BIN (default build/release/ferry), FERRY_NODE (default the pinned Node 22),
# FERRY_PEERS (default ../shared/peers beside the repository), BENCH_DIR (work files, default
# build/bench/stdio_echo). Every server run is bounded by `timeout`.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init stdio_echo
ferry_n=1000000
peer_n=20000
runs=3
with_peer=1
run_timeout=120

while (( $# )); do
  case "$1" in
    --ferry-n) ferry_n="$2"; shift 2 ;;
    --peer-n) peer_n="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --no-peer) with_peer=0; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done


[[ -x "$ferry_bin" ]] || die "no Ferry binary at $ferry_bin (build it: cmake --preset release && cmake --build --preset release, or set FERRY_BIN)"
mkdir -p "$work"

# The counter, rebuilt when its source changes.
counter="$work/count_responses"
if [[ ! -x "$counter" || "$here/count_responses.cc" -nt "$counter" ]]; then
  g++ -O2 -std=c++20 -o "$counter" "$here/count_responses.cc"
fi

# requests.N.ndjson: initialize + initialized + N calls; kept between runs.
requests_file() {
  local n="$1" file="$work/requests.$1.ndjson"
  if [[ ! -s "$file" ]]; then
    awk -v n="$n" 'BEGIN {
      print "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"stdio-echo-bench\",\"version\":\"1.0.0\"}}}"
      print "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"
      for (i = 1; i <= n; i++)
        printf "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}\n", i
    }' >"$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

now_ns() { date +%s%N; }

# Runs one server over one request stream: prints "RATE SECONDS", or fails with the counter's line.
# The stream goes through `cat` so the server reads a pipe, as from a real client.
measure() {
  local n="$1" file="$2" log="$3"; shift 3
  local start out lines errors seconds
  start="$(now_ns)"
  out="$(cat "$file" | timeout "$run_timeout" "$@" 2>>"$log" | "$counter" $((n + 1)) "$start")" || true
  lines="$(sed -n 's/.*lines=\([0-9]*\).*/\1/p' <<<"$out")"
  errors="$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$out")"
  seconds="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")"
  if [[ "$lines" != $((n + 1)) || "$errors" != 0 ]]; then
    echo "stdio_echo: error: expected $((n + 1)) responses without errors, got: $out (stderr: $log)" >&2
    return 1
  fi
  awk -v n="$n" -v s="$seconds" 'BEGIN { printf "%.0f %.3f\n", n / s, s }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Measures `runs` times; prints each run and leaves the median rate in $median_rate.
bench() {
  local label="$1" n="$2" log="$3"; shift 3
  local file rates=() result
  file="$(requests_file "$n")"
  : >"$log"
  for ((r = 1; r <= runs; r++)); do
    result="$(measure "$n" "$file" "$log" "$@")" || return 1
    say "  $label run $r: $n calls in ${result#* } s = ${result%% *} req/s"
    rates+=("${result%% *}")
  done
  median_rate="$(printf '%s\n' "${rates[@]}" | median)"
}

# 1. The counter alone, on canned responses shaped like the real ones: at least a million, so
# process start-up does not hide its throughput.
canned_n=$(( ferry_n > 1000000 ? ferry_n : 1000000 ))
canned="$work/canned.$canned_n.ndjson"
if [[ ! -s "$canned" ]]; then
  awk -v n="$canned_n" 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}}\n", i }' \
    >"$canned.tmp"
  mv "$canned.tmp" "$canned"
fi
start="$(now_ns)"
counter_out="$(cat "$canned" | "$counter" "$canned_n" "$start")"
counter_rate="$(awk -v n="$canned_n" -v s="${counter_out##*seconds=}" 'BEGIN { printf "%.0f", n / s }')"
say "counter alone (cat of $canned_n canned responses): $counter_rate lines/s"

# 2. Ferry.
say "Ferry: $ferry_bin serve --stdio, $runs runs"
bench ferry "$ferry_n" "$work/ferry.stderr" "$ferry_bin" serve --stdio
ferry_rate="$median_rate"
say "Ferry median: $ferry_rate req/s"
(( counter_rate > 5 * ferry_rate )) ||
  say "warning: the counter is less than 5x faster than Ferry; the number may be the counter's"

# 3. The TypeScript SDK peer, from a copy of shared/peers/ts-sdk (never installed in place).
peer_rate=""
if prepare_ts_sdk_peer "$with_peer"; then
  say "TypeScript SDK: $node server.mjs stdio ($("$node" --version)), $runs runs"
  bench ts-sdk "$peer_n" "$work/ts-sdk.stderr" "$node" "$peer/server.mjs" stdio
  peer_rate="$median_rate"
  say "TypeScript SDK median: $peer_rate req/s"
fi

echo
echo "stdio tools/call echo, piped stream (median of $runs runs)"
printf '  %-16s %12s req/s  (%d calls)\n' "Ferry" "$ferry_rate" "$ferry_n"
if [[ -n "$peer_rate" ]]; then
  printf '  %-16s %12s req/s  (%d calls)\n' "TypeScript SDK" "$peer_rate" "$peer_n"
  awk -v f="$ferry_rate" -v p="$peer_rate" 'BEGIN { printf "  Ferry / SDK      %12.1fx\n", f / p }'
fi
printf '  %-16s %12s lines/s (the counter alone; must be far above both)\n' "counter" "$counter_rate"
