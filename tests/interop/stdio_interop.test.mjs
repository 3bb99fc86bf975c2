// Interop: the official MCP TypeScript SDK client drives Ferry's fixture server over stdio and
// exercises every feature a client sees (the exercise itself is in lib.mjs, shared with the HTTP
// transports). Run: FERRY_FIXTURE_SERVER=build/.../ferry_fixture_server
//   node --test --test-reporter=spec tests/interop/stdio_interop.test.mjs
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { RecordingTransport, SERVER, defineInteropSuites, opts } from './lib.mjs';

// Starts the fixture server and connects an SDK client with the given capabilities. Server stderr
// is kept (last 64 KiB) and printed if a test of the suite fails.
async function connect(capabilities, setup = () => {}) {
  assert.ok(SERVER, 'set FERRY_FIXTURE_SERVER to the ferry_fixture_server binary');
  const stdio = new StdioClientTransport({
    command: SERVER, args: ['serve', '--stdio'], env: { ...process.env }, stderr: 'pipe',
  });
  const session = { stderr: '', transport: new RecordingTransport(stdio) };
  stdio.stderr.on('data', (chunk) => { session.stderr = (session.stderr + chunk).slice(-65536); });
  session.client = new Client({ name: 'ferry-interop-test', version: '1.0.0' }, { capabilities });
  session.close = () => session.client.close();
  setup(session.client);
  await session.client.connect(session.transport, opts());
  return session;
}

defineInteropSuites({ title: 'Ferry fixture server via the official TypeScript SDK client (stdio)', connect });
