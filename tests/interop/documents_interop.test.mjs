// Interop for the document tools: the official MCP TypeScript SDK client drives Ferry's fixture
// server over Streamable HTTP with documents.allowed_roots set to a temporary directory of
// generated files, and uses the tools as an agent would: convert by path, by base64 content and by
// resource URI, read the converted documents as resources, export chunks, convert a batch with
// progress, build, edit and save a document, render a PDF page to PNG and read it back by OCR,
// and get clear errors for paths outside the roots, broken files, read-only documents and unknown
// keys.
// Run: FERRY_FIXTURE_SERVER=build/.../ferry_fixture_server
//   node --test --test-reporter=spec tests/interop/documents_interop.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TEST_TIMEOUT_MS, closeHttpSession, listAllTools, openHttpSession, opts } from './lib.mjs';

// A one-page PDF written by hand (Helvetica lines at the given baselines), with a real
// cross-reference table, so the test needs no fixture file.
function makePdf(lines) {
  const content = lines.map(([size, y, text]) => `BT /F1 ${size} Tf 72 ${y} Td (${text}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((object, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) pdf += `${String(at).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

const textOf = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

describe('document tools via the official TypeScript SDK client (Streamable HTTP)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ferry-docs-interop-'));
  const root = join(work, 'root');
  let session;
  let client;
  let transport;

  before(async () => {
    writeFileSync(join(work, 'outside.md'), '# Secret\n');
    mkdirSync(root);
    writeFileSync(join(root, 'notes.md'), '# Notes\n\nFirst paragraph.\n\n## Part\n\n- one\n- two\n');
    writeFileSync(join(root, 'data.csv'), 'city;people\nParis;2100000\nLyon;520000\n');
    writeFileSync(join(root, 'page.html'), '<html><body><h1>Page</h1><p>Hello <b>there</b></p></body></html>');
    writeFileSync(join(root, 'broken.csv'), 'name,"never closed\n');
    session = await openHttpSession('ferry-docs-interop', ['--set', `documents.allowed_roots=${root}`]);
    ({ client, transport } = session);
  });

  after(async () => {
    await closeHttpSession(session);
    rmSync(work, { recursive: true, force: true });
  });

  const call = (name, args, extra) => client.callTool({ name, arguments: args }, undefined, opts(extra));

  test('the document tools are listed with their schemas', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tools = await listAllTools(client);
    const names = tools.map((t) => t.name);
    for (const name of ['convert_document', 'convert_documents', 'export_document', 'is_document_cached']) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    }
    const convert = tools.find((t) => t.name === 'convert_document');
    assert.ok(convert.inputSchema.properties.uri, 'convert_document takes a uri');
  });

  let notesKey;
  test('a path converts once, then is found by key', { timeout: TEST_TIMEOUT_MS }, async () => {
    const first = await call('convert_document', { path: join(root, 'notes.md'), export: 'markdown' });
    assert.notEqual(first.isError, true, textOf(first));
    notesKey = first.structuredContent.document_key;
    assert.match(notesKey, /^[0-9a-f]{16}$/);
    assert.equal(first.structuredContent.cached, false);
    assert.equal(first.content[1].text, '# Notes\n\nFirst paragraph.\n\n## Part\n\n- one\n- two');
    const again = await call('convert_document', { path: join(root, 'notes.md') });
    assert.equal(again.structuredContent.document_key, notesKey);
    assert.equal(again.structuredContent.cached, true);
    const cached = await call('is_document_cached', { document_key: notesKey });
    assert.equal(cached.structuredContent.cached, true);
    assert.equal(cached.structuredContent.store.documents, 1);
  });

  test('a converted document is two readable resources', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { resources } = await client.listResources(undefined, opts());
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes(`ferry://documents/${notesKey}`), uris.join(', '));
    assert.ok(uris.includes(`ferry://documents/${notesKey}.json`), uris.join(', '));
    const md = await client.readResource({ uri: `ferry://documents/${notesKey}` }, opts());
    assert.equal(md.contents[0].mimeType, 'text/markdown');
    assert.match(md.contents[0].text, /^# Notes/);
    const json = await client.readResource({ uri: `ferry://documents/${notesKey}.json` }, opts());
    const doc = JSON.parse(json.contents[0].text);
    assert.equal(doc.schema_name, 'DoclingDocument');
    assert.ok(doc.texts.some((t) => t.label === 'section_header' && t.text === 'Part'));
  });

  test('a resource URI is a source too', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await call('convert_document', { uri: `ferry://documents/${notesKey}`, export: 'text' });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.structuredContent.mimetype, 'text/markdown');
    assert.match(result.content[1].text, /First paragraph\./);
    const missing = await call('convert_document', { uri: 'ferry://documents/0000000000000000' });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /0000000000000000/);
  });

  test('base64 content with a file name, exported as a pipe table', { timeout: TEST_TIMEOUT_MS }, async () => {
    const content = Buffer.from('a,b\n1,2\n').toString('base64');
    const result = await call('convert_document', { content, filename: 'small.csv', export: 'markdown' });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.content[1].text, '| a | b |\n| - | - |\n| 1 | 2 |');
  });

  test('chunks carry their heading path and source items', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await call('export_document', { document_key: notesKey, format: 'chunks', chunker: 'hierarchical' });
    assert.notEqual(result.isError, true, textOf(result));
    const { chunks } = JSON.parse(textOf(result));
    assert.equal(chunks.length, 2);
    assert.deepEqual(chunks[1].headings, ['Notes', 'Part']);
    assert.ok(chunks[1].items.every((item) => item.startsWith('#/')));
  });

  test('a batch reports progress per file and never stops on a failure', { timeout: TEST_TIMEOUT_MS }, async () => {
    const paths = ['data.csv', 'broken.csv', 'page.html'].map((f) => join(root, f));
    const result = await call('convert_documents', { paths }, { onprogress: () => {} });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.structuredContent.files, 3);
    assert.equal(result.structuredContent.failed, 1);
    const [csv, broken, html] = result.structuredContent.results;
    assert.match(csv.document_key, /^[0-9a-f]{16}$/);
    assert.match(broken.error, /malformed CSV/);
    assert.equal(html.tables, 0);
    // One progress notification per file on the wire, before the response.
    const request = transport.sent.findLast((m) => m.method === 'tools/call' && m.params.name === 'convert_documents');
    const token = request.params._meta.progressToken;
    const progress = transport.received.filter(
      (m) => m.method === 'notifications/progress' && m.params.progressToken === token);
    assert.deepEqual(progress.map((m) => [m.params.progress, m.params.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.match(progress[1].params.message, /broken\.csv: failed/);
  });

  test('an agent builds, edits and saves a document', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = await call('create_document', { name: 'report' });
    assert.notEqual(created.isError, true, textOf(created));
    const key = created.structuredContent.document_key;
    assert.match(key, /^draft-[0-9a-f]{16}$/);
    const ok = async (name, args) => {
      const result = await call(name, { document_key: key, ...args });
      assert.notEqual(result.isError, true, `${name}: ${textOf(result)}`);
      return result.structuredContent;
    };
    await ok('add_title', { text: 'Report' });
    await ok('add_section_heading', { text: 'Scope', level: 1 });
    const para = await ok('add_paragraph', { text: 'A paragraph  to   fix.' });
    await ok('open_list', { ordered: true });
    const refused = await call('add_paragraph', { document_key: key, text: 'inside a list' });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /close_list/);
    await ok('add_list_items', { items: [{ text: 'one' }, { text: 'two' }] });
    await ok('close_list', {});
    await ok('add_table_from_html', {
      html: '<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>', captions: ['Table 1'],
    });
    const anchors = await ok('get_document_anchors', {});
    assert.deepEqual(anchors.items.map((i) => i.label).slice(0, 4), ['title', 'section_header', 'text', 'ordered_list']);
    const found = await ok('search_document', { query: 'paragraph' });
    assert.equal(found.hits[0].anchor, para.anchor);
    await ok('update_item_text', { anchor: para.anchor, text: 'A fixed paragraph.' });
    await ok('delete_items', { anchors: ['#/texts/1'] });  // the heading
    const md = await call('export_document', { document_key: key, format: 'markdown' });
    assert.equal(textOf(md), '# Report\n\nA fixed paragraph.\n\n1. one\n2. two\n\nTable 1\n\n| k | v |\n| - | - |\n| a | 1 |');
    const saved = await ok('save_document', { path: join(root, 'report.md') });
    assert.equal(readFileSync(join(root, 'report.md'), 'utf8').trimEnd(), textOf(md));
    assert.equal(saved.format, 'markdown');
    const again = await call('save_document', { document_key: key, path: join(root, 'report.md') });
    assert.equal(again.isError, true, 'an existing file is not overwritten without overwrite: true');
    const escape = await call('save_document', { document_key: key, path: join(work, 'escape.md') });
    assert.equal(escape.isError, true);
    const edited = await call('add_paragraph', { document_key: notesKey, text: 'x' });
    assert.equal(edited.isError, true, 'a converted document is read-only');
    assert.match(textOf(edited), /from_document_key/);
    await ok('discard_document', {});
    const gone = await call('export_document', { document_key: key });
    assert.equal(gone.isError, true);
  });

  test('a PDF page as an image, read back by OCR', { timeout: 60_000 }, async () => {
    const pdf = makePdf([[28, 700, 'Quarterly report'], [16, 640, 'Sales grew in every region.']]);
    const page = await call('get_page_image', { content: pdf.toString('base64'), filename: 'report.pdf', max_dimension: 1400 });
    assert.notEqual(page.isError, true, textOf(page));
    const image = page.content.find((c) => c.type === 'image');
    assert.equal(image.mimeType, 'image/png');
    const png = Buffer.from(image.data, 'base64');
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(png.readUInt32BE(16), page.structuredContent.width);
    assert.equal(Math.max(page.structuredContent.width, page.structuredContent.height), 1400);
    assert.equal(page.structuredContent.pages, 1);
    const beyond = await call('get_page_image', { content: pdf.toString('base64'), filename: 'report.pdf', page: 2 });
    assert.equal(beyond.isError, true);

    // OCR runs tesseract in a separate process (scripts/setup.sh installs it).
    const scanned = await call('convert_document', { content: image.data, filename: 'scan.png', export: 'text' });
    assert.notEqual(scanned.isError, true, textOf(scanned));
    assert.equal(scanned.structuredContent.mimetype, 'image/png');
    assert.match(scanned.content[1].text, /Quarterly report/);
    assert.match(scanned.content[1].text, /Sales grew in every region\./);
  });

  test('bad requests get clear errors', { timeout: TEST_TIMEOUT_MS }, async () => {
    const outside = await call('convert_document', { path: join(work, 'outside.md') });
    assert.equal(outside.isError, true);
    assert.match(textOf(outside), /allowed_roots/);
    const traversal = await call('convert_document', { path: join(root, '..', 'outside.md') });
    assert.equal(traversal.isError, true);
    const two = await call('convert_document', { path: join(root, 'notes.md'), content: 'eA==' });
    assert.equal(two.isError, true);
    assert.match(textOf(two), /exactly one/);
    const unknown = await call('export_document', { document_key: 'ffffffffffffffff' });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /convert it again/);
    const badFormat = await call('export_document', { document_key: notesKey, format: 'docx' });
    assert.equal(badFormat.isError, true);
  });
});
