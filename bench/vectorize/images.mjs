// Generates the vectorizer benchmark's extra images from the corpus that make.sh built (called by
// bench.py; deterministic; an image that already exists is kept, so a second run costs nothing).
//
//   node images.mjs --modules DIR --corpus DIR --out DIR [--mp1-flags N] [--mp1-icons N]
//                   [--binary-flags N] [--binary-icons N]
//
// DIR/mp1/     about 1 megapixel: N flags upscaled nearest-neighbour to 1154x866 (flag-*.png), N
//              icons rendered from their SVG source at 1024x1024 with rsvg-convert (icon-*.png), and
//              noise.png, 1154x866: smooth colour ramps, a few solid shapes and per-pixel noise of
//              +-24 levels (a stand-in for a photograph; the case that makes VTracer slow).
// DIR/mp10/    one ~10 megapixel image: an icon rendered at 3162x3162 (memory check).
// DIR/binary/  thresholded copies of N flags and N icons: composited over white, luma (BT.601)
//              < 128 is black, otherwise white; NAME.png (RGB) for Ferry and VTracer, NAME.pbm
//              (P4) for potrace. The same bitmap for all three.
// Picks are evenly spaced over the sorted file lists, so they do not depend on the machine.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from './random.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const modules = opt('--modules');
const corpus = opt('--corpus');
const out = opt('--out');
if (!modules || !corpus || !out) {
  console.error('usage: images.mjs --modules DIR --corpus DIR --out DIR [--mp1-flags N] ...');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'package.json'));
const { PNG } = require('pngjs');

const nMp1Flags = Number(opt('--mp1-flags', 8));
const nMp1Icons = Number(opt('--mp1-icons', 8));
const nBinFlags = Number(opt('--binary-flags', 40));
const nBinIcons = Number(opt('--binary-icons', 40));

// k entries evenly spaced over list (sorted), always the same ones for the same list.
function spread(list, k) {
  if (k >= list.length) return list.slice();
  const picked = [];
  for (let i = 0; i < k; i++) picked.push(list[Math.floor(((i + 0.5) * list.length) / k)]);
  return picked;
}

const listPng = (dir) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort() : [];

function writePng(file, width, height, rgba, colorType = 6) {
  const png = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true });
  rgba.copy ? rgba.copy(png.data) : png.data.set(rgba);
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true }));
  fs.renameSync(tmp, file);
}

function upscaleNearest(src, W, H) {
  const dst = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(src.height - 1, Math.floor((y * src.height) / H));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(src.width - 1, Math.floor((x * src.width) / W));
      src.data.copy(dst, (y * W + x) * 4, (sy * src.width + sx) * 4, (sy * src.width + sx) * 4 + 4);
    }
  }
  return dst;
}

function render(svg, size, file) {
  const tmp = file + '.tmp.png';
  execFileSync('rsvg-convert', ['-w', String(size), '-h', String(size), '-o', tmp, svg], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120000,
  });
  fs.renameSync(tmp, file);
}

function noiseImage(W, H) {
  const rnd = mulberry32(20261123);
  const d = Buffer.alloc(W * H * 4);
  const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let r = 40 + (150 * x) / W;
      let g = 60 + (120 * y) / H;
      let b = 200 - (120 * (x + y)) / (W + H);
      const dx = x - 0.3 * W, dy = y - 0.45 * H;
      if (dx * dx + dy * dy < (0.18 * H) ** 2) { r = 220; g = 190; b = 40; }
      if (x > 0.6 * W && x < 0.85 * W && y > 0.2 * H && y < 0.75 * H) { r = 30; g = 90; b = 50; }
      if (Math.abs(y - 0.85 * H - 0.1 * (x - W / 2)) < 12) { r = 20; g = 20; b = 30; }
      const i = (y * W + x) * 4;
      d[i] = clamp(r + (rnd() - 0.5) * 48);
      d[i + 1] = clamp(g + (rnd() - 0.5) * 48);
      d[i + 2] = clamp(b + (rnd() - 0.5) * 48);
      d[i + 3] = 255;
    }
  }
  return d;
}

function threshold(src) {
  const { width: W, height: H, data } = src;
  const rgba = Buffer.alloc(W * H * 4);
  const rowBytes = (W + 7) >> 3;
  const pbm = Buffer.alloc(rowBytes * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const a = data[i + 3] / 255;
      const over = (c) => Math.round(a * c + (1 - a) * 255);
      const luma = 0.299 * over(data[i]) + 0.587 * over(data[i + 1]) + 0.114 * over(data[i + 2]);
      const black = luma < 128;
      const v = black ? 0 : 255;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
      rgba[i + 3] = 255;
      if (black) pbm[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return { rgba, pbm: Buffer.concat([Buffer.from(`P4\n${W} ${H}\n`), pbm]) };
}

const flagsDir = path.join(corpus, 'flags');
const iconsDir = path.join(corpus, 'icons');
const flags = listPng(flagsDir);
const icons = listPng(iconsDir).filter((f) => fs.existsSync(path.join(iconsDir, f.replace(/\.png$/, '.svg'))));
if (!flags.length || !icons.length) {
  console.error(`images.mjs: no flags or icons under ${corpus} (run make.sh first)`);
  process.exit(1);
}
for (const d of ['mp1', 'mp10', 'binary']) fs.mkdirSync(path.join(out, d), { recursive: true });
let made = 0;
const expected = new Set(); // every file this run wants, so that files from other picks go
const want = (file) => (expected.add(path.resolve(file)), file);

for (const f of spread(flags, nMp1Flags)) {
  const file = want(path.join(out, 'mp1', 'flag-' + f));
  if (fs.existsSync(file)) continue;
  const src = PNG.sync.read(fs.readFileSync(path.join(flagsDir, f)));
  writePng(file, 1154, 866, upscaleNearest(src, 1154, 866));
  made++;
}
for (const f of spread(icons, nMp1Icons)) {
  const file = want(path.join(out, 'mp1', 'icon-' + f));
  if (fs.existsSync(file)) continue;
  render(path.join(iconsDir, f.replace(/\.png$/, '.svg')), 1024, file);
  made++;
}
{
  const file = want(path.join(out, 'mp1', 'noise.png'));
  if (!fs.existsSync(file)) {
    writePng(file, 1154, 866, noiseImage(1154, 866), 2);
    made++;
  }
}
{
  // A detailed icon (a globe with gradients) when the theme has it, else the middle icon.
  const pick = icons.includes('internet-web-browser.png')
    ? 'internet-web-browser.png'
    : icons[Math.floor(icons.length / 2)];
  const file = want(path.join(out, 'mp10', 'icon-' + pick.replace(/\.png$/, '') + '-3162.png'));
  if (!fs.existsSync(file)) {
    render(path.join(iconsDir, pick.replace(/\.png$/, '.svg')), 3162, file);
    made++;
  }
}
for (const [dir, list, n, prefix] of [
  [flagsDir, flags, nBinFlags, 'flag-'],
  [iconsDir, icons, nBinIcons, 'icon-'],
]) {
  for (const f of spread(list, n)) {
    const base = path.join(out, 'binary', prefix + f.replace(/\.png$/, ''));
    want(base + '.png');
    want(base + '.pbm');
    if (fs.existsSync(base + '.png') && fs.existsSync(base + '.pbm')) continue;
    const src = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
    const { rgba, pbm } = threshold(src);
    fs.writeFileSync(base + '.pbm', pbm);
    writePng(base + '.png', src.width, src.height, rgba, 2);
    made++;
  }
}
let removed = 0;
for (const d of ['mp1', 'mp10', 'binary']) {
  for (const f of fs.readdirSync(path.join(out, d))) {
    const file = path.resolve(out, d, f);
    if (!expected.has(file)) {
      fs.rmSync(file, { force: true });
      removed++;
    }
  }
}
const count = (d, ext) => fs.readdirSync(path.join(out, d)).filter((f) => f.endsWith(ext)).length;
console.log(
  `images.mjs: ${made} made${removed ? `, ${removed} old ones removed` : ''}; mp1: ${count('mp1', '.png')}, mp10: ${count('mp10', '.png')}, ` +
    `binary: ${count('binary', '.png')} (+ .pbm)`,
);
