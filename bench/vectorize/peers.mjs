// The Node side of the vectorizer benchmark (driven by bench.py, which pins it to one core):
//
//   node peers.mjs run --modules DIR JOBS.json
//       JOBS.json: {"engine": "vtracer"|"imagetracer", "colormode": "color"|"binary",
//                   "e2e": true|false, "items": [{"input": FILE, "output": FILE.svg}, ...]}
//       For each item, prints one JSON line {"event":"start",...} before the work and one
//       {"event":"done",...} after it (bench.py kills the process when an image overruns its time
//       and restarts it on the remaining items). Pixels are decoded first (pngjs 7.0.0, jpeg-js
//       0.4.4) and only the tracing call is timed:
//         vtracer      @neplex/vectorizer 0.1.0 (native VTracer), vectorizeRawSync on the RGBA at
//                      VTracer's defaults; pathPrecision 2 (what VTracer's converter writes) and
//                      smallCircle 0 (turns off neplex's own circle fitting). With "e2e" it also
//                      times vectorizeSync on the file's bytes (decode included) and reports whether
//                      both SVGs are identical.
//         imagetracer  imagetracerjs 1.2.6, imagedataToSVG with its default options; Math.random
//                      (used to re-seed empty palette entries) is a seeded generator, reset per image.
//       "e2e_seconds" is decode + trace for imagetracer. "max_rss_kb" is the process's peak so far.
//
//   node peers.mjs ssim REFERENCE IMAGE...
//       Prints "<ssim>\t<path>" per IMAGE like `ferry ssim`: a second, independent implementation
//       of the same definition (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, C1 = (0.01*255)^2,
//       C2 = (0.03*255)^2, mean over the windows that fit; on BT.601 luma of 8-bit RGB after
//       compositing over white, round(a*c + (1-a)*255)). Used when Ferry has no `ssim` command, and
//       to cross-check Ferry's on a sample.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from './random.mjs';

const VTRACER_DEFAULTS = {
  colorMode: 0, hierarchical: 0, filterSpeckle: 4, colorPrecision: 6, layerDifference: 16,
  mode: 2, cornerThreshold: 60, lengthThreshold: 4, maxIterations: 10, spliceThreshold: 45,
  pathPrecision: 2, smallCircle: 0,
};

const argv = process.argv.slice(2);
const command = argv.shift();
let modules = null;
const rest = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--modules') modules = argv[++i];
  else rest.push(argv[i]);
}
if (!modules || !['run', 'ssim'].includes(command)) {
  console.error('usage: peers.mjs run --modules DIR JOBS.json | peers.mjs ssim --modules DIR REF IMAGE...');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'package.json'));
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');

function decode(buf) {
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    const img = jpeg.decode(buf, {
      useTArray: true, formatAsRGBA: true, maxResolutionInMP: 400, maxMemoryUsageInMB: 4096,
    });
    const data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    return { width: img.width, height: img.height, data };
  }
  throw new Error('not a PNG or JPEG file');
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const countPaths = (svg) => (svg.match(/<path\b/g) || []).length;

function emit(obj) {
  fs.writeSync(1, JSON.stringify(obj) + '\n');
}

function run(jobsFile) {
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  let trace;
  if (jobs.engine === 'vtracer') {
    const v = require('@neplex/vectorizer');
    const config = { ...VTRACER_DEFAULTS, colorMode: jobs.colormode === 'binary' ? 1 : 0 };
    trace = (item, buf, img, row) => {
      let t0 = process.hrtime.bigint();
      const svg = v.vectorizeRawSync(img.data, { width: img.width, height: img.height }, config);
      row.vectorize_seconds = seconds(t0);
      if (jobs.e2e) {
        t0 = process.hrtime.bigint();
        const svg2 = v.vectorizeSync(buf, config);
        row.e2e_seconds = seconds(t0);
        row.same_e2e = svg2 === svg;
      }
      return svg;
    };
  } else if (jobs.engine === 'imagetracer') {
    const tracer = require('imagetracerjs');
    trace = (item, buf, img, row) => {
      Math.random = mulberry32(12345);
      const t0 = process.hrtime.bigint();
      const svg = tracer.imagedataToSVG({ width: img.width, height: img.height, data: img.data }, {});
      row.vectorize_seconds = seconds(t0);
      row.e2e_seconds = row.decode_seconds + row.vectorize_seconds;
      return svg;
    };
  } else {
    throw new Error(`unknown engine ${jobs.engine}`);
  }
  for (const item of jobs.items) {
    emit({ event: 'start', input: item.input, max_rss_kb: process.resourceUsage().maxRSS });
    const row = { event: 'done', input: item.input, output: item.output, ok: false };
    try {
      const buf = fs.readFileSync(item.input);
      const t0 = process.hrtime.bigint();
      const img = decode(buf);
      row.decode_seconds = seconds(t0);
      row.width = img.width;
      row.height = img.height;
      const svg = trace(item, buf, img, row);
      fs.writeFileSync(item.output, svg);
      row.svg_bytes = Buffer.byteLength(svg);
      row.paths = countPaths(svg);
      row.ok = true;
    } catch (e) {
      row.error = String((e && e.message) || e).slice(0, 300);
    }
    row.max_rss_kb = process.resourceUsage().maxRSS;
    emit(row);
  }
}

// --- SSIM ----------------------------------------------------------------------------------------

function luma(img) {
  const n = img.width * img.height;
  const y = new Float64Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3] / 255;
    const over = (c) => Math.round(a * c + (1 - a) * 255);
    y[i] = 0.299 * over(d[4 * i]) + 0.587 * over(d[4 * i + 1]) + 0.114 * over(d[4 * i + 2]);
  }
  return y;
}

const GAUSS = (() => {
  const g = [];
  let sum = 0;
  for (let i = -5; i <= 5; i++) {
    g.push(Math.exp(-(i * i) / (2 * 1.5 * 1.5)));
    sum += g[g.length - 1];
  }
  return g.map((v) => v / sum);
})();

function ssim(a, b, W, H) {
  if (W < 11 || H < 11) throw new Error('image smaller than the 11x11 window');
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  const OW = W - 10;
  // Ring of 11 horizontally filtered rows for each of x, y, x^2, y^2, xy.
  const ring = Array.from({ length: 5 }, () => Array.from({ length: 11 }, () => new Float64Array(OW)));
  const hrow = (r, slot) => {
    const [mx, my, xx, yy, xy] = ring.map((q) => q[slot]);
    const o = r * W;
    for (let x = 0; x < OW; x++) {
      let s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0;
      for (let k = 0; k < 11; k++) {
        const w = GAUSS[k], p = a[o + x + k], q = b[o + x + k];
        s1 += w * p; s2 += w * q; s3 += w * p * p; s4 += w * q * q; s5 += w * p * q;
      }
      mx[x] = s1; my[x] = s2; xx[x] = s3; yy[x] = s4; xy[x] = s5;
    }
  };
  for (let r = 0; r < 10; r++) hrow(r, r % 11);
  let total = 0;
  for (let r = 10; r < H; r++) {
    hrow(r, r % 11);
    for (let x = 0; x < OW; x++) {
      let m1 = 0, m2 = 0, e11 = 0, e22 = 0, e12 = 0;
      for (let k = 0; k < 11; k++) {
        const slot = (r - 10 + k) % 11, w = GAUSS[k];
        m1 += w * ring[0][slot][x]; m2 += w * ring[1][slot][x];
        e11 += w * ring[2][slot][x]; e22 += w * ring[3][slot][x]; e12 += w * ring[4][slot][x];
      }
      const v1 = e11 - m1 * m1, v2 = e22 - m2 * m2, c12 = e12 - m1 * m2;
      total += ((2 * m1 * m2 + C1) * (2 * c12 + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
    }
  }
  return total / (OW * (H - 10));
}

function ssimCommand(ref, images) {
  const r = decode(fs.readFileSync(ref));
  const ry = luma(r);
  let status = 0;
  for (const file of images) {
    try {
      const img = decode(fs.readFileSync(file));
      if (img.width !== r.width || img.height !== r.height) {
        throw new Error(`size ${img.width}x${img.height} differs from the reference's ${r.width}x${r.height}`);
      }
      console.log(`${ssim(ry, luma(img), r.width, r.height).toFixed(6)}\t${file}`);
    } catch (e) {
      console.error(`peers.mjs ssim: ${file}: ${(e && e.message) || e}`);
      status = 1;
    }
  }
  process.exitCode = status;
}

if (command === 'run') run(rest[0]);
else ssimCommand(rest[0], rest.slice(1));
