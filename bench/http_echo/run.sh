#!/usr/bin/env bash
# Requests per second and latency of `tools/call echo` over Streamable HTTP, measured with wrk:
# Ferry (`ferry serve --stateless`, the built-in `echo`, JSON responses, metrics on), the official
# TypeScript SDK (shared/peers/ts-sdk, `node server.mjs http PORT`) and nginx answering the same
# fixed body with `return 200` (the ceiling: no parsing, no dispatch), one after the other.
#
# Method: each server is started, checked with curl (the request wrk sends must get the right
# answer), warmed up for 2 s, then measured with
#   wrk -t1 -c32 -d10s -s wrk-echo.lua --latency http://127.0.0.1:PORT/mcp
# and stopped (SIGTERM). With --runs N the three are measured in turn N times (Ferry, SDK, nginx,
# Ferry, ...) so load from elsewhere on the machine hits all three alike; the table shows each
# column's median. A run with socket errors or non-2xx/3xx responses is not a valid result: it is
# reported and the script exits 1.
#
#   bench/http_echo/run.sh [--runs N] [--duration S] [--connections C] [--threads T] [--no-peer]
#                          [--no-nginx] [--perf S] [--perf-callgraph fp|dwarf] [--no-install]
#
#   --threads T   event-loop threads for Ferry (http.io_threads) and nginx (worker_processes);
#                 default 1: wrk takes one of this machine's two cores and each server gets one
#                 event loop (nginx's `auto` was observed to start a single worker here anyway)
#   --perf S      after the measured runs, one more Ferry run under `perf record -p` for S seconds;
#                 prints the top of `perf report --no-children` (full report in the work dir)
#   --no-install  do not apt-get wrk / nginx-light when missing; say what to install and stop
#
# Needs wrk and nginx (Debian: wrk, nginx-light), curl; installed with apt-get when missing, with
# sudo when not root (only here: scripts/setup.sh does not install them).
# Environment: FERRY_BIN (default build/release/ferry), FERRY_NODE (default the pinned Node 22),
# FERRY_PEERS (default ../shared/peers beside the repository), BENCH_DIR (work files, default
# build/bench/http_echo), FERRY_ARGS (extra arguments for `ferry serve`). Every server and every
# wrk run is bounded by `timeout`.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bench_init http_echo
runs=3
duration=10
connections=32
warmup=2
with_peer=1
with_nginx=1
threads=1
perf_seconds=0
perf_callgraph=fp
install=1

while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="${2%s}"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --no-peer) with_peer=0; shift ;;
    --no-nginx) with_nginx=0; shift ;;
    --threads) threads="$2"; shift 2 ;;
    --perf) perf_seconds="${2%s}"; shift 2 ;;
    --perf-callgraph) perf_callgraph="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs wants a positive integer" >&2; exit 2; }
[[ "$duration" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --duration wants whole seconds" >&2; exit 2; }
[[ "$connections" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --connections wants a positive integer" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --threads wants a positive integer" >&2; exit 2; }
[[ "$perf_seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: --perf wants whole seconds" >&2; exit 2; }
[[ "$perf_callgraph" == fp || "$perf_callgraph" == dwarf ]] ||
  { echo "run.sh: --perf-callgraph is fp or dwarf" >&2; exit 2; }

[[ -x "$ferry_bin" ]] || die "no Ferry binary at $ferry_bin (build it: cmake --preset release && cmake --build --preset release, or set FERRY_BIN)"

# --- Tools: wrk, nginx (nginx-light), curl; perf only with --perf. -----------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if (( with_nginx )) && ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  missing+=(nginx-light)
fi
command -v curl >/dev/null 2>&1 || missing+=(curl)
if (( perf_seconds )) && ! command -v perf >/dev/null 2>&1; then missing+=(linux-perf); fi
if (( ${#missing[@]} )); then
  if (( ! install )); then
    die "missing: ${missing[*]}; install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
  fi
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
      die "not root and no sudo: install by hand: apt-get install --no-install-recommends ${missing[*]}"
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]} (a machine running systemd may start its own nginx service on port 80 afterwards; this benchmark does not use it)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"

mkdir -p "$work"
# Ferry runs from a copy, so a rebuild of $ferry_bin during the run neither changes what is measured
# nor leaves perf with a deleted file it cannot read symbols from.
# (cp then mv: a new file each time, never written into one that something else links to.)
cp "$ferry_bin" "$work/ferry.tmp"
mv -f "$work/ferry.tmp" "$work/ferry"
ferry_src="$ferry_bin"
ferry_bin="$work/ferry"

# --- The request: wrk-echo.lua from shared/peers; curl sends the same method, headers and body. --
lua="$peers/wrk-echo.lua"
if [[ ! -f "$lua" ]]; then
  # Without shared/ the peer is skipped, but Ferry and nginx can still be measured with the same
  # request, written here (the copy of shared/peers/wrk-echo.lua as of this script).
  lua="$work/wrk-echo.lua"
  say "no $peers/wrk-echo.lua (set FERRY_PEERS): using a built-in copy of the same request, $lua"
  cat >"$lua" <<'EOF'
-- wrk script: POST one MCP tools/call (echo) per request, JSON response mode.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
EOF
fi
request_body="$(sed -n "s/^wrk\.body *= *'\(.*\)' *$/\1/p" "$lua")"
[[ -n "$request_body" ]] || die "cannot read wrk.body from $lua"
curl_headers=()
while IFS= read -r h; do curl_headers+=(-H "$h"); done < <(
  sed -n 's/^wrk\.headers\["\([^"]*\)"\] *= *"\(.*\)" *$/\1: \2/p' "$lua")

# Sends wrk's request once: writes the body to $2, prints "STATUS CONTENT-TYPE".
post_once() {
  local url="$1" out="$2"
  curl -sS --max-time 5 -o "$out" -w '%{http_code} %{content_type}\n' -X POST \
    "${curl_headers[@]}" --data-binary "$request_body" "$url" 2>/dev/null || echo "000 -"
}

# A JSON-RPC result for id 1 whose content is the text "hello" (key order free, no error).
check_echo_body() {
  local compact
  compact="$(tr -d ' \n\r\t' <"$1")"
  [[ "$compact" == *'"jsonrpc":"2.0"'* && "$compact" == *'"id":1'* && "$compact" == *'"result":{'* &&
     "$compact" == *'"type":"text"'* && "$compact" == *'"text":"hello"'* &&
     "$compact" != *'"error":'* && "$compact" != *'"isError":true'* ]]
}

# --- Processes: every server under `timeout`, stopped by the EXIT trap if still running. --------
declare -A server_pid=()   # name -> pid of its `timeout` wrapper
server_limit=$(( runs * 3 * (warmup + duration + 5) + perf_seconds + duration + 300 ))

start_server() {  # name log command...
  local name="$1" log="$2"; shift 2
  timeout -k 5 "$server_limit" "$@" >"$log" 2>&1 &
  server_pid[$name]=$!
}

# The server process itself (the child of its `timeout`).
real_pid() { ps -o pid= --ppid "${server_pid[$1]}" 2>/dev/null | head -1 | tr -d ' '; }

# CPU time (user + system, clock ticks) used so far by the server named $1: its process (all
# threads) and its child processes (nginx's workers).
cpu_ticks() {
  local pid pids p
  pid="$(real_pid "$1")"
  [[ -n "$pid" ]] || { echo 0; return; }
  pids="$pid $(ps -o pid= --ppid "$pid" 2>/dev/null | tr '\n' ' ')"
  # shellcheck disable=SC2086
  for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done |
    awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}
clk_tck="$(getconf CLK_TCK)"

# SIGTERM, then up to 15 s for it to exit; leaves its exit status in $stopped_status.
stop_server() {
  local name="$1" pid="${server_pid[$1]:-}" i
  stopped_status=""
  [[ -n "$pid" ]] || return 0
  unset "server_pid[$name]"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "warning: $name did not stop within 15 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  stopped_status=0
  wait "$pid" 2>/dev/null || stopped_status=$?
}

cleanup() {
  local name
  for name in "${!server_pid[@]}"; do stop_server "$name"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on, from $1 upwards.
free_port() {
  local p="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
port_base=$(( 20000 + RANDOM % 20000 ))

# Waits up to 15 s for `check` to succeed while the server named $1 stays alive.
wait_ready() {
  local name="$1" log="$2" i; shift 2
  for ((i = 0; i < 150; i++)); do
    "$@" && return 0
    kill -0 "${server_pid[$name]}" 2>/dev/null || die "$name exited during start-up (log: $log): $(tail -3 "$log")"
    sleep 0.1
  done
  die "$name not ready after 15 s (log: $log): $(tail -3 "$log")"
}

# --- wrk ---------------------------------------------------------------------------------------
to_ms() {  # wrk latency (123.45us, 1.20ms, 2.00s, 1.00m) to milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# Runs wrk; prints "RPS P50_MS P99_MS REQUESTS ERRORS" and leaves wrk's output in $3.
run_wrk() {
  local url="$1" seconds="$2" out="$3" rps p50 p99 requests sock non2xx c r w t
  timeout -k 5 $(( seconds + 30 )) wrk -t1 -c"$connections" -d"${seconds}s" -s "$lua" --latency "$url" \
    >"$out" 2>&1 || { echo "0 0 0 0 wrk-failed"; return 0; }
  rps="$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")"
  p50="$(awk '$1 == "50%" { print $2 }' "$out")"
  p99="$(awk '$1 == "99%" { print $2 }' "$out")"
  requests="$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$out")"
  sock="$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$out")"
  non2xx="$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")"
  local errors=""
  if [[ -n "$sock" ]]; then
    read -r c r w t <<<"$sock"
    (( c + r + w + t )) && errors="socket(connect=$c,read=$r,write=$w,timeout=$t)"
  fi
  [[ -n "$non2xx" && "$non2xx" != 0 ]] && errors="${errors:+$errors,}non2xx=$non2xx"
  [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || { echo "0 0 0 0 unparsed"; return 0; }
  echo "${rps%.*} $(to_ms "$p50") $(to_ms "$p99") ${requests:-0} ${errors:-0}"
}

# --- The servers -------------------------------------------------------------------------------
names=()
declare -A url=() label=()
invalid=0

# Ferry. Metrics are on by default (/metrics); should a build grow a metrics.enabled key, it is set
# to true. GET /metrics below reports which way it is.
ferry_port="$(free_port "$port_base")"
ferry_args=(serve --port "$ferry_port" --stateless --set "http.io_threads=$threads")
if "$ferry_bin" config --describe 2>/dev/null | grep -q '^metrics\.enabled$'; then
  ferry_args+=(--set metrics.enabled=true)
fi
# shellcheck disable=SC2206
[[ -n "${FERRY_ARGS:-}" ]] && ferry_args+=(${FERRY_ARGS})
say "load average before: $(loadavg) ($(nproc) cores)"
say "Ferry: $ferry_bin ${ferry_args[*]} (a copy of $ferry_src, built $(date -r "$ferry_src" "+%F %T"))"
start_server ferry "$work/ferry.log" "$ferry_bin" "${ferry_args[@]}"
health_ok() { [[ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ferry_port/health")" == 200 ]]; }
wait_ready ferry "$work/ferry.log" health_ok
read -r status ctype < <(post_once "http://127.0.0.1:$ferry_port/mcp" "$work/ferry.body")
if ! { [[ "$status" == 200 && "$ctype" == application/json* ]] && check_echo_body "$work/ferry.body"; }; then
  die "Ferry answered wrk's request with $status $ctype: $(head -c 300 "$work/ferry.body")"
fi
metrics_status="$(curl -s --max-time 2 -o "$work/ferry.metrics" -w '%{http_code}' "http://127.0.0.1:$ferry_port/metrics" || true)"
if [[ "$metrics_status" == 200 ]]; then
  ferry_metrics="on (GET /metrics 200, $(grep -vc '^#' "$work/ferry.metrics") samples)"
else
  ferry_metrics="NOT available in this build (GET /metrics $metrics_status)"
fi
say "Ferry answers: $(cat "$work/ferry.body"); metrics $ferry_metrics"
names+=(ferry); url[ferry]="http://127.0.0.1:$ferry_port/mcp"; label[ferry]="Ferry"

# The TypeScript SDK peer, from a copy of shared/peers/ts-sdk (never installed in place).
if prepare_ts_sdk_peer "$with_peer"; then
  sdk_port="$(free_port $((ferry_port + 1)))"
  say "TypeScript SDK: $node server.mjs http $sdk_port ($("$node" --version))"
  start_server sdk "$work/ts-sdk.log" "$node" "$peer/server.mjs" http "$sdk_port"
  sdk_ok() {
    read -r status ctype < <(post_once "http://127.0.0.1:$sdk_port/mcp" "$work/ts-sdk.body")
    [[ "$status" == 200 ]]
  }
  wait_ready sdk "$work/ts-sdk.log" sdk_ok
  if ! { [[ "$ctype" == application/json* ]] && check_echo_body "$work/ts-sdk.body"; }; then
    die "the SDK answered wrk's request with $status $ctype: $(head -c 300 "$work/ts-sdk.body")"
  fi
  say "SDK answers: $(cat "$work/ts-sdk.body")"
  names+=(sdk); url[sdk]="http://127.0.0.1:$sdk_port/mcp"; label[sdk]="TypeScript SDK"
fi

# nginx: `return 200` with Ferry's exact body, config and every file it writes in $work/nginx.
if (( ! with_nginx )); then
  say "skipping nginx (--no-nginx)"
else
  nwork="$work/nginx"
  mkdir -p "$nwork/tmp"
  body="$(cat "$work/ferry.body")"
  [[ "$body" != *[\'\\\$]* && "$(wc -l <"$work/ferry.body")" == 0 ]] ||
    die "Ferry's body has a quote, backslash, dollar or newline; nginx.conf.in cannot carry it as is"
  nginx_port="$(free_port $((ferry_port + 2)))"
  sed -e "s|@WORK@|$nwork|g" -e "s|@PORT@|$nginx_port|g" -e "s|@WORKERS@|$threads|g" "$here/nginx.conf.in" |
    awk -v body="$body" '{ gsub(/@BODY@/, body) } 1' >"$nwork/nginx.conf"
  "$nginx_bin" -t -q -p "$nwork" -e "$nwork/nginx.error.log" -c "$nwork/nginx.conf" >"$nwork/nginx-t.log" 2>&1 ||
    die "nginx -t rejects $nwork/nginx.conf: $(cat "$nwork/nginx-t.log")"
  say "nginx: $nginx_bin -c $nwork/nginx.conf ($("$nginx_bin" -v 2>&1 | sed 's/.*: //'), workers: $threads)"
  start_server nginx "$nwork/nginx.log" "$nginx_bin" -p "$nwork" -e "$nwork/nginx.error.log" -c "$nwork/nginx.conf"
  nginx_ok() {
    read -r status ctype < <(post_once "http://127.0.0.1:$nginx_port/mcp" "$nwork/nginx.body")
    [[ "$status" == 200 ]]
  }
  wait_ready nginx "$nwork/nginx.log" nginx_ok
  if ! { [[ "$ctype" == application/json* ]] && cmp -s "$nwork/nginx.body" "$work/ferry.body"; }; then
    die "nginx answered $status $ctype, not Ferry's body: $(head -c 300 "$nwork/nginx.body")"
  fi
  names+=(nginx); url[nginx]="http://127.0.0.1:$nginx_port/mcp"; label[nginx]="nginx fixed body"
fi

# --- Measure: every server in turn, $runs times. ------------------------------------------------
declare -A rps_list=() p50_list=() p99_list=() cpu_list=() bad=()
say "wrk -t1 -c$connections -d${duration}s -s $lua --latency URL; ${warmup} s warm-up before each; $runs round(s)"
for ((r = 1; r <= runs; r++)); do
  for n in "${names[@]}"; do
    read -r _ _ _ _ werr < <(run_wrk "${url[$n]}" "$warmup" "$work/$n.warmup.txt")
    [[ "$werr" == 0 ]] || say "  $n warm-up $r: errors: $werr (see $work/$n.warmup.txt)"
    t0="$(cpu_ticks "$n")"
    read -r rps p50 p99 requests errors < <(run_wrk "${url[$n]}" "$duration" "$work/$n.run$r.txt")
    t1="$(cpu_ticks "$n")"
    # The server's CPU time per request in microseconds (cores it kept busy: us/req x req/s).
    cpu_us="$(awk -v t=$((t1 - t0)) -v hz="$clk_tck" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
    say "  $(printf '%-6s' "$n") run $r: $(printf '%8s' "$rps") req/s  p50 $p50 ms  p99 $p99 ms  server CPU $cpu_us us/req  ($requests requests; errors: $errors; load $(loadavg))"
    if [[ "$errors" != 0 ]]; then
      bad[$n]="${bad[$n]:+${bad[$n]}; }run $r: $errors"
      invalid=1
    fi
    rps_list[$n]+="$rps "
    p50_list[$n]+="$p50 "
    p99_list[$n]+="$p99 "
    cpu_list[$n]+="$cpu_us "
  done
done

# --- Where Ferry spends its time (optional). -----------------------------------------------------
if (( perf_seconds )); then
  fpid="$(real_pid ferry)"
  perf_data="$work/perf-ferry.data"
  perf_report="$work/perf-ferry.txt"
  callgraph=(-g)
  # shellcheck disable=SC2054  # dwarf,8192 is one argument
  [[ "$perf_callgraph" == dwarf ]] && callgraph=(--call-graph dwarf,8192 -F 499)
  rm -f "$perf_data" "$perf_data.old"
  say "perf: recording Ferry (pid $fpid) for $perf_seconds s during an extra wrk run (not counted)"
  run_wrk "${url[ferry]}" $(( perf_seconds + 3 )) "$work/ferry.perf-run.txt" >"$work/ferry.perf-run.result" &
  wrk_pid=$!
  sleep 1
  timeout -k 5 $(( perf_seconds + 30 )) perf record --no-buildid-cache "${callgraph[@]}" -o "$perf_data" -p "$fpid" -- sleep "$perf_seconds" \
    >"$work/perf-record.log" 2>&1 || say "warning: perf record failed: $(tail -2 "$work/perf-record.log")"
  wait "$wrk_pid" || true
  say "perf run under load: $(cat "$work/ferry.perf-run.result") (req/s p50 p99 requests errors)"
  if [[ -s "$perf_data" ]]; then
    perf report -i "$perf_data" --no-children --stdio >"$perf_report" 2>/dev/null || true
    {
      echo "by shared object:"
      perf report -i "$perf_data" --no-children --stdio -g none --sort dso 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -8
      echo "by symbol (both I/O threads together):"
      perf report -i "$perf_data" --no-children --stdio -g none --sort dso,symbol 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -40 | sed -E 's/ +-  +- *$//; s/ *$//' | cut -c1-160
    } >"$work/perf-ferry.top.txt" || true
    echo
    echo "perf report --no-children (Ferry under wrk, $perf_seconds s, top entries; full report with call chains: $perf_report)"
    cat "$work/perf-ferry.top.txt"
  fi
fi

# --- Stop the servers. ---------------------------------------------------------------------------
for n in "${names[@]}"; do
  stop_server "$n"
  if [[ "$n" == ferry && "$stopped_status" != 0 ]]; then
    say "warning: Ferry exited with status $stopped_status after SIGTERM (log: $work/ferry.log)"
  fi
done
say "load average after: $(loadavg)"

# --- Table ---------------------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A m_rps=() m_p50=() m_p99=() m_cpu=()
for n in "${names[@]}"; do
  m_rps[$n]="$(median <<<"${rps_list[$n]}")"
  m_p50[$n]="$(median <<<"${p50_list[$n]}")"
  m_p99[$n]="$(median <<<"${p99_list[$n]}")"
  m_cpu[$n]="$(median <<<"${cpu_list[$n]}")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "-" }'; }

echo
echo "Streamable HTTP tools/call echo: wrk -t1 -c$connections -d${duration}s --latency (median of $runs run(s); $(nproc) cores; load average at the end $(loadavg))"
printf '  %-18s %12s %10s %10s %12s %10s  %s\n' "server" "requests/s" "p50 ms" "p99 ms" "CPU us/req" "/ nginx" "note"
for n in "${names[@]}"; do
  vs_nginx="-"
  [[ -n "${m_rps[nginx]:-}" ]] && vs_nginx="$(ratio "${m_rps[$n]}" "${m_rps[nginx]}")"
  note=""
  [[ -n "${bad[$n]:-}" ]] && note="INVALID: ${bad[$n]}"
  printf '  %-18s %12s %10s %10s %12s %10s  %s\n' "${label[$n]}" "${m_rps[$n]}" "${m_p50[$n]}" "${m_p99[$n]}" "${m_cpu[$n]}" "$vs_nginx" "$note"
done
if [[ -n "${m_rps[nginx]:-}" ]]; then
  echo "  Ferry / nginx      $(ratio "${m_rps[ferry]}" "${m_rps[nginx]}")x requests/s (the goal: close to 1)"
  echo "  nginx / Ferry      $(ratio "${m_cpu[nginx]}" "${m_cpu[ferry]}")x CPU per request (server side only; the goal: close to 1)"
fi
if [[ -n "${m_rps[sdk]:-}" ]]; then
  echo "  Ferry / SDK        $(ratio "${m_rps[ferry]}" "${m_rps[sdk]}")x requests/s"
fi
echo "  Ferry metrics: $ferry_metrics"
if (( invalid )); then
  echo "  Some runs had errors (above): those results are not valid."
  exit 1
fi
