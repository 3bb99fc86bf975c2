// Interop for the image tools: the official MCP TypeScript SDK client drives Ferry's fixture
// server over Streamable HTTP with documents.allowed_roots set to a temporary directory of PNG
// files the test writes itself, and uses the tools as an agent would: vectorize by path and by
// base64 content (SVG as text and as an embedded resource, with SSIM), analyze, optimize within a
// time budget, vectorize a batch with progress, and get clear errors for parameters out of range,
// corrupt images and paths outside the roots.
// Run: FERRY_FIXTURE_SERVER=build/.../ferry_fixture_server
//   node --test --test-reporter=spec tests/interop/images_interop.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

import { TEST_TIMEOUT_MS, closeHttpSession, listAllTools, openHttpSession, opts } from './lib.mjs';

// An RGB PNG of width x height whose pixel colours `colourAt(x, y)` gives.
function makePng(width, height, colourAt) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;  // filter: none
    for (let x = 0; x < width; x++) raw.set(colourAt(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);  // 8 bits, RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A red disc and a blue square on white.
const shapes = (w, h) => makePng(w, h, (x, y) => {
  if (Math.hypot(x - w / 3, y - h / 2) < h / 4) return [210, 30, 30];
  if (x > (2 * w) / 3 && x < w - 8 && y > 10 && y < h - 10) return [20, 40, 190];
  return [255, 255, 255];
});

const textOf = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

describe('image tools via the official TypeScript SDK client (Streamable HTTP)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ferry-images-interop-'));
  const root = join(work, 'root');
  let session;
  let client;
  let transport;

  before(async () => {
    mkdirSync(join(root, 'out'), { recursive: true });
    writeFileSync(join(work, 'outside.png'), shapes(40, 30));
    writeFileSync(join(root, 'shapes.png'), shapes(160, 120));
    writeFileSync(join(root, 'small.png'), shapes(64, 48));
    writeFileSync(join(root, 'broken.png'), shapes(64, 48).subarray(0, 60));
    session = await openHttpSession('ferry-images-interop', ['--set', `documents.allowed_roots=${root}`]);
    ({ client, transport } = session);
  });

  after(async () => {
    await closeHttpSession(session);
    rmSync(work, { recursive: true, force: true });
  });

  const call = (name, args, extra) => client.callTool({ name, arguments: args }, undefined, opts(extra));

  test('the image tools are listed with VTracer parameters', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tools = await listAllTools(client);
    const names = tools.map((t) => t.name);
    for (const name of ['vectorize_image', 'analyze_image', 'optimize_vectorization', 'vectorize_images']) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    }
    const props = tools.find((t) => t.name === 'vectorize_image').inputSchema.properties;
    assert.deepEqual([props.filter_speckle.minimum, props.filter_speckle.maximum], [0, 16]);
    assert.deepEqual(props.preset.enum, ['default', 'speed', 'balanced', 'quality']);
  });

  test('a path becomes SVG text, with SSIM on request', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await call('vectorize_image', { path: join(root, 'shapes.png'), measure_ssim: true });
    assert.notEqual(result.isError, true, textOf(result));
    const s = result.structuredContent;
    assert.equal(s.width, 160);
    assert.equal(s.paths, 3);
    assert.ok(s.ssim > 0.95, `SSIM ${s.ssim}`);
    assert.match(result.content[1].text, /^<\?xml[\s\S]*<svg [^>]*width="160" height="120"[\s\S]*<\/svg>\n$/);
    assert.equal(Buffer.byteLength(result.content[1].text), s.svg_bytes);
  });

  test('base64 content with a preset comes back as an embedded resource', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await call('vectorize_image', {
      content: shapes(80, 60).toString('base64'), filename: 'drawing.png', preset: 'quality', output: 'resource',
    });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.structuredContent.parameters.color_precision, 8);
    const item = result.content[1];
    assert.equal(item.type, 'resource');
    assert.equal(item.resource.uri, 'ferry://vectorized/drawing.svg');
    assert.equal(item.resource.mimeType, 'image/svg+xml');
  });

  test('analyze and optimize', { timeout: TEST_TIMEOUT_MS }, async () => {
    const analyzed = await call('analyze_image', { path: join(root, 'shapes.png') });
    assert.notEqual(analyzed.isError, true, textOf(analyzed));
    assert.ok(['simple', 'text', 'gradient', 'complex'].includes(analyzed.structuredContent.class));
    const optimized = await call('optimize_vectorization', {
      path: join(root, 'shapes.png'), target_ssim: 0.95, time_budget: 10,
    });
    assert.notEqual(optimized.isError, true, textOf(optimized));
    const o = optimized.structuredContent;
    assert.equal(o.target_met, true);
    assert.ok(o.trials.length >= 1);
    assert.equal(o.trials[o.best_trial].svg_bytes, o.svg_bytes);
  });

  test('a batch reports progress per file and never stops on a failure', { timeout: TEST_TIMEOUT_MS }, async () => {
    const paths = ['shapes.png', 'broken.png', 'small.png'].map((f) => join(root, f));
    const result = await call('vectorize_images', { paths, out_dir: join(root, 'out') }, { onprogress: () => {} });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.structuredContent.files, 3);
    assert.equal(result.structuredContent.failed, 1);
    assert.match(result.structuredContent.results[1].error, /image:/);
    assert.ok(existsSync(join(root, 'out', 'shapes.svg')));
    assert.match(readFileSync(join(root, 'out', 'small.svg'), 'utf8'), /<svg /);
    const request = transport.sent.findLast((m) => m.method === 'tools/call');
    const token = request.params._meta.progressToken;
    const progress = transport.received.filter(
      (m) => m.method === 'notifications/progress' && m.params.progressToken === token);
    assert.deepEqual(progress.map((m) => [m.params.progress, m.params.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.match(progress[1].params.message, /broken\.png: failed/);
  });

  test('bad input gets clear errors', { timeout: TEST_TIMEOUT_MS }, async () => {
    const range = await call('vectorize_image', { path: join(root, 'shapes.png'), color_precision: 10 });
    assert.equal(range.isError, true);
    assert.match(textOf(range), /color_precision/);
    const corrupt = await call('vectorize_image', { path: join(root, 'broken.png') });
    assert.equal(corrupt.isError, true);
    assert.match(textOf(corrupt), /image:/);
    const outside = await call('vectorize_image', { path: join(work, 'outside.png') });
    assert.equal(outside.isError, true);
    assert.match(textOf(outside), /allowed/);
  });
});
