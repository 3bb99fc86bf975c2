// Shared by the interop tests: the fixture server's process over HTTP, small helpers, and the one
// exercise the official TypeScript SDK client runs against every transport (stdio, Streamable HTTP
// stateful and stateless, legacy HTTP+SSE). Each *.test.mjs file supplies how to connect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

export const SERVER = process.env.FERRY_FIXTURE_SERVER;
export const REQUEST_TIMEOUT_MS = 10_000; // every request is bounded; the SDK's default is 60 s
export const TEST_TIMEOUT_MS = 20_000;
export const opts = (extra = {}) => ({ timeout: REQUEST_TIMEOUT_MS, ...extra });

const FIXTURE_TOOLS = ['fixture_echo', 'add', 'image', 'fail', 'slow', 'slow_status', 'log', 'sample',
  'elicit', 'roots', 'touch'];
const PAD_TOOLS = Array.from({ length: 60 }, (_, i) => `pad_${String(i + 1).padStart(2, '0')}`);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BLOB_BASE64 = Buffer.from([...Array(16).keys()]).toString('base64');

// Polls `predicate` every 10 ms until it returns a truthy value, or fails naming `what`.
export async function waitFor(predicate, what, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves to what `promise` gives, or to 'timeout' after `ms`; the timer is cleared either way so
// it does not keep the test process alive.
export async function orTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Wraps an SDK client transport to keep every message that crossed it, so tests can check what
// went over the wire (the negotiated version, requests the server must not have sent).
export class RecordingTransport {
  constructor(inner) {
    this.inner = inner;
    this.sent = [];
    this.received = [];
  }
  async start() {
    this.inner.onmessage = (message, extra) => {
      this.received.push(message);
      this.onmessage?.(message, extra);
    };
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    return this.inner.start();
  }
  async send(message, options) {
    this.sent.push(message);
    return this.inner.send(message, options);
  }
  async close() { return this.inner.close(); }
  // The HTTP transports keep the session id and send MCP-Protocol-Version once it is negotiated.
  get sessionId() { return this.inner.sessionId; }
  setProtocolVersion(version) { this.inner.setProtocolVersion?.(version); }
}

// Every fixture server process these tests start, so none outlives the test process.
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// A fixture server serving HTTP on 127.0.0.1 (port 0: the OS picks one, read back from the log
// line). Its stderr is kept (last 64 KiB) for failure reports.
export class HttpServerProcess {
  constructor(proc) {
    this.proc = proc;
    this.pid = proc.pid;
    this.stderr = '';
    this.port = 0;
    this.exit = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        children.delete(proc);
        resolve({ code, signal });
      });
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-65536); });
  }

  static async start(args = [], { timeoutMs = 10_000 } = {}) {
    assert.ok(SERVER, 'set FERRY_FIXTURE_SERVER to the ferry_fixture_server binary');
    const proc = spawn(SERVER, ['serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(proc);
    const server = new HttpServerProcess(proc);
    const listening = /serving MCP over HTTP on http:\/\/127\.0\.0\.1:(\d+)\/mcp/;
    const port = await orTimeout(new Promise((resolve) => {
      const look = () => {
        const match = listening.exec(server.stderr);
        if (match) {
          proc.stderr.off('data', look);
          resolve(Number(match[1]));
        }
      };
      proc.stderr.on('data', look);
      server.exit.then(() => resolve(null));
    }), timeoutMs);
    if (typeof port !== 'number') {
      proc.kill('SIGKILL');
      throw new Error(`the fixture server did not start serving HTTP (${port}); stderr:\n${server.stderr}`);
    }
    server.port = port;
    return server;
  }

  get origin() { return `http://127.0.0.1:${this.port}`; }
  get url() { return `${this.origin}/mcp`; }
  get running() { return this.proc.exitCode === null && this.proc.signalCode === null; }

  // SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. Resolves to { code, signal }.
  async stop(timeoutMs = 15_000) {
    if (this.running) this.proc.kill('SIGTERM');
    const exit = await orTimeout(this.exit, timeoutMs);
    if (exit !== 'timeout') return exit;
    this.proc.kill('SIGKILL');
    await this.exit;
    return { code: null, signal: 'SIGKILL (did not exit after SIGTERM)' };
  }
}

// Runs a test body and remembers failures, so `after` can show the server's stderr.
// A fixture server started with `serverArgs` and an SDK client connected to it over Streamable
// HTTP through a RecordingTransport (so tests can read the raw messages). Close with closeSession.
export async function openHttpSession(clientName, serverArgs) {
  const server = await HttpServerProcess.start(serverArgs);
  const transport = new RecordingTransport(new StreamableHTTPClientTransport(new URL(server.url)));
  const client = new Client({ name: clientName, version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport, opts());
  return { server, client, transport };
}

// Closes the client, stops the server and checks that it exited cleanly.
export async function closeHttpSession(session) {
  await session?.client?.close();
  if (session?.server) {
    const exit = await session.server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, session.server.stderr);
  }
}

// Every tool the server lists, following nextCursor across pages.
export async function listAllTools(client) {
  const all = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, opts());
    all.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export function check(state, name, fn) {
  test(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      state.failed = true;
      throw error;
    }
  });
}

export async function rejectsWithCode(promise, code, messagePattern) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof McpError, `expected McpError, got ${error}`);
    assert.equal(error.code, code, `error code (message: ${error.message})`);
    if (messagePattern) assert.match(error.message, messagePattern);
    return true;
  });
}

export const textOf = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');

// The exercise every transport runs. `connect(capabilities, setup)` starts a server, connects an
// SDK client with those capabilities (after `setup(client)` registered its handlers) and resolves
// to { client, transport (a RecordingTransport), stderr (getter), close() }.
//
// `stateless`: the server keeps no session between requests (Streamable HTTP, --stateless). Then
// nothing outlives the request that caused it, so the tests that need a session (cancelling by
// notification, subscriptions, list_changed and setLevel, server-to-client requests, which the
// client answers in a separate POST) check what the stateless server must do instead: serve the
// same calls, and refuse sampling, elicitation and roots as tool errors at once.
export function defineInteropSuites({ title, connect, stateless = false }) {
  describe(title, () => {
    const state = { failed: false };
    let s; // the session: { client, transport, stderr, close }
    const samplingRequests = [];
    const elicitRequests = [];
    let rootsRequests = 0;
    const logs = [];
    const updates = [];
    let toolListChanges = 0;

    before(async () => {
      s = await connect({ sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
        (client) => {
          client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
            samplingRequests.push(request.params);
            const text = request.params.messages[0].content.text;
            return { model: 'interop-test-model', role: 'assistant',
              content: { type: 'text', text: `sampled: ${text}` } };
          });
          client.setRequestHandler(ElicitRequestSchema, async (request) => {
            elicitRequests.push(request.params);
            return { action: 'accept', content: { name: 'Ada' } };
          });
          client.setRequestHandler(ListRootsRequestSchema, async () => {
            rootsRequests += 1;
            return { roots: [{ uri: 'file:///tmp/ferry-interop-root', name: 'interop root' }] };
          });
          client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
          client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params));
          client.setNotificationHandler(ToolListChangedNotificationSchema, () => { toolListChanges += 1; });
        });
    });

    after(async () => {
      if (state.failed && s) process.stderr.write(`--- fixture server stderr ---\n${s.stderr}\n`);
      await s?.close();
    });

    check(state, 'initialize: server info, capabilities, protocol version 2025-11-25', () => {
      const init = s.transport.received.find((m) => m.id === s.transport.sent[0].id);
      assert.equal(s.transport.sent[0].method, 'initialize');
      assert.equal(init.result.protocolVersion, '2025-11-25');
      const info = s.client.getServerVersion();
      assert.equal(typeof info.name, 'string');
      assert.ok(info.name.length > 0, 'serverInfo.name is empty');
      assert.equal(typeof info.version, 'string');
      const caps = s.client.getServerCapabilities();
      for (const capability of ['tools', 'resources', 'prompts', 'logging', 'completions']) {
        assert.ok(caps[capability], `capability ${capability} missing: ${JSON.stringify(caps)}`);
      }
      if (!stateless) assert.equal(caps.resources.subscribe, true, 'resources.subscribe');
    });

    check(state, 'ping', async () => {
      assert.deepEqual(await s.client.ping(opts()), {});
    });

    check(state, 'tools/list pages through every tool without duplicates', async () => {
      const all = [];
      let cursor;
      let pages = 0;
      do {
        const page = await s.client.listTools(cursor === undefined ? {} : { cursor }, opts());
        pages += 1;
        assert.ok(pages <= 20, 'more than 20 pages: the cursor does not advance');
        all.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      const names = all.map((t) => t.name);
      assert.ok(pages >= 2, `expected several pages at page size 50, got ${pages} for ${names.length} tools`);
      assert.equal(new Set(names).size, names.length, `duplicate tools: ${names}`);
      for (const name of [...FIXTURE_TOOLS, ...PAD_TOOLS, 'echo']) {
        assert.ok(names.includes(name), `tool ${name} missing from tools/list`);
      }
      const add = all.find((t) => t.name === 'add');
      assert.equal(add.inputSchema.type, 'object');
      assert.deepEqual(add.inputSchema.required, ['a', 'b']);
      assert.equal(add.outputSchema.properties.sum.type, 'number');
      assert.equal(add.annotations?.readOnlyHint, true);
      // The SDK caches output-schema validators per listTools call and clears them on the next page,
      // so give it the whole list for the structured-output test below.
      s.client.cacheToolMetadata(all);
      assert.ok(s.client.getToolOutputValidator('add'), 'SDK has no validator for add');
    });

    check(state, 'tools/call returns text', async () => {
      const result = await s.client.callTool({ name: 'fixture_echo', arguments: { text: 'héllo ✓' } },
        undefined, opts());
      assert.notEqual(result.isError, true);
      assert.deepEqual(result.content, [{ type: 'text', text: 'héllo ✓' }]);
    });

    check(state, 'tools/call of the built-in diagnostics echo', async () => {
      const result = await s.client.callTool({ name: 'echo', arguments: { text: 'built-in' } },
        undefined, opts());
      assert.notEqual(result.isError, true);
      assert.match(textOf(result), /built-in/);
    });

    check(state, 'tools/call returns an image', async () => {
      const result = await s.client.callTool({ name: 'image', arguments: {} }, undefined, opts());
      assert.equal(result.content.length, 1);
      const [image] = result.content;
      assert.equal(image.type, 'image');
      assert.equal(image.mimeType, 'image/png');
      const png = Buffer.from(image.data, 'base64');
      assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'not a PNG');
      assert.equal(png.readUInt32BE(16), 4, 'width');
      assert.equal(png.readUInt32BE(20), 4, 'height');
    });

    check(state, 'tools/call returns structured content that the SDK validates', async () => {
      // Set by the tools/list test above; without it callTool would skip the validation.
      assert.ok(s.client.getToolOutputValidator('add'), 'no output validator: run the tools/list test');
      const result = await s.client.callTool({ name: 'add', arguments: { a: 2, b: 3.5 } },
        undefined, opts());
      assert.notEqual(result.isError, true);
      assert.deepEqual(result.structuredContent, { sum: 5.5 });
      // Backwards compatibility (spec): the structured result also comes as serialized JSON text.
      assert.deepEqual(JSON.parse(textOf(result)), { sum: 5.5 });
    });

    check(state, 'a failing tool gives an isError result, not a JSON-RPC error', async () => {
      const result = await s.client.callTool({ name: 'fail', arguments: {} }, undefined, opts());
      assert.equal(result.isError, true);
      assert.match(textOf(result), /always fails/);
    });

    check(state, 'invalid arguments give an isError result naming the problem', async () => {
      // MCP 2025-11-25: input validation errors are tool execution errors, so the model can see them.
      const wrongType = await s.client.callTool({ name: 'fixture_echo', arguments: { text: 42 } },
        undefined, opts());
      assert.equal(wrongType.isError, true, JSON.stringify(wrongType));
      assert.match(textOf(wrongType), /text/);
      const missing = await s.client.callTool({ name: 'add', arguments: { a: 1 } }, undefined, opts());
      assert.equal(missing.isError, true, JSON.stringify(missing));
      assert.match(textOf(missing), /\bb\b/);
    });

    check(state, 'an unknown tool is a JSON-RPC error', async () => {
      // The spec's example answers an unknown tool with -32602 (invalid params).
      await rejectsWithCode(s.client.callTool({ name: 'no_such_tool', arguments: {} }, undefined, opts()),
        -32602, /no_such_tool/);
    });

    check(state, 'progress notifications arrive with increasing values', async () => {
      const seen = [];
      const result = await s.client.callTool({ name: 'slow', arguments: { steps: 5, delay_ms: 20 } },
        undefined, opts({ onprogress: (p) => seen.push(p) }));
      assert.notEqual(result.isError, true, textOf(result));
      // What the SDK passed to onprogress: increasing. The SDK runs notification handlers a
      // microtask late, so it drops a progress notification that arrives in the same read as the
      // response (here often the last one); the wire check below covers all of them.
      assert.ok(seen.length >= 2, `onprogress calls: ${JSON.stringify(seen)}`);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i].progress > seen[i - 1].progress, `not increasing: ${JSON.stringify(seen)}`);
      }
      // On the wire: one notification per step, in order, all before the response.
      const request = s.transport.sent.findLast((m) => m.method === 'tools/call' && m.params.name === 'slow');
      const token = request.params._meta.progressToken;
      const responseAt = s.transport.received.findIndex((m) => m.id === request.id && !('method' in m));
      const wire = s.transport.received
        .map((m, at) => ({ m, at }))
        .filter(({ m }) => m.method === 'notifications/progress' && m.params.progressToken === token);
      assert.deepEqual(wire.map(({ m }) => [m.params.progress, m.params.total, m.params.message]),
        [1, 2, 3, 4, 5].map((i) => [i, 5, `step ${i}`]));
      assert.ok(wire.every(({ at }) => at < responseAt), 'a progress notification after the response');
    });

    if (!stateless) {
      check(state, 'cancellation stops a running tool and the server keeps serving', async () => {
        const controller = new AbortController();
        const started = Date.now();
        let progressed = 0;
        const call = s.client.callTool({ name: 'slow', arguments: { steps: 200, delay_ms: 25 } }, undefined,
          opts({ signal: controller.signal, onprogress: () => { progressed += 1; } }));
        await waitFor(() => progressed >= 2, 'progress from the slow tool');
        controller.abort('interop test cancels');
        await assert.rejects(call);
        const request = s.transport.sent.findLast((m) => m.method === 'tools/call' && m.params.name === 'slow');
        const cancel = s.transport.sent.find((m) => m.method === 'notifications/cancelled');
        assert.equal(cancel?.params.requestId, request.id, 'the SDK sent notifications/cancelled');

        // The work itself must stop, well before its 5 s: the tool records what it did, and
        // slow_status reads that back (polled for up to 3 s).
        let last;
        for (let i = 0; i < 100; i++) {
          const r = await s.client.callTool({ name: 'slow_status', arguments: {} }, undefined, opts());
          last = r.structuredContent;
          if (last.running === 0) break;
          await sleep(30);
        }
        assert.equal(last.running, 0, `slow still running: ${JSON.stringify(last)}`);
        assert.equal(last.last_cancelled, true, JSON.stringify(last));
        assert.ok(last.last_steps < 200, JSON.stringify(last));
        assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);

        // Still responsive, and no response for the cancelled request (spec: SHOULD NOT send one).
        const echo = await s.client.callTool({ name: 'fixture_echo', arguments: { text: 'after cancel' } },
          undefined, opts());
        assert.equal(textOf(echo), 'after cancel');
        await sleep(100);
        const late = s.transport.received.filter((m) => m.id === request.id && !('method' in m));
        assert.deepEqual(late, [], 'the server answered a cancelled request');
      });
    }

    check(state, 'resources: list, read text and blob, templates, read via template', async () => {
      const { resources } = await s.client.listResources({}, opts());
      const hello = resources.find((r) => r.uri === 'fixture://static/hello');
      const blob = resources.find((r) => r.uri === 'fixture://static/blob');
      assert.equal(hello?.mimeType, 'text/plain', JSON.stringify(resources));
      assert.equal(blob?.mimeType, 'application/octet-stream');

      const text = await s.client.readResource({ uri: 'fixture://static/hello' }, opts());
      assert.deepEqual(text.contents.map(({ uri, mimeType, text: t }) => ({ uri, mimeType, text: t })),
        [{ uri: 'fixture://static/hello', mimeType: 'text/plain', text: 'Hello, Ferry' }]);
      const bytes = await s.client.readResource({ uri: 'fixture://static/blob' }, opts());
      assert.equal(bytes.contents.length, 1);
      assert.equal(bytes.contents[0].blob, BLOB_BASE64);

      const { resourceTemplates } = await s.client.listResourceTemplates({}, opts());
      const items = resourceTemplates.find((t) => t.uriTemplate === 'fixture://items/{id}');
      assert.ok(items, JSON.stringify(resourceTemplates));
      assert.equal(items.mimeType, 'application/json');

      const item = await s.client.readResource({ uri: 'fixture://items/beta' }, opts());
      assert.equal(item.contents[0].uri, 'fixture://items/beta');
      assert.deepEqual(JSON.parse(item.contents[0].text), { id: 'beta', name: 'Item beta' });
    });

    check(state, 'reading an unknown resource is error -32002', async () => {
      await rejectsWithCode(s.client.readResource({ uri: 'fixture://items/nope' }, opts()), -32002);
      await rejectsWithCode(s.client.readResource({ uri: 'fixture://missing' }, opts()), -32002);
    });

    if (!stateless) {
      check(state, 'subscribe, updated notification, unsubscribe', async () => {
        const uri = 'fixture://static/hello';
        assert.deepEqual(await s.client.subscribeResource({ uri }, opts()), {});
        await s.client.callTool({ name: 'touch', arguments: { uri } }, undefined, opts());
        await waitFor(() => updates.some((u) => u.uri === uri), 'notifications/resources/updated');

        // A resource nobody subscribed to gets no notification.
        await s.client.callTool({ name: 'touch', arguments: { uri: 'fixture://static/blob' } }, undefined,
          opts());
        assert.deepEqual(await s.client.unsubscribeResource({ uri }, opts()), {});
        const before = updates.length;
        await s.client.callTool({ name: 'touch', arguments: { uri } }, undefined, opts());
        await s.client.ping(opts());
        await sleep(200);
        assert.equal(updates.length, before, `update after unsubscribe: ${JSON.stringify(updates)}`);
        assert.deepEqual(updates.map((u) => u.uri), [uri]);
      });
    }

    const toolNames = async () => (await listAllTools(s.client)).map((t) => t.name);

    if (!stateless) {
      check(state, 'adding and removing a tool sends tools/list_changed', async () => {
        const before = toolListChanges;
        const added = await s.client.callTool({ name: 'toggle_tool', arguments: {} }, undefined, opts());
        assert.equal(added.content[0].text, 'added ephemeral');
        await waitFor(() => toolListChanges === before + 1, 'notifications/tools/list_changed');
        assert.ok((await toolNames()).includes('ephemeral'));
        const call = await s.client.callTool({ name: 'ephemeral', arguments: {} }, undefined, opts());
        assert.equal(call.content[0].text, 'still here');

        const removed = await s.client.callTool({ name: 'toggle_tool', arguments: {} }, undefined, opts());
        assert.equal(removed.content[0].text, 'removed ephemeral');
        await waitFor(() => toolListChanges === before + 2, 'a second list_changed');
        assert.ok(!(await toolNames()).includes('ephemeral'));
      });
    } else {
      // No stream outlives a request, so there is nowhere to send list_changed; the list itself
      // still changes for every later request.
      check(state, 'adding and removing a tool changes tools/list for later requests', async () => {
        const added = await s.client.callTool({ name: 'toggle_tool', arguments: {} }, undefined, opts());
        assert.equal(added.content[0].text, 'added ephemeral');
        assert.ok((await toolNames()).includes('ephemeral'));
        const call = await s.client.callTool({ name: 'ephemeral', arguments: {} }, undefined, opts());
        assert.equal(call.content[0].text, 'still here');
        const removed = await s.client.callTool({ name: 'toggle_tool', arguments: {} }, undefined, opts());
        assert.equal(removed.content[0].text, 'removed ephemeral');
        assert.ok(!(await toolNames()).includes('ephemeral'));
      });
    }

    check(state, 'prompts: list and get', async () => {
      const { prompts } = await s.client.listPrompts({}, opts());
      const greeting = prompts.find((p) => p.name === 'greeting');
      assert.ok(greeting, JSON.stringify(prompts));
      const args = Object.fromEntries(greeting.arguments.map((a) => [a.name, a.required ?? false]));
      assert.deepEqual(args, { name: true, style: false });

      const got = await s.client.getPrompt({ name: 'greeting', arguments: { name: 'Ada', style: 'pirate' } },
        opts());
      assert.equal(got.messages.length, 1);
      assert.equal(got.messages[0].role, 'user');
      assert.deepEqual(got.messages[0].content, { type: 'text', text: 'Greet Ada like a pirate.' });
    });

    check(state, 'prompts/get without a required argument is error -32602', async () => {
      await rejectsWithCode(s.client.getPrompt({ name: 'greeting', arguments: {} }, opts()), -32602);
      await rejectsWithCode(s.client.getPrompt({ name: 'no_such_prompt', arguments: {} }, opts()), -32602);
    });

    check(state, 'completion/complete for a prompt argument and a template variable', async () => {
      const style = await s.client.complete({ ref: { type: 'ref/prompt', name: 'greeting' },
        argument: { name: 'style', value: 'p' } }, opts());
      assert.deepEqual(style.completion.values, ['pirate']);
      const all = await s.client.complete({ ref: { type: 'ref/prompt', name: 'greeting' },
        argument: { name: 'style', value: '' } }, opts());
      assert.deepEqual([...all.completion.values].sort(), ['casual', 'formal', 'pirate']);
      const ids = await s.client.complete({ ref: { type: 'ref/resource', uri: 'fixture://items/{id}' },
        argument: { name: 'id', value: 'ap' } }, opts());
      assert.deepEqual(ids.completion.values, ['apple', 'apricot']);
    });

    const fixtureLogs = () => logs.filter((l) => l.logger === 'fixture');
    if (!stateless) {
      check(state, 'logging/setLevel filters notifications/message', async () => {
        assert.deepEqual(await s.client.setLoggingLevel('warning', opts()), {});
        logs.length = 0;
        await s.client.callTool({ name: 'log', arguments: {} }, undefined, opts());
        // The tool logs lowest level first, so once `error` is here every earlier one would be too.
        await waitFor(() => fixtureLogs().some((l) => l.level === 'error'), 'the error-level message');
        assert.deepEqual(fixtureLogs().map((l) => l.level), ['warning', 'error']);
        assert.equal(fixtureLogs()[0].data, 'fixture log at warning');

        await s.client.setLoggingLevel('debug', opts());
        logs.length = 0;
        await s.client.callTool({ name: 'log', arguments: {} }, undefined, opts());
        await waitFor(() => fixtureLogs().some((l) => l.level === 'error'), 'the error-level message');
        assert.deepEqual(fixtureLogs().map((l) => l.level), ['debug', 'info', 'notice', 'warning', 'error']);
      });
    } else {
      // setLevel has no session to remember it in; the messages a tool logs still travel on its
      // request's stream, lowest level first, ending with `error`.
      check(state, 'notifications/message from a tool arrive on its request stream', async () => {
        logs.length = 0;
        const result = await s.client.callTool({ name: 'log', arguments: {} }, undefined, opts());
        assert.equal(textOf(result), 'logged');
        await waitFor(() => fixtureLogs().some((l) => l.level === 'error'), 'the error-level message');
        const levels = ['debug', 'info', 'notice', 'warning', 'error'];
        const seen = fixtureLogs().map((l) => l.level);
        assert.deepEqual(seen, levels.slice(levels.length - seen.length), `levels: ${seen}`);
        assert.equal(fixtureLogs().at(-1).data, 'fixture log at error');
      });
    }

    if (!stateless) {
      check(state, 'sampling round trip', async () => {
        const result = await s.client.callTool({ name: 'sample', arguments: { prompt: 'What is 2+2?' } },
          undefined, opts());
        assert.notEqual(result.isError, true, textOf(result));
        assert.equal(textOf(result), 'sampled: What is 2+2?');
        assert.equal(samplingRequests.length, 1);
        assert.equal(samplingRequests[0].maxTokens, 64);
        assert.deepEqual(samplingRequests[0].messages,
          [{ role: 'user', content: { type: 'text', text: 'What is 2+2?' } }]);
      });

      check(state, 'elicitation round trip', async () => {
        const result = await s.client.callTool({ name: 'elicit', arguments: {} }, undefined, opts());
        assert.notEqual(result.isError, true, textOf(result));
        assert.equal(textOf(result), 'action=accept name=Ada');
        assert.equal(elicitRequests.length, 1);
        assert.equal(elicitRequests[0].message, 'What is your name?');
        assert.equal(elicitRequests[0].requestedSchema.properties.name.type, 'string');
      });

      check(state, 'roots/list round trip', async () => {
        const result = await s.client.callTool({ name: 'roots', arguments: {} }, undefined, opts());
        assert.notEqual(result.isError, true, textOf(result));
        assert.deepEqual(JSON.parse(textOf(result)),
          [{ uri: 'file:///tmp/ferry-interop-root', name: 'interop root' }]);
        assert.equal(rootsRequests, 1);
      });
    } else {
      // The client's answer to a server-to-client request would come in another POST, which a
      // stateless server cannot tie back to the waiting tool: each must fail at once as a tool
      // error, without the request being sent.
      check(state, 'sampling, elicitation and roots fail cleanly as isError results', async () => {
        for (const name of ['sample', 'elicit', 'roots']) {
          const started = Date.now();
          const result = await s.client.callTool({ name, arguments: {} }, undefined, opts());
          assert.equal(result.isError, true, `${name}: ${JSON.stringify(result)}`);
          assert.ok(textOf(result).length > 0, `${name}: the error result has no text`);
          assert.ok(Date.now() - started < 3000, `${name}: the server waited instead of refusing at once`);
        }
        const asked = s.transport.received.filter((m) => 'method' in m && 'id' in m);
        assert.deepEqual(asked, [], 'a stateless server sent a server-to-client request');
        assert.equal(samplingRequests.length + elicitRequests.length + rootsRequests, 0);
      });
    }

    check(state, 'several calls in flight at once are all answered', async () => {
      const calls = Array.from({ length: 20 }, (_, i) =>
        s.client.callTool({ name: 'fixture_echo', arguments: { text: `n${i}` } }, undefined, opts()));
      const results = await Promise.all(calls);
      assert.deepEqual(results.map(textOf), Array.from({ length: 20 }, (_, i) => `n${i}`));
    });
  });

  describe(`${title}: a client without the sampling capability`, () => {
    const state = { failed: false };
    let s;
    before(async () => { s = await connect({}); });
    after(async () => {
      if (state.failed && s) process.stderr.write(`--- fixture server stderr ---\n${s.stderr}\n`);
      await s?.close();
    });

    check(state, 'gets an error result from `sample`, and no sampling request', async () => {
      const started = Date.now();
      const result = await s.client.callTool({ name: 'sample', arguments: {} }, undefined, opts());
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.match(textOf(result), /sampling/i);
      assert.ok(Date.now() - started < 3000, 'the server waited instead of refusing at once');
      const asked = s.transport.received.filter((m) => m.method === 'sampling/createMessage');
      assert.deepEqual(asked, [], 'the server sent sampling/createMessage to a client without sampling');
    });

    check(state, 'elicitation and roots are refused the same way', async () => {
      for (const name of ['elicit', 'roots']) {
        const result = await s.client.callTool({ name, arguments: {} }, undefined, opts());
        assert.equal(result.isError, true, `${name}: ${JSON.stringify(result)}`);
      }
      const asked = s.transport.received.filter((m) => 'method' in m && 'id' in m);
      assert.deepEqual(asked, [], 'the server sent a request the client did not declare');
    });
  });
}
