#!/usr/bin/env bash
# Ferry's memory: idle, and with 10,000 open SSE streams while POSTs keep being answered.
# Goals (from the issue): idle RSS under 20 MB; 10,000 open SSE streams under 512 MB RSS.
#
# Method: `ferry serve --port 0` (loopback) with room for the streams
# (performance.max_connections=20000, http.max_sessions=20000) is started from a copy of the binary;
# streams.mjs (plain Node, node:http) then reads the server's VmRSS from /proc/PID/status right
# away (idle), opens the streams in waves (per stream: POST initialize, POST
# notifications/initialized, GET /mcp kept open, its priming event read), measures VmRSS and the
# /metrics gauges ferry_sse_streams_open and ferry_sessions_active, sends --posts tools/call echo
# {"text":"hi"} on a few of those sessions while every stream stays open (every answer checked,
# latency p50/p99; --post-concurrency connections, each bound to one of --post-sessions sessions,
# so the defaults 16 and 4 keep 4 POSTs in flight per session at once), then closes every stream, DELETEs every session and measures again. The server
# is stopped with SIGTERM and must exit by itself. With --cycles N the open/POST/close/DELETE cycle
# runs N times on the same server (memory that is not given back after the first cycle but does not
# grow in the next is kept for reuse, not leaked).
#
#   bench/sse_memory/run.sh [--streams N] [--wave N] [--posts N] [--post-sessions N]
#                           [--post-concurrency N] [--cycles N] [--deadline S]
#
# Exit status 0 when every goal is met; 1 when one is missed (idle >= 20 MB, streams >= 512 MB,
# fewer than --streams streams opened or any ended early, any POST failed) or the server misbehaved
# (did not start, died, did not exit on SIGTERM). Bounded in time: the client stops itself after
# --deadline seconds (default 140), the server is SIGKILLed by `timeout` if all else fails, and the
# whole run takes at most about 3 minutes.
#
# Needs a file-descriptor limit above --streams for both processes: the script raises it to 65536,
# or to the hard limit when that is lower, and stops when even that is too low.
# Environment: FERRY_BIN (default build/release/ferry), FERRY_NODE (default the pinned Node 22),
# BENCH_DIR (work files, default build/bench/sse_memory), FERRY_ARGS (extra `ferry serve` arguments).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init sse_memory
streams=10000
wave=200
posts=2000
post_sessions=4
post_concurrency=16
cycles=1
deadline=140

while (( $# )); do
  case "$1" in
    --streams) streams="$2"; shift 2 ;;
    --wave) wave="$2"; shift 2 ;;
    --posts) posts="$2"; shift 2 ;;
    --post-sessions) post_sessions="$2"; shift 2 ;;
    --post-concurrency) post_concurrency="$2"; shift 2 ;;
    --cycles) cycles="$2"; shift 2 ;;
    --deadline) deadline="${2%s}"; shift 2 ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
for v in streams wave posts post_sessions post_concurrency cycles deadline; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --${v//_/-} wants a positive integer" >&2; exit 2; }
done

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

[[ -x "$ferry_bin" ]] || die "no Ferry binary at $ferry_bin (build it, or set FERRY_BIN)"
[[ -x "$node" ]] || die "no Node at $node (run scripts/setup.sh, or set FERRY_NODE)"

# --- File descriptors: each side holds one socket per stream, plus the POST connections. --------
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit="$(ulimit -n)"
fd_needed=$(( streams + 1000 ))
if [[ "$fd_limit" != unlimited ]] && (( fd_limit < fd_needed )); then
  die "open-file limit $fd_limit (hard limit $(ulimit -Hn)) is below the $fd_needed needed for $streams streams; raise it (ulimit -n) or use --streams"
fi

mkdir -p "$work"
# Ferry runs from a copy, so a rebuild of $ferry_bin during the run does not change what is measured.
cp "$ferry_bin" "$work/ferry.tmp"
mv -f "$work/ferry.tmp" "$work/ferry"
ferry_src="$ferry_bin"
ferry_bin="$work/ferry"

# --- The server: under `timeout` (SIGKILL as a last resort), SIGTERMed by us. ------------------
server_limit=$(( deadline + 40 ))
log="$work/ferry.log"
wrapper_pid=""
ferry_pid=""
room=$(( streams * 2 > 20000 ? streams * 2 : 20000 ))
ferry_args=(serve --port 0 --set "performance.max_connections=$room" --set "http.max_sessions=$room")
# shellcheck disable=SC2206
[[ -n "${FERRY_ARGS:-}" ]] && ferry_args+=(${FERRY_ARGS})

stopped_status=""
stop_server() {  # SIGTERM, then up to 15 s to exit; leaves the exit status in $stopped_status
  local i
  stopped_status=""
  [[ -n "$wrapper_pid" ]] || return 0
  if [[ -n "$ferry_pid" ]]; then kill -TERM "$ferry_pid" 2>/dev/null || true; fi
  for ((i = 0; i < 150; i++)); do
    kill -0 "$wrapper_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$wrapper_pid" 2>/dev/null; then
    say "FERRY DID NOT EXIT within 15 s of SIGTERM; killing it"
    if [[ -n "$ferry_pid" ]]; then kill -KILL "$ferry_pid" 2>/dev/null || true; fi
    kill -KILL "$wrapper_pid" 2>/dev/null || true
    stopped_status=killed
  fi
  local st=0
  wait "$wrapper_pid" 2>/dev/null || st=$?
  [[ -n "$stopped_status" ]] || stopped_status=$st
  wrapper_pid=""
}
client_pid=""
cleanup() {
  if [[ -n "$client_pid" ]]; then kill -TERM "$client_pid" 2>/dev/null || true; fi
  stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "load average before: $(loadavg) ($(nproc) cores); open-file limit $fd_limit"
say "Ferry: $ferry_bin ${ferry_args[*]} (a copy of $ferry_src, built $(date -r "$ferry_src" "+%F %T"))"
: >"$log"
# (In $work, so a core dump, should the machine write one, lands there.)
(cd "$work" && exec timeout -k 5 "$server_limit" "$ferry_bin" "${ferry_args[@]}" >"$log" 2>&1) &
wrapper_pid=$!

port=""
for ((i = 0; i < 100; i++)); do
  port="$(sed -n 's#.*serving MCP over HTTP on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp.*#\1#p' "$log" | head -1)"
  [[ -n "$port" ]] && break
  kill -0 "$wrapper_pid" 2>/dev/null || die "Ferry exited during start-up: $(tail -3 "$log")"
  sleep 0.1
done
[[ -n "$port" ]] || die "no 'serving MCP over HTTP on http://127.0.0.1:PORT/mcp' line after 10 s: $(tail -3 "$log")"
ferry_pid="$(ps -o pid= --ppid "$wrapper_pid" | head -1 | tr -d ' ')"
[[ -n "$ferry_pid" && -r "/proc/$ferry_pid/status" ]] || die "cannot find Ferry's process (child of $wrapper_pid)"
say "Ferry pid $ferry_pid on 127.0.0.1:$port $(sed -n 's/.*serving MCP over HTTP on [^ ]* //p' "$log" | head -1)"

# --- The client ----------------------------------------------------------------------------------
client_status=0
timeout -k 5 $(( deadline + 15 )) "$node" "$here/streams.mjs" --port "$port" --pid "$ferry_pid" \
  --streams "$streams" --wave "$wave" --posts "$posts" --post-sessions "$post_sessions" \
  --post-concurrency "$post_concurrency" --cycles "$cycles" --deadline "$deadline" --json "$work/result.json" &
client_pid=$!
wait "$client_pid" || client_status=$?
client_pid=""
(( client_status == 124 || client_status == 137 )) && say "the client did not stop by itself; timeout stopped it"

alive=1
kill -0 "$ferry_pid" 2>/dev/null || alive=0
(( alive )) || say "FERRY DIED during the run (log: $log): $(tail -3 "$log")"
stop_server
say "Ferry after SIGTERM: exit status $stopped_status$( (( alive )) || echo ' (already gone before SIGTERM)')"
server_ok=1
[[ "$stopped_status" == 0 && $alive == 1 ]] || server_ok=0

# Anything Ferry logged above info.
if grep -qE '^[^ ]+ (warn|error|critical) ' "$log"; then
  say "Ferry logged $(grep -cE '^[^ ]+ (warn|error|critical) ' "$log") warning/error line(s) (log: $log), first ones:"
  grep -E '^[^ ]+ (warn|error|critical) ' "$log" | head -5 | sed 's/^/  /'
fi
say "load average after: $(loadavg)"

if (( client_status != 0 || ! server_ok )); then
  say "result: FAILED (client exit $client_status, Ferry exit $stopped_status)"
  exit 1
fi
say "result: every goal met"
