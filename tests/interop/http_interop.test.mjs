// Interop over HTTP: the official MCP TypeScript SDK client runs the same exercise as over stdio
// (lib.mjs) against the fixture server's Streamable HTTP transport (stateful, then --stateless) and
// its legacy HTTP+SSE transport (2024-11-05: GET /sse, POST /messages). Each suite starts its own
// server on a free port and stops it with SIGTERM at the end, expecting a clean exit 0.
// Run: FERRY_FIXTURE_SERVER=build/.../ferry_fixture_server
//   node --test --test-reporter=spec tests/interop/http_interop.test.mjs
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { HttpServerProcess, RecordingTransport, defineInteropSuites, opts } from './lib.mjs';

// A `connect` for lib.mjs: starts a fixture server with `serverArgs` and connects an SDK client
// through the transport `makeTransport(server)` builds. close() closes the client, then stops the
// server and requires exit code 0 (a graceful shutdown with the client's streams still open).
function httpConnect(serverArgs, makeTransport) {
  return async (capabilities, setup = () => {}) => {
    const server = await HttpServerProcess.start(serverArgs);
    const transport = new RecordingTransport(makeTransport(server));
    const client = new Client({ name: 'ferry-interop-test', version: '1.0.0' }, { capabilities });
    const errors = [];
    client.onerror = (error) => errors.push(error);
    setup(client);
    const session = {
      client,
      transport,
      server,
      errors,
      get stderr() {
        return `${server.stderr}\n--- client transport errors ---\n${errors.map(String).join('\n')}`;
      },
      async close() {
        await client.close();
        const exit = await server.stop();
        assert.deepEqual(exit, { code: 0, signal: null }, `fixture server exit after SIGTERM:\n${server.stderr}`);
      },
    };
    try {
      await client.connect(transport, opts());
    } catch (error) {
      await server.stop();
      throw new Error(`connect failed: ${error}\n--- fixture server stderr ---\n${server.stderr}`);
    }
    return session;
  };
}

defineInteropSuites({
  title: 'Streamable HTTP (stateful) via the official TypeScript SDK client',
  connect: httpConnect([], (server) => new StreamableHTTPClientTransport(new URL(server.url))),
});

defineInteropSuites({
  title: 'Streamable HTTP (stateless) via the official TypeScript SDK client',
  stateless: true,
  connect: httpConnect(['--stateless'], (server) => new StreamableHTTPClientTransport(new URL(server.url))),
});

defineInteropSuites({
  title: 'legacy HTTP+SSE (2024-11-05) via the official TypeScript SDK client',
  connect: httpConnect([], (server) => new SSEClientTransport(new URL(`${server.origin}/sse`))),
});
