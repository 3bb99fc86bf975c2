// Bad input over stdio, without any SDK: raw lines go to the fixture server's stdin, and stdout is
// read as NDJSON. After every bad line the right JSON-RPC error must come back and the next valid
// request must still be answered. Run: FERRY_FIXTURE_SERVER=build/.../ferry_fixture_server
//   node --test --test-reporter=spec tests/interop/stdio_bad_input.test.mjs
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const SERVER = process.env.FERRY_FIXTURE_SERVER;
const WAIT_MS = 5000;        // any single response
const TEST_TIMEOUT_MS = 20_000;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;

// A JSON-RPC 2.0 message as a server may write it: a request, notification or response.
const isJsonRpc = (m) => m !== null && typeof m === 'object' && !Array.isArray(m) &&
  m.jsonrpc === '2.0' && ('method' in m || 'result' in m || 'error' in m);

// One fixture server process, spoken to in raw NDJSON.
class RawServer {
  constructor(extraArgs = []) {
    assert.ok(SERVER, 'set FERRY_FIXTURE_SERVER to the ferry_fixture_server binary');
    this.proc = spawn(SERVER, ['serve', '--stdio', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.messages = [];     // parsed stdout lines not yet taken by a test
    this.nonJson = [];      // stdout lines that are not JSON-RPC messages: must stay empty
    this.lineCount = 0;
    this.stderr = '';
    this.waiters = new Set();
    this.exit = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.proc.stdin.on('error', () => {}); // EPIPE after the server exits is reported by `exit`
    this.proc.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-65536); });
    this.pending = ''; // output after the last newline
    this.proc.stdout.setEncoding('utf8'); // decodes characters split across chunks correctly
    this.proc.stdout.on('data', (chunk) => {
      this.pending += chunk;
      let newline;
      while ((newline = this.pending.indexOf('\n')) >= 0) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        this.lineCount += 1;
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          this.nonJson.push(line);
          continue;
        }
        const batch = Array.isArray(message) ? message : [message];
        if (batch.length === 0 || !batch.every(isJsonRpc)) this.nonJson.push(line);
        this.messages.push(message);
      }
      for (const wake of this.waiters) wake();
    });
    this.nextId = 1000;
  }

  send(line) {
    this.proc.stdin.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n');
  }

  // Takes the first unread message matching `predicate`, waiting up to `timeoutMs`.
  async take(predicate, what, timeoutMs = WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex(predicate);
      if (index >= 0) return this.messages.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unread: ` +
          JSON.stringify(this.messages).slice(0, 2000));
      }
      // Sleep until more output arrives or the deadline passes.
      await new Promise((resolve) => {
        const done = () => { clearTimeout(timer); this.waiters.delete(done); resolve(); };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  // The next response (result or error), whatever its id: for bad lines whose id may be unknown.
  nextResponse(what) {
    return this.take((m) => !Array.isArray(m) && !('method' in m), what);
  }

  async request(method, params, id = this.nextId++) {
    const message = { jsonrpc: '2.0', id, method };
    if (params !== undefined) message.params = params;
    this.send(message);
    return this.take((m) => !Array.isArray(m) && m.id === id && !('method' in m), `response to ${method} #${id}`);
  }

  async initialize(protocolVersion = '2025-11-25') {
    const response = await this.request('initialize', {
      protocolVersion, capabilities: {}, clientInfo: { name: 'bad-input-test', version: '1.0.0' },
    });
    assert.ok(response.result, `initialize failed: ${JSON.stringify(response)}`);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return response.result;
  }

  // The server still answers: a ping round trip.
  async assertAlive() {
    const response = await this.request('ping');
    assert.deepEqual(response.result, {}, `ping after bad input: ${JSON.stringify(response)}`);
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.stdin.end();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await this.exit;
      clearTimeout(timer);
    }
  }
}

// Resolves to what `promise` gives, or to 'timeout' after `ms`; the timer is cleared either way so
// it does not keep the test process alive.
async function orTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Asserts `response` is a JSON-RPC error with one of `codes` and the given id.
function assertError(response, codes, id, label) {
  const text = `${label}: ${JSON.stringify(response)}`;
  assert.equal(response.jsonrpc, '2.0', text);
  assert.ok(response.error, `expected an error: ${text}`);
  assert.ok(!('result' in response), `error and result together: ${text}`);
  assert.ok([codes].flat().includes(response.error.code), `code not in ${[codes].flat()}: ${text}`);
  assert.equal(typeof response.error.message, 'string', text);
  assert.deepEqual(response.id, id, `id: ${text}`);
}

let servers = [];
function start(extraArgs) {
  const server = new RawServer(extraArgs);
  servers.push(server);
  return server;
}

// Every test: stdout carried only JSON-RPC messages, one per line, none left unterminated, and the
// server is shut down. Its stderr is printed when something went wrong.
afterEach(async () => {
  const current = servers;
  servers = [];
  await Promise.all(current.map((server) => server.stop()));
  for (const server of current) {
    if (server.nonJson.length) {
      process.stderr.write(`--- fixture server stderr ---\n${server.stderr}\n`);
      assert.deepEqual(server.nonJson, [], 'stdout lines that are not JSON-RPC messages');
    }
    assert.ok(server.lineCount > 0, 'the server wrote nothing to stdout');
    assert.equal(server.pending, '', 'stdout ends in an unterminated line');
  }
});

const it = (name, fn) => test(name, { timeout: TEST_TIMEOUT_MS }, async () => {
  try {
    await fn();
  } catch (error) {
    for (const server of servers) process.stderr.write(`--- fixture server stderr ---\n${server.stderr}\n`);
    throw error;
  }
});

describe('before initialization', () => {
  it('ping is answered with {}', async () => {
    const server = start();
    const response = await server.request('ping', undefined, 1);
    assert.deepEqual(response, { jsonrpc: '2.0', id: 1, result: {} });
  });

  it('other requests get an error with the same id, then initialize works', async () => {
    const server = start();
    const response = await server.request('tools/list', {}, 'early');
    // MCP: servers SHOULD NOT process requests other than ping before initialization.
    assert.ok(response.error, `tools/list before initialize was served: ${JSON.stringify(response)}`);
    assertError(response, [INVALID_REQUEST, METHOD_NOT_FOUND, -32000, -32002], 'early',
      'tools/list before initialize');
    await server.initialize();
    const list = await server.request('tools/list', {});
    assert.ok(Array.isArray(list.result?.tools), JSON.stringify(list));
  });
});

describe('malformed lines', () => {
  const cases = [
    ['garbage', 'this is not json', PARSE_ERROR, null],
    ['truncated JSON', '{"jsonrpc":"2.0","id":5,"method":"pi', PARSE_ERROR, null],
    ['invalid UTF-8 inside a string', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      [PARSE_ERROR, INVALID_REQUEST], null],
    ['a number', '42', INVALID_REQUEST, null],
    ['a string', '"ping"', INVALID_REQUEST, null],
    ['null', 'null', INVALID_REQUEST, null],
    ['true', 'true', INVALID_REQUEST, null],
    // JSON-RPC: the id MUST be Null when it could not be determined; where it can be read, echoing
    // it is what clients need to match the error, and is also accepted.
    ['missing jsonrpc', '{"id":11,"method":"ping"}', INVALID_REQUEST, [11, null]],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":12,"method":"ping"}', INVALID_REQUEST, [12, null]],
    ['jsonrpc as a number', '{"jsonrpc":2.0,"id":13,"method":"ping"}', INVALID_REQUEST, [13, null]],
    ['method not a string', '{"jsonrpc":"2.0","id":14,"method":42}', INVALID_REQUEST, [14, null]],
    ['no method, no result', '{"jsonrpc":"2.0","id":15}', INVALID_REQUEST, [15, null]],
    // MCP: a request id MUST be a string or an integer, and MUST NOT be null.
    ['id null', '{"jsonrpc":"2.0","id":null,"method":"ping"}', INVALID_REQUEST, null],
    ['id an object', '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', INVALID_REQUEST, null],
    ['id a boolean', '{"jsonrpc":"2.0","id":true,"method":"ping"}', INVALID_REQUEST, null],
    ['id an array', '{"jsonrpc":"2.0","id":[1],"method":"ping"}', INVALID_REQUEST, null],
    // JSON-RPC: params, when present, MUST be a structured value (object or array); a scalar makes
    // the Request object invalid (-32600); -32602 is also a fair reading.
    ['params a string', '{"jsonrpc":"2.0","id":16,"method":"ping","params":"x"}',
      [INVALID_REQUEST, INVALID_PARAMS], [16, null]],
    ['params a number', '{"jsonrpc":"2.0","id":17,"method":"tools/list","params":3}',
      [INVALID_REQUEST, INVALID_PARAMS], [17, null]],
  ];

  it('each gets the right error, and the next request is answered', async () => {
    const server = start();
    await server.initialize();
    for (const [label, line, codes, ids] of cases) {
      if (Buffer.isBuffer(line)) {
        server.proc.stdin.write(Buffer.concat([line, Buffer.from('\n')]));
      } else {
        server.send(line);
      }
      const response = await server.nextResponse(`the error for ${label}`);
      const expectedIds = ids === null ? [null] : ids;
      assert.ok(expectedIds.some((id) => response.id === id), `${label}: id ${JSON.stringify(response)}`);
      assertError(response, codes, response.id, label);
      await server.assertAlive();
    }
  });

  it('an empty line and whitespace are ignored', async () => {
    const server = start();
    await server.initialize();
    server.send('');
    server.send('   ');
    await server.assertAlive();
    assert.deepEqual(server.messages, [], 'a response to a blank line');
  });

  it('a response from the client with an unknown id is ignored', async () => {
    const server = start();
    await server.initialize();
    server.send({ jsonrpc: '2.0', id: 'never-sent', result: {} });
    server.send({ jsonrpc: '2.0', id: 'never-sent-2', error: { code: -1, message: 'x' } });
    await server.assertAlive();
    assert.deepEqual(server.messages, []);
  });
});

describe('well-formed but wrong requests', () => {
  it('unknown method is -32601 with the same id', async () => {
    const server = start();
    await server.initialize();
    assertError(await server.request('no/such/method', {}, 21), METHOD_NOT_FOUND, 21, 'unknown method');
    assertError(await server.request('no/such/method', undefined, 'str-id'), METHOD_NOT_FOUND, 'str-id',
      'unknown method, string id');
    await server.assertAlive();
  });

  it('tools/call with wrong param types is -32602', async () => {
    const server = start();
    await server.initialize();
    assertError(await server.request('tools/call', { name: 42, arguments: {} }, 22), INVALID_PARAMS, 22,
      'name not a string');
    assertError(await server.request('tools/call', { arguments: {} }, 23), INVALID_PARAMS, 23,
      'name missing');
    assertError(await server.request('tools/call', { name: 'fixture_echo', arguments: 'text' }, 24),
      INVALID_PARAMS, 24, 'arguments not an object');
    await server.assertAlive();
  });

  it('a notification method sent with an id is a request, and gets an error', async () => {
    const server = start();
    await server.initialize();
    const response = await server.request('notifications/initialized', undefined, 25);
    assert.ok(response.error, `expected an error: ${JSON.stringify(response)}`);
    assertError(response, response.error.code, 25, 'notification with an id');
    const cancelled = await server.request('notifications/cancelled', { requestId: 1 }, 26);
    assert.ok(cancelled.error, `expected an error: ${JSON.stringify(cancelled)}`);
    await server.assertAlive();
  });

  it('a duplicate id in flight is refused, and the first request still completes', async () => {
    const server = start();
    await server.initialize();
    const call = { name: 'slow', arguments: { steps: 10, delay_ms: 50 } };
    server.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: call });
    server.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: call });
    const refused = await server.take((m) => m.id === 'dup' && m.error, 'the duplicate id error');
    assertError(refused, INVALID_REQUEST, 'dup', 'duplicate id');
    assert.match(refused.error.message, /dup/, 'the message names the duplicate id');
    const first = await server.take((m) => m.id === 'dup' && m.result, 'the first request result');
    assert.notEqual(first.result.isError, true, JSON.stringify(first));
    assert.match(first.result.content[0].text, /done 10 steps/);
    // Once answered, the id is free again.
    const again = await server.request('ping', undefined, 'dup');
    assert.deepEqual(again.result, {});
  });
});

describe('max_message_size', () => {
  it('a 1 MB line over a 64 KiB limit is refused, and the server keeps serving', async () => {
    const server = start(['--set', 'protocol.max_message_size=65536']);
    await server.initialize();
    const small = await server.request('tools/call',
      { name: 'fixture_echo', arguments: { text: 'y'.repeat(60_000) } });
    assert.equal(small.result?.content?.[0]?.text?.length, 60_000, 'a message under the limit');

    const text = 'x'.repeat(1024 * 1024);
    server.send({ jsonrpc: '2.0', id: 'big', method: 'tools/call',
      params: { name: 'fixture_echo', arguments: { text } } });
    // Enforced while reading, so the id of the oversized message is never parsed.
    const response = await server.nextResponse('the error for the oversized line');
    assertError(response, [INVALID_REQUEST, PARSE_ERROR], null, 'oversized line');
    assert.match(response.error.message, /65536|max_message_size|64 ?KiB/i, 'the message names the limit');
    await server.assertAlive();
    const after = await server.request('tools/call', { name: 'fixture_echo', arguments: { text: 'ok' } });
    assert.equal(after.result?.content?.[0]?.text, 'ok');
  });
});

describe('JSON-RPC batches', () => {
  const batch = [
    { jsonrpc: '2.0', id: 'b1', method: 'ping' },
    { jsonrpc: '2.0', id: 'b2', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
    { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'none', progress: 1 } },
  ];

  it('are refused after negotiating 2025-11-25', async () => {
    const server = start();
    const init = await server.initialize('2025-11-25');
    assert.equal(init.protocolVersion, '2025-11-25');
    server.send(batch);
    // Batching was removed in 2025-06-18: one error for the whole line, or one per element.
    const response = await server.take(() => true, 'the answer to a batch');
    const errors = Array.isArray(response) ? response : [response];
    assert.ok(errors.length > 0);
    for (const e of errors) assert.ok(e.error && !('result' in e), `batch not refused: ${JSON.stringify(response)}`);
    if (!Array.isArray(response)) assertError(response, INVALID_REQUEST, null, 'batch');
    await server.assertAlive();
    // None of the batch's requests ran.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(server.messages.filter((m) => m.id === 'b2'), []);
  });

  it('are answered as an array after negotiating 2025-03-26', async () => {
    const server = start();
    const init = await server.initialize('2025-03-26');
    assert.equal(init.protocolVersion, '2025-03-26');
    server.send(batch);
    const response = await server.take((m) => Array.isArray(m), 'the batch response array');
    const byId = Object.fromEntries(response.map((r) => [r.id, r]));
    assert.equal(response.length, 2, `one response per request, none for the notification: ${JSON.stringify(response)}`);
    assert.deepEqual(byId.b1.result, {});
    assert.deepEqual(byId.b2.result.structuredContent, { sum: 3 });
    // JSON-RPC: an empty array is one Invalid Request error, not an empty array.
    server.send('[]');
    assertError(await server.nextResponse('the error for []'), INVALID_REQUEST, null, 'empty batch');
    await server.assertAlive();
  });

  it('old clients negotiate down: 2024-11-05 is accepted, an unknown version gets the latest', async () => {
    const old = start();
    assert.equal((await old.initialize('2024-11-05')).protocolVersion, '2024-11-05');
    const future = start();
    assert.equal((await future.initialize('2099-01-01')).protocolVersion, '2025-11-25');
  });
});

describe('end of input', () => {
  it('closing stdin makes the server exit 0', async () => {
    const server = start();
    await server.initialize();
    await server.assertAlive();
    const started = Date.now();
    server.proc.stdin.end();
    const exit = await orTimeout(server.exit, WAIT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after EOF (${Date.now() - started} ms)`);
  });

  it('closing stdin while a slow tool runs still exits 0 within a few seconds', async () => {
    const server = start();
    await server.initialize();
    // 30 s of work: the server must cancel it, not wait for it.
    server.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call',
      params: { name: 'slow', arguments: { steps: 600, delay_ms: 50 }, _meta: { progressToken: 'p' } } });
    await server.take((m) => m.method === 'notifications/progress', 'progress from the slow tool');
    const started = Date.now();
    server.proc.stdin.end();
    const exit = await orTimeout(server.exit, WAIT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after EOF (${Date.now() - started} ms)`);
  });
});
