// Memory of a Ferry server holding many open SSE streams (bench/sse_memory/run.sh starts the server
// and runs this). Plain Node (node:http), no packages; loopback only.
//
//   node streams.mjs --port PORT --pid PID [--streams 10000] [--wave 200] [--posts 2000]
//                    [--post-sessions 4] [--post-concurrency 16] [--cycles 1] [--deadline 140]
//                    [--idle-goal-mb 20] [--streams-goal-mb 512] [--json FILE]
//
// Phases, each measured from /proc/PID/status (VmRSS, VmHWM) and GET /metrics (ferry_sse_streams_open,
// ferry_sessions_active, ferry_connections_open, process_open_fds):
//   1. idle: before this script sends anything;
//   2. open: per stream, POST initialize (Mcp-Session-Id), POST notifications/initialized (202),
//      GET /mcp (200 text/event-stream) kept open, its priming event counted and, like everything
//      after it, discarded; `wave` streams at a time;
//   3. streams: all streams open, after a 2 s settle;
//   4. posts: while every stream stays open, `posts` tools/call echo {"text":"hi"} on the first
//      `post-sessions` sessions, `post-concurrency` in flight (each on its own keep-alive
//      connection, bound to one session: with the defaults, 4 in flight per session); every answer
//      is checked;
//   5. after: every stream closed by the client, every session DELETEd, a 3 s settle.
// With --cycles N, phases 2-5 run N times against the same server: RSS that does not grow in the
// later cycles is memory the server kept and reused (allocator caches), not a leak.
// Prints a table; writes the numbers as JSON with --json. Exit status 0 when every goal is met,
// 1 when one is missed or something failed, 2 on bad arguments. Stops by itself within --deadline
// seconds (then reports what it has and exits 1).

import http from 'node:http';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

// --- Arguments ---------------------------------------------------------------------------------
const opts = {
  port: 0, pid: 0, streams: 10000, wave: 200, posts: 2000, 'post-sessions': 4,
  'post-concurrency': 16, cycles: 1, deadline: 140, 'idle-goal-mb': 20, 'streams-goal-mb': 512,
  json: '', host: '127.0.0.1',
};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in opts) || i + 1 >= argv.length) {
      console.error(`streams.mjs: unknown option or missing value: ${argv[i]}`);
      process.exit(2);
    }
    opts[k] = typeof opts[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
    if (typeof opts[k] === 'number' && !(Number.isFinite(opts[k]) && opts[k] >= 0)) {
      console.error(`streams.mjs: --${k} wants a number`);
      process.exit(2);
    }
  }
  if (!opts.port || !opts.pid) {
    console.error('streams.mjs: --port and --pid are required');
    process.exit(2);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    console.error('streams.mjs: loopback only');
    process.exit(2);
  }
  for (const k of ['streams', 'wave', 'post-sessions', 'post-concurrency', 'cycles']) opts[k] = Math.max(1, opts[k]);
}

const PROTOCOL = '2025-11-25';
const t0 = performance.now();
const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1);
const log = (msg) => console.log(`sse_memory: [${elapsed()} s] ${msg}`);
const mb = (kb) => (kb == null ? '-' : (kb / 1024).toFixed(1));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const json = (o) => JSON.stringify(o);

// --- Results and the deadline --------------------------------------------------------------------
const result = { options: opts, idle: null, cycles: [], client_rss_mb: null, problems: [], goals: {} };
let cur = null;  // the cycle being run (an entry of result.cycles)
const newCycle = () => ({
  streams_opened: 0, primed: 0, open_failures: {}, open_seconds: null, unexpected_stream_ends: 0,
  streams: null, posts_phase: null, after: null,
  posts: { sent: 0, ok: 0, failed: 0, failures: {}, sessions: 0, p50_ms: null, p99_ms: null,
           max_ms: null, seconds: null },
  delete: { sent: 0, ok: 0, failures: {} },
});
const problem = (msg) => {
  if (finished) return;  // work still in flight after the report: not part of it
  result.problems.push(msg);
  log(`PROBLEM: ${msg}`);
};
const countFailure = (map, key) => { map[key] = (map[key] || 0) + 1; };

let finished = false;
const deadlineTimer = setTimeout(() => {
  problem(`deadline of ${opts.deadline} s reached; stopping with what was measured`);
  finish(1);
}, opts.deadline * 1000);

// --- Connections ---------------------------------------------------------------------------------
// Per cycle: POSTs (initialize, initialized) and DELETEs share a keep-alive pool, the echo POSTs
// have their own (post-concurrency connections), and every GET stream holds its own connection.
// /metrics gets a fresh connection each time, closed after.
let postAgent, echoAgent, streamAgent;
const metricsAgent = new http.Agent({ keepAlive: false });
function newAgents() {
  postAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  echoAgent = new http.Agent({ keepAlive: true, maxSockets: opts['post-concurrency'] });
  streamAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
}
function destroyAgents() {
  for (const a of [postAgent, echoAgent, streamAgent]) a?.destroy();
}

function request(method, path, headers, body, agent, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request({ host: opts.host, port: opts.port, path, method, headers, agent });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.code || e.message, ms: performance.now() - start }));
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
                                    body: Buffer.concat(chunks).toString('utf8'),
                                    ms: performance.now() - start }));
      res.on('error', (e) => resolve({ status: 0, error: e.code || e.message, ms: performance.now() - start }));
    });
    if (body !== undefined) req.end(body); else req.end();
  });
}

// --- Measurements --------------------------------------------------------------------------------
function procStatus() {
  try {
    const s = fs.readFileSync(`/proc/${opts.pid}/status`, 'utf8');
    const kb = (name) => {
      const m = s.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
      return m ? Number(m[1]) : null;
    };
    const threads = s.match(/^Threads:\s+(\d+)/m);
    return { rss_kb: kb('VmRSS'), hwm_kb: kb('VmHWM'), anon_kb: kb('RssAnon'),
             threads: threads ? Number(threads[1]) : null };
  } catch (e) {
    return { rss_kb: null, hwm_kb: null, anon_kb: null, threads: null, error: e.code || String(e) };
  }
}
const serverGone = () => procStatus().rss_kb == null;

async function metrics() {
  const r = await request('GET', '/metrics', {}, undefined, metricsAgent, 10000);
  if (r.status !== 200) return { error: r.error || `HTTP ${r.status}` };
  // The sum over every series of the metric (labelled or not); null when it has none.
  const gauge = (name) => {
    let sum = null;
    for (const m of r.body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'gm'))) {
      sum = (sum ?? 0) + Number(m[1]);
    }
    return sum;
  };
  const rejections = {};
  for (const m of r.body.matchAll(/^ferry_http_rejections_total\{[^}]*reason="([^"]*)"[^}]*\}\s+([0-9.eE+-]+)/gm)) {
    if (Number(m[2])) rejections[m[1]] = (rejections[m[1]] || 0) + Number(m[2]);
  }
  return { sse_streams_open: gauge('ferry_sse_streams_open'), sessions_active: gauge('ferry_sessions_active'),
           connections_open: gauge('ferry_connections_open'), open_fds: gauge('process_open_fds'),
           process_rss_bytes: gauge('process_resident_memory_bytes'),
           sse_events_dropped: gauge('ferry_sse_events_dropped_total'), rejections };
}

async function snapshot(label) {
  const p = procStatus();
  const m = await metrics();
  const snap = { ...p, metrics: m, at_s: Number(elapsed()) };
  log(`${label}: VmRSS ${mb(p.rss_kb)} MB (peak ${mb(p.hwm_kb)} MB, ${p.threads ?? '-'} threads); ` +
      `ferry_sse_streams_open ${m.sse_streams_open ?? m.error}, ferry_sessions_active ${m.sessions_active ?? m.error}, ` +
      `connections ${m.connections_open ?? '-'}, fds ${m.open_fds ?? '-'}` +
      (m.rejections && Object.keys(m.rejections).length ? `, HTTP rejections ${json(m.rejections)}` : ''));
  return snap;
}

// --- Sessions and streams ------------------------------------------------------------------------
const initBody = json({ jsonrpc: '2.0', id: 1, method: 'initialize',
                        params: { protocolVersion: PROTOCOL, capabilities: {},
                                  clientInfo: { name: 'mem', version: '1' } } });
const initializedBody = json({ jsonrpc: '2.0', method: 'notifications/initialized' });
const postHeaders = (sid) => {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  if (sid) { h['Mcp-Session-Id'] = sid; h['MCP-Protocol-Version'] = PROTOCOL; }
  return h;
};

let sessions = [];        // this cycle's session ids, in the order they were made
let streams = new Map();  // session id -> { req, closedByUs }

// A GET stream: open, and resolved, once its 200 text/event-stream response head has arrived. Its
// priming event (retry:/id:, sent when the server keeps an event store) is counted when it comes;
// everything on it (priming, keepalive comments, messages) is read and discarded.
function openStream(sid) {
  const cycle = cur;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: opts.host, port: opts.port, path: '/mcp', method: 'GET',
                               agent: streamAgent,
                               headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': sid,
                                          'MCP-Protocol-Version': PROTOCOL } });
    let open = false;
    let primed = false;
    const timer = setTimeout(() => { if (!open) req.destroy(new Error('no response head in 15 s')); }, 15000);
    const st = { req, closedByUs: false };
    req.on('error', (e) => {
      clearTimeout(timer);
      if (!open) reject(new Error(e.code || e.message));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const ctype = String(res.headers['content-type'] || '');
      if (res.statusCode !== 200 || !ctype.startsWith('text/event-stream')) {
        res.resume();
        req.destroy();
        reject(new Error(`GET ${res.statusCode} ${ctype || '-'}`));
        return;
      }
      open = true;
      streams.set(sid, st);
      resolve();
      let head = '';
      res.on('data', (c) => {
        if (primed) return;
        head += c.toString('utf8');
        if (/(^|\n)(retry|id):/.test(head) && head.includes('\n\n')) {
          primed = true;
          cycle.primed++;
          head = '';
        }
      });
      let over = false;
      const ended = (why) => {
        if (over) return;
        over = true;
        if (!st.closedByUs) {
          cycle.unexpected_stream_ends++;
          if (cycle.unexpected_stream_ends <= 5) problem(`stream of session ${sid} ended by the server (${why})`);
        }
      };
      res.on('end', () => ended('end'));
      res.on('close', () => ended('close'));
      res.on('error', (e) => ended(e.code || e.message));
    });
    req.end();
  });
}

async function openOne() {
  const init = await request('POST', '/mcp', postHeaders(null), initBody, postAgent);
  const sid = init.headers && init.headers['mcp-session-id'];
  if (init.status !== 200 || !sid) throw new Error(`initialize ${init.status || init.error}${sid ? '' : ' (no Mcp-Session-Id)'}`);
  sessions.push(sid);
  const note = await request('POST', '/mcp', postHeaders(sid), initializedBody, postAgent);
  if (note.status !== 202) throw new Error(`notifications/initialized ${note.status || note.error}`);
  await openStream(sid);
}

function closeStreams() {
  for (const st of streams.values()) { st.closedByUs = true; st.req.destroy(); }
  streams = new Map();
}

// --- The echo POSTs ------------------------------------------------------------------------------
function checkEcho(r, id) {
  if (r.status !== 200) return `HTTP ${r.status || r.error}`;
  let msg = null;
  const ctype = String(r.headers['content-type'] || '');
  try {
    if (ctype.startsWith('application/json')) {
      msg = JSON.parse(r.body);
    } else if (ctype.startsWith('text/event-stream')) {
      for (const ev of r.body.split(/\r?\n\r?\n/)) {
        const data = ev.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (!data) continue;
        const m = JSON.parse(data);
        if (m.id === id) { msg = m; break; }
      }
    } else {
      return `content-type ${ctype || '-'}`;
    }
  } catch {
    return 'unparsable body';
  }
  if (!msg) return 'no response message';
  if (msg.jsonrpc !== '2.0' || msg.id !== id) return 'wrong id';
  if (msg.error) return `JSON-RPC error ${msg.error.code}`;
  const c = msg.result && msg.result.content;
  if (msg.result?.isError || !Array.isArray(c) || c.length !== 1 || c[0].type !== 'text' || c[0].text !== 'hi') {
    return 'wrong result';
  }
  return null;
}

async function runPosts() {
  const P = cur.posts;
  const targets = sessions.filter((s) => streams.has(s)).slice(0, opts['post-sessions']);
  if (!targets.length) { problem('no session with an open stream to POST on'); return; }
  P.sessions = targets.length;
  const lat = [];
  let next = 0;
  const start = performance.now();
  // Worker w always POSTs on session w mod sessions: with post-sessions >= post-concurrency no
  // session has two POSTs in flight at once; with fewer sessions, several do (as a client that
  // pipelines on one session over several connections would).
  const worker = async (w) => {
    const sid = targets[w % targets.length];
    while (!finished) {
      const n = next++;
      if (n >= opts.posts) return;
      const id = 1000 + n;
      const body = json({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
      P.sent++;
      const r = await request('POST', '/mcp', postHeaders(sid), body, echoAgent, 10000);
      const bad = checkEcho(r, id);
      if (bad) {
        P.failed++;
        countFailure(P.failures, bad);
        if (P.failed <= 3) problem(`tools/call id ${id} on ${sid}: ${bad}: ${String(r.body || '').slice(0, 200)}`);
      } else {
        P.ok++;
        lat.push(r.ms);
      }
    }
  };
  await Promise.all(Array.from({ length: opts['post-concurrency'] }, (_, w) => worker(w)));
  P.seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] : null);
  P.p50_ms = pct(0.5);
  P.p99_ms = pct(0.99);
  P.max_ms = lat.length ? lat[lat.length - 1] : null;
}

// --- One cycle: open, measure, POST, close, DELETE, measure. -------------------------------------
// Returns false when the run cannot go on (server gone, deadline).
async function runCycle(k) {
  cur = newCycle();
  result.cycles.push(cur);
  newAgents();
  sessions = [];
  const tag = opts.cycles > 1 ? `cycle ${k}: ` : '';

  const openStart = performance.now();
  let lastReport = performance.now();
  for (let done = 0; done < opts.streams && !finished; ) {
    const n = Math.min(opts.wave, opts.streams - done);
    const outcomes = await Promise.allSettled(Array.from({ length: n }, openOne));
    done += n;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') cur.streams_opened++;
      else countFailure(cur.open_failures, o.reason.message);
    }
    const failures = done - cur.streams_opened;
    if (performance.now() - lastReport > 5000 || done >= opts.streams) {
      lastReport = performance.now();
      log(`${tag}opened ${cur.streams_opened}/${opts.streams} streams (${failures} failed), server VmRSS ${mb(procStatus().rss_kb)} MB`);
    }
    if (failures > 100) { problem(`over 100 streams failed to open: ${json(cur.open_failures)}`); break; }
    if (serverGone()) { problem('the server process is gone'); return false; }
  }
  cur.open_seconds = (performance.now() - openStart) / 1000;
  if (finished) return false;
  await sleep(2000);
  cur.streams = await snapshot(`${tag}${cur.streams_opened} streams open`);
  if (cur.streams.metrics.sse_streams_open != null && cur.streams.metrics.sse_streams_open < cur.streams_opened) {
    problem(`ferry_sse_streams_open ${cur.streams.metrics.sse_streams_open} < ${cur.streams_opened} streams open on the client`);
  }

  log(`${tag}${opts.posts} tools/call echo POSTs on ${opts['post-sessions']} sessions, ${opts['post-concurrency']} in flight`);
  await runPosts();
  if (finished) return false;
  echoAgent.destroy();
  cur.posts_phase = await snapshot(`${tag}after the POSTs (streams still open: ${streams.size - cur.unexpected_stream_ends})`);
  if (serverGone()) { problem('the server process is gone'); return false; }

  // Close every stream, wait for the server to see it, then DELETE every session.
  closeStreams();
  streamAgent.destroy();
  let m = {};
  for (let i = 0; i < 100 && !finished; i++) {
    m = await metrics();
    if (m.sse_streams_open === 0) break;
    await sleep(200);
  }
  if (m.sse_streams_open !== 0) problem(`ferry_sse_streams_open still ${m.sse_streams_open ?? m.error} 20 s after the client closed every stream`);
  log(`${tag}streams closed (ferry_sse_streams_open ${m.sse_streams_open ?? m.error}); DELETEing ${sessions.length} sessions`);
  const D = cur.delete;
  for (let i = 0; i < sessions.length && !finished; i += opts.wave) {
    await Promise.all(sessions.slice(i, i + opts.wave).map(async (sid) => {
      D.sent++;
      const r = await request('DELETE', '/mcp', { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': PROTOCOL }, undefined, postAgent);
      if (r.status === 200 || r.status === 204) D.ok++;
      else countFailure(D.failures, String(r.status || r.error));
    }));
  }
  if (finished) return false;
  if (D.ok !== D.sent) problem(`${D.sent - D.ok} DELETEs failed: ${json(D.failures)}`);
  destroyAgents();  // the server's side of the keep-alive connections goes too
  await sleep(3000);
  cur.after = await snapshot(`${tag}streams closed, sessions deleted`);
  if (cur.after.metrics.sessions_active !== 0) problem(`ferry_sessions_active ${cur.after.metrics.sessions_active ?? cur.after.metrics.error} after every session was DELETEd`);
  return !serverGone();
}

// --- Report ------------------------------------------------------------------------------------
function finish(code) {
  if (finished) return;
  finished = true;
  clearTimeout(deadlineTimer);
  result.client_rss_mb = Number((process.memoryUsage().rss / 1048576).toFixed(1));
  const C = result.cycles;
  const idleKb = result.idle?.rss_kb ?? null;
  const g = result.goals;
  const peakKb = Math.max(0, ...C.flatMap((c) => [c.streams?.rss_kb ?? 0, c.posts_phase?.rss_kb ?? 0])) || null;
  const allOpened = C.length === opts.cycles && C.every((c) => c.streams_opened >= opts.streams);
  g.idle_under_goal = idleKb != null && idleKb < opts['idle-goal-mb'] * 1024;
  g.all_streams_opened_and_kept = allOpened && C.every((c) => c.unexpected_stream_ends === 0);
  g.streams_under_goal = allOpened && peakKb != null && peakKb < opts['streams-goal-mb'] * 1024;
  g.posts_all_ok = C.length === opts.cycles && C.every((c) => c.posts.ok === opts.posts && c.posts.failed === 0);
  const ok = code === 0 && Object.values(g).every(Boolean) && result.problems.length === 0;

  const row = (name, s, extra = '') => {
    const m = s?.metrics || {};
    console.log(`  ${name.padEnd(36)} ${mb(s?.rss_kb).padStart(8)} ${mb(s?.hwm_kb).padStart(8)} ` +
                `${String(m.sse_streams_open ?? '-').padStart(8)} ${String(m.sessions_active ?? '-').padStart(9)}  ${extra}`);
  };
  const perStream = (c, s) => (s?.rss_kb != null && idleKb != null && c.streams_opened
    ? `${((s.rss_kb - idleKb) / c.streams_opened).toFixed(1)} KB/stream over idle` : '');
  console.log('');
  console.log(`Ferry memory with ${opts.streams} open SSE streams (server pid ${opts.pid}, 127.0.0.1:${opts.port})`);
  console.log(`  ${'phase'.padEnd(36)} ${'RSS MB'.padStart(8)} ${'peak MB'.padStart(8)} ${'streams'.padStart(8)} ${'sessions'.padStart(9)}`);
  row('idle (fresh start)', result.idle, `goal < ${opts['idle-goal-mb']} MB: ${g.idle_under_goal ? 'met' : 'MISSED'}`);
  C.forEach((c, i) => {
    const tag = opts.cycles > 1 ? `${i + 1}: ` : '';
    row(`${tag}${c.streams_opened} streams open`, c.streams,
        `goal < ${opts['streams-goal-mb']} MB: ${c.streams?.rss_kb != null && c.streams_opened >= opts.streams &&
          c.streams.rss_kb < opts['streams-goal-mb'] * 1024 ? 'met' : 'MISSED'}; ${perStream(c, c.streams)}`);
    row(`${tag}  + ${c.posts.sent} echo POSTs`, c.posts_phase, perStream(c, c.posts_phase));
    const grown = c.streams?.rss_kb != null && idleKb != null ? c.streams.rss_kb - idleKb : null;
    row(`${tag}streams closed, sessions DELETEd`, c.after,
        c.after?.rss_kb != null && grown ? `${Math.round(100 * (c.streams.rss_kb - c.after.rss_kb) / Math.max(1, grown))}% of the growth given back` : '');
  });
  C.forEach((c, i) => {
    const tag = opts.cycles > 1 ? `cycle ${i + 1}: ` : '';
    const p = c.posts;
    console.log(`  ${tag}streams opened: ${c.streams_opened}/${opts.streams}` +
                (c.open_seconds != null ? ` in ${c.open_seconds.toFixed(1)} s (waves of ${opts.wave})` : '') +
                `; priming events received: ${c.primed}` +
                `; ended early by the server: ${c.unexpected_stream_ends}` +
                (Object.keys(c.open_failures).length ? `; open failures: ${json(c.open_failures)}` : ''));
    console.log(`  ${tag}echo POSTs while streams open: ${p.ok}/${opts.posts} correct on ${p.sessions} sessions, ` +
                `${opts['post-concurrency']} in flight; latency p50 ${p.p50_ms?.toFixed(2) ?? '-'} ms, ` +
                `p99 ${p.p99_ms?.toFixed(2) ?? '-'} ms, max ${p.max_ms?.toFixed(2) ?? '-'} ms` +
                (p.seconds ? ` (${(p.ok / p.seconds).toFixed(0)} req/s)` : '') +
                (p.failed ? `; FAILED ${p.failed}: ${json(p.failures)}` : ''));
    console.log(`  ${tag}DELETE: ${c.delete.ok}/${c.delete.sent} answered 200/204` +
                (Object.keys(c.delete.failures).length ? ` (${json(c.delete.failures)})` : ''));
  });
  // Not a goal of the issue, but worth a line: how much of what the streams took came back.
  for (const [i, c] of C.entries()) {
    if (c.after?.rss_kb == null || c.streams?.rss_kb == null || idleKb == null) continue;
    const back = (c.streams.rss_kb - c.after.rss_kb) / Math.max(1, c.streams.rss_kb - idleKb);
    if (back < 0.5) {
      console.log(`  note: ${opts.cycles > 1 ? `cycle ${i + 1}: ` : ''}RSS stayed at ${mb(c.after.rss_kb)} MB after every stream ` +
                  `and session ended (${Math.round(100 * back)}% of the growth given back)`);
    }
  }
  console.log(`  client (node) RSS ${result.client_rss_mb} MB`);
  if (result.problems.length) console.log(`  problems: ${result.problems.length} (first: ${result.problems[0]})`);
  console.log(`  result: ${ok ? 'all goals met' : `GOAL MISSED or FAILED (${Object.entries(g).filter(([, v]) => !v).map(([k]) => k).join(', ') || 'see problems'})`}`);
  if (opts.json) {
    try { fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n'); } catch (e) { console.error(e); }
  }
  // Close every socket without waiting (the server sees the streams end), then leave.
  closeStreams();
  destroyAgents();
  process.exitCode = ok ? 0 : 1;
  setTimeout(() => process.exit(ok ? 0 : 1), 200).unref();
}

// --- Main --------------------------------------------------------------------------------------
async function main() {
  result.idle = await snapshot('idle');
  if (result.idle.rss_kb == null) { problem(`cannot read /proc/${opts.pid}/status`); return finish(1); }
  for (let k = 1; k <= opts.cycles; k++) {
    if (!(await runCycle(k))) return finish(1);
  }
  finish(0);
}

main().catch((e) => { problem(`unexpected: ${e.stack || e}`); finish(1); });
