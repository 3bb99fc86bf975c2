#!/usr/bin/env python3
"""Runs the vectorizer benchmark and writes its report (stdlib only; run.sh prepares and calls it).

Usage: bench.py --work DIR --ferry BIN --node NODE --modules DIR [--quick] [--sets a,b,...]
                [--no-peers] [--no-ferry] [--deadline S] [--report-only]

Sets (images under DIR/images; images.mjs makes the generated ones):
  flags   corpus flags, 320x240 PNG            icons   corpus Tango icons, 256x256 PNG with alpha
  jpeg    corpus JPEG (quality 75) copies      binary  thresholded flags and icons (PNG + PBM)
  mp1     ~1 MP: upscaled flags, icons rendered at 1024, one noisy synthetic image
  mp10    one ~10 MP icon (time and peak memory)

Engines, one core each (taskset -c 0), one image at a time, each image under a time limit:
  ferry/default     `ferry vectorize IMAGE --jobs 1` (VTracer's defaults); one process per image,
                    time = the report's vectorize_seconds (no decoding, no process start), e2e =
                    decode_seconds + vectorize_seconds, wall = the process, peak RSS = the process's
  ferry/binary      the same with --colormode binary, on the binary set
  ferry/speed|balanced|quality   --preset, on the mp1 set
  vtracer/default   @neplex/vectorizer 0.1.0 vectorizeRawSync on pixels decoded beforehand (see
                    peers.mjs); e2e = vectorizeSync on the file's bytes; peak RSS = the Node
                    process's (Node itself included)
  vtracer/binary    the same with colorMode 1, on the binary set
  imagetracer/default  imagetracerjs 1.2.6, default options (not on mp10: it is there for memory)
  potrace/binary    `potrace -s` on the PBM, binary set; time = wall time of the process
Quality: every SVG is rendered with `rsvg-convert -w W -h H` at the input's size, then SSIM against
the input with `ferry ssim` (one implementation for every engine); when Ferry has no `ssim`
command, peers.mjs's implementation of the same definition is used, and when it has, a sample is
cross-checked against peers.mjs's. Paths are counted as `<path` elements.

Writes DIR/rows.csv and DIR/rows.json (one row per image and engine), DIR/summary.md (also
printed) and DIR/per_image.md.
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = ['flags', 'icons', 'jpeg', 'binary', 'mp1', 'mp10']
COLOR_SETS = ['flags', 'icons', 'jpeg', 'mp1', 'mp10']
# Images per set: (full, quick); None is all of them.
COUNTS = {'flags': (None, 10), 'icons': (None, 10), 'jpeg': (None, 6), 'binary': (None, 10),
          'mp1': (None, 3), 'mp10': (None, 0)}
PRESETS = {  # issue 5: 1 MP, one core
    'speed': (0.5, 0.8), 'balanced': (2.0, 0.9), 'quality': (10.0, 0.95)}
FERRY_ARGS = {'default': [], 'binary': ['--colormode', 'binary'],
              'speed': ['--preset', 'speed'], 'balanced': ['--preset', 'balanced'],
              'quality': ['--preset', 'quality']}
ENGINE_NAMES = {'ferry': 'Ferry', 'vtracer': 'VTracer (neplex)', 'imagetracer': 'imagetracerjs',
                'potrace': 'potrace'}
FIELDS = ['set', 'image', 'engine', 'config', 'ok', 'error', 'width', 'height', 'decode_s',
          'time_s', 'e2e_s', 'wall_s', 'svg_bytes', 'paths', 'ssim', 'peak_rss_kb',
          'rss_before_kb', 'same_e2e', 'input', 'svg', 'render']


def say(msg):
    print(f'vectorize: {msg}', flush=True)


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


# --- Images ---------------------------------------------------------------------------------------

def image_size(path):
    """(width, height) from a PNG's IHDR or a JPEG's SOF marker."""
    with open(path, 'rb') as f:
        head = f.read(32)
        if head[:8] == b'\x89PNG\r\n\x1a\n':
            return int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')
        if head[:2] != b'\xff\xd8':
            raise ValueError(f'{path}: not PNG or JPEG')
        f.seek(2)
        while True:
            b = f.read(1)
            while b and b != b'\xff':
                b = f.read(1)
            while b == b'\xff':
                b = f.read(1)
            if not b:
                raise ValueError(f'{path}: no SOF marker')
            marker = b[0]
            if marker in (0xd8, 0x01) or 0xd0 <= marker <= 0xd7:
                continue
            seg = f.read(2)
            length = int.from_bytes(seg, 'big')
            if marker in (0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce,
                          0xcf):
                data = f.read(5)
                return int.from_bytes(data[3:5], 'big'), int.from_bytes(data[1:3], 'big')
            f.seek(length - 2, 1)


def spread(items, k):
    if k is None or k >= len(items):
        return list(items)
    return [items[int((i + 0.5) * len(items) / k)] for i in range(k)]


def set_images(work, name, quick):
    base = os.path.join(work, 'images')
    dirs = {'flags': 'corpus/flags', 'icons': 'corpus/icons', 'jpeg': 'corpus/jpeg',
            'binary': 'binary', 'mp1': 'mp1', 'mp10': 'mp10'}
    d = os.path.join(base, dirs[name])
    if not os.path.isdir(d):
        return []
    ext = '.jpg' if name == 'jpeg' else '.png'
    files = sorted(f for f in os.listdir(d) if f.endswith(ext))
    k = COUNTS[name][1 if quick else 0]
    if name == 'mp1' and quick:  # one flag, one icon, and the noisy image
        picks = [f for f in files if f.startswith('flag-')][:1]
        picks += [f for f in files if f.startswith('icon-')][:1]
        picks += [f for f in files if f == 'noise.png']
        files = picks
    else:
        files = spread(files, k)
    return [os.path.join(d, f) for f in files]


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


# --- Processes ------------------------------------------------------------------------------------

def run_timed(cmd, timeout, log):
    """Runs cmd with stdout/stderr appended to log; returns (status, wall seconds, peak RSS KB,
    timed_out). status is the exit code, or -signal."""
    with open(log, 'ab') as lf:
        lf.write(('$ ' + ' '.join(cmd) + '\n').encode())
        lf.flush()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf,
                             start_new_session=True)
        fired = []

        def kill():
            fired.append(1)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, wall, ru.ru_maxrss, bool(fired)


def tail(log, n=2):
    """The last n lines the last command wrote to log (run_timed starts each with '$ cmd')."""
    try:
        with open(log, 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').strip().splitlines()
    except OSError:
        return ''
    starts = [i for i, line in enumerate(lines) if line.startswith('$ ')]
    lines = lines[starts[-1] + 1:] if starts else lines
    return ' | '.join(lines[-n:])[:300] or 'no output'


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.ferry = a.ferry
        self.node = a.node
        self.rows = []
        self.deadline = time.monotonic() + a.deadline
        self.logs = os.path.join(self.work, 'logs')
        self.ssim_tool = None
        self.ssim_check = None
        self.meta = {}

    def left(self):
        return self.deadline - time.monotonic()

    def new_row(self, set_name, image, engine, config):
        return {'set': set_name, 'image': stem(image), 'engine': engine, 'config': config,
                'input': image, 'ok': False}

    def out_dir(self, set_name, engine, config):
        d = os.path.join(self.work, 'out', set_name, f'{engine}-{config}')
        os.makedirs(d, exist_ok=True)
        return d

    def limit(self, set_name):
        return self.a.timeout * (5 if set_name == 'mp10' else 1)

    # Ferry: one process per image.
    def run_ferry(self, set_name, config, images):
        out = self.out_dir(set_name, 'ferry', config)
        reports = os.path.join(self.work, 'reports', set_name, f'ferry-{config}')
        os.makedirs(reports, exist_ok=True)
        log = os.path.join(self.logs, f'ferry-{set_name}-{config}.log')
        for img in images:
            row = self.new_row(set_name, img, 'ferry', config)
            self.rows.append(row)
            if self.left() <= 0:
                row['error'] = 'skipped: bench deadline reached'
                continue
            rep = os.path.join(reports, stem(img) + '.json')
            if os.path.exists(rep):
                os.remove(rep)
            cmd = ['taskset', '-c', '0', self.ferry, 'vectorize', img, '--out', out, '--jobs', '1',
                   '--report', rep] + FERRY_ARGS[config]
            status, wall, rss, timed_out = run_timed(cmd, min(self.limit(set_name),
                                                              max(1, self.left())), log)
            row['wall_s'] = wall
            row['peak_rss_kb'] = rss
            if timed_out:
                row['error'] = f'timeout after {wall:.0f} s'
                continue
            try:
                with open(rep) as f:
                    entry = json.load(f)['files'][0]
            except (OSError, ValueError, KeyError, IndexError) as e:
                row['error'] = f'exit {status}, no report ({e.__class__.__name__}): {tail(log)}'
                continue
            row['ok'] = bool(entry.get('ok')) and status == 0
            row['error'] = entry.get('error') or ('' if status == 0 else f'exit {status}')
            row['width'], row['height'] = entry.get('width'), entry.get('height')
            row['decode_s'] = entry.get('decode_seconds')
            row['time_s'] = entry.get('vectorize_seconds')
            if row['decode_s'] is not None and row['time_s'] is not None:
                row['e2e_s'] = row['decode_s'] + row['time_s']
            svg = entry.get('output') or os.path.join(out, stem(img) + '.svg')
            if row['ok'] and os.path.exists(svg):
                row['svg'] = svg
                self.measure_svg(row)
            elif row['ok']:
                row['ok'] = False
                row['error'] = f'no SVG at {svg}'

    def measure_svg(self, row):
        with open(row['svg'], 'rb') as f:
            data = f.read()
        row['svg_bytes'] = len(data)
        row['paths'] = data.count(b'<path ') + data.count(b'<path\n') + data.count(b'<path\t')

    # potrace: one process per image, on the PBM beside the binary PNG.
    def run_potrace(self, set_name, images):
        out = self.out_dir(set_name, 'potrace', 'binary')
        log = os.path.join(self.logs, f'potrace-{set_name}.log')
        for img in images:
            row = self.new_row(set_name, img, 'potrace', 'binary')
            self.rows.append(row)
            if self.left() <= 0:
                row['error'] = 'skipped: bench deadline reached'
                continue
            pbm = os.path.splitext(img)[0] + '.pbm'
            svg = os.path.join(out, stem(img) + '.svg')
            cmd = ['taskset', '-c', '0', 'potrace', '-s', '-o', svg, pbm]
            status, wall, rss, timed_out = run_timed(cmd, self.limit(set_name), log)
            row.update(wall_s=wall, time_s=wall, e2e_s=wall, peak_rss_kb=rss)
            row['width'], row['height'] = image_size(img)
            if timed_out or status != 0 or not os.path.exists(svg):
                row['error'] = f'timeout after {wall:.0f} s' if timed_out else f'exit {status}: {tail(log)}'
                continue
            row['ok'] = True
            row['svg'] = svg
            self.measure_svg(row)

    # Node peers: one process per set, restarted past an image that overran or crashed it.
    def run_peer(self, set_name, engine, config, images):
        out = self.out_dir(set_name, engine, config)
        log = os.path.join(self.logs, f'{engine}-{set_name}-{config}.log')
        jobs_file = os.path.join(self.work, 'jobs', f'{engine}-{set_name}-{config}.json')
        os.makedirs(os.path.dirname(jobs_file), exist_ok=True)
        results = {}
        remaining = list(images)
        while remaining:
            if self.left() <= 0:
                for img in remaining:
                    results[img] = {'ok': False, 'error': 'skipped: bench deadline reached'}
                break
            items = [{'input': img, 'output': os.path.join(out, stem(img) + '.svg')}
                     for img in remaining]
            with open(jobs_file, 'w') as f:
                json.dump({'engine': engine, 'colormode': 'binary' if config == 'binary' else 'color',
                           'e2e': engine == 'vtracer' and not self.a.quick, 'items': items}, f)
            cmd = ['taskset', '-c', '0', self.node, os.path.join(HERE, 'peers.mjs'), 'run',
                   '--modules', self.a.modules, jobs_file]
            with open(log, 'ab') as lf:
                lf.write(('$ ' + ' '.join(cmd) + '\n').encode())
                lf.flush()
                p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=lf, start_new_session=True)
            sel = selectors.DefaultSelector()
            sel.register(p.stdout, selectors.EVENT_READ)
            current, before = None, None
            deadline = time.monotonic() + 60  # start-up
            buf = b''
            timed_out = False
            while True:
                wait = min(deadline, self.deadline + 5) - time.monotonic()
                if wait <= 0:
                    timed_out = True
                    os.killpg(p.pid, signal.SIGKILL)
                    break
                if not sel.select(timeout=min(wait, 1.0)):
                    continue
                chunk = os.read(p.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                buf += chunk
                while b'\n' in buf:
                    line, buf = buf.split(b'\n', 1)
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if ev.get('event') == 'start':
                        current, before = ev['input'], ev.get('max_rss_kb')
                        deadline = time.monotonic() + self.limit(set_name)
                    elif ev.get('event') == 'done':
                        ev['rss_before_kb'] = before
                        results[ev['input']] = ev
                        current = None
                        deadline = time.monotonic() + 60
            sel.close()
            p.stdout.close()
            status = p.wait()
            if current is not None:
                results[current] = {'ok': False, 'error': (
                    ('stopped: bench deadline reached' if self.left() < 0
                     else f'timeout after {self.limit(set_name)} s') if timed_out
                    else f'peer process ended (status {status}): {tail(log)}')}
            elif not results.keys() & set(remaining):  # no progress at all: give up on the rest
                for img in remaining:
                    results[img] = {'ok': False, 'error': f'peer process failed (status {status}): {tail(log)}'}
            remaining = [img for img in remaining if img not in results]
        for img in images:
            ev = results[img]
            row = self.new_row(set_name, img, engine, config)
            row.update(ok=bool(ev.get('ok')), error=ev.get('error', ''),
                       width=ev.get('width'), height=ev.get('height'),
                       decode_s=ev.get('decode_seconds'), time_s=ev.get('vectorize_seconds'),
                       e2e_s=ev.get('e2e_seconds'), peak_rss_kb=ev.get('max_rss_kb'),
                       rss_before_kb=ev.get('rss_before_kb'), same_e2e=ev.get('same_e2e'))
            if row['ok']:
                row['svg'] = ev['output']
                self.measure_svg(row)
            self.rows.append(row)

    # Rendering and SSIM for one set.
    def quality(self, set_name):
        rows = [r for r in self.rows if r['set'] == set_name and r['ok']]
        log = os.path.join(self.logs, f'render-{set_name}.log')
        by_input = {}
        for r in rows:
            if self.left() <= -600:
                r['error'] = 'not rendered: bench deadline reached'
                continue
            w, h = image_size(r['input'])
            png = os.path.join(self.work, 'render', set_name, f"{r['engine']}-{r['config']}",
                               r['image'] + '.png')
            os.makedirs(os.path.dirname(png), exist_ok=True)
            if os.path.exists(png):
                os.remove(png)
            cmd = ['taskset', '-c', '0', 'rsvg-convert', '-w', str(w), '-h', str(h), '-o', png,
                   r['svg']]
            status, _, _, timed_out = run_timed(cmd, 300, log)
            if status != 0 or not os.path.exists(png):
                r['error'] = 'render failed: ' + ('timeout' if timed_out else tail(log, 1))
                continue
            r['render'] = png
            by_input.setdefault(r['input'], []).append(r)
        for ref, group in by_input.items():
            cmd = self.ssim_cmd() + [ref] + [r['render'] for r in group]
            try:
                res = subprocess.run(['taskset', '-c', '0'] + cmd, capture_output=True, text=True,
                                     timeout=600)
            except subprocess.TimeoutExpired:
                for r in group:
                    r['error'] = 'ssim: timeout'
                continue
            values = {}
            for line in res.stdout.splitlines():
                parts = line.split('\t', 1)
                if len(parts) == 2:
                    try:
                        values[parts[1]] = float(parts[0])
                    except ValueError:
                        pass
            for r in group:
                if r['render'] in values:
                    r['ssim'] = values[r['render']]
                else:
                    r['error'] = 'ssim failed: ' + res.stderr.strip()[-200:]

    def ssim_cmd(self, tool=None):
        if (tool or self.ssim_tool) == 'ferry':
            return [self.ferry, 'ssim']
        return [self.node, os.path.join(HERE, 'peers.mjs'), 'ssim', '--modules', self.a.modules]

    def cross_check_ssim(self):
        """Compares Ferry's SSIM with peers.mjs's on up to 12 renders spread over the sets."""
        if self.ssim_tool != 'ferry':
            return
        done = [r for r in self.rows if r.get('ssim') is not None and r.get('render')]
        sample = spread(done, 12)
        diffs = []
        for r in sample:
            res = subprocess.run(self.ssim_cmd('node') + [r['input'], r['render']],
                                 capture_output=True, text=True, timeout=600)
            try:
                diffs.append(abs(float(res.stdout.split('\t')[0]) - r['ssim']))
            except ValueError:
                pass
        if diffs:
            self.ssim_check = {'pairs': len(diffs), 'max_abs_diff': max(diffs)}

    def run(self):
        a = self.a
        for d in ('out', 'render', 'reports', 'jobs', 'logs'):
            shutil.rmtree(os.path.join(self.work, d), ignore_errors=True)
        os.makedirs(self.logs, exist_ok=True)
        self.meta = {'date': datetime.datetime.now().isoformat(timespec='seconds'),
                     'host': platform.node(), 'cpu': cpu_model(), 'cores': os.cpu_count(),
                     'load_before': loadavg(), 'quick': a.quick, 'sets': a.sets,
                     'ferry': a.ferry if a.with_ferry else None, 'peers': a.with_peers,
                     'versions': versions(a)}
        self.ssim_tool = 'ferry' if a.ferry_ssim else 'node'
        self.meta['ssim_tool'] = ('ferry ssim' if self.ssim_tool == 'ferry'
                                  else 'peers.mjs ssim (Ferry has no ssim command)')
        say(f'load average before: {self.meta["load_before"]} ({os.cpu_count()} cores); '
            f'SSIM by {self.meta["ssim_tool"]}')
        for s in a.sets:
            images = set_images(self.work, s, a.quick)
            if not images:
                say(f'{s}: no images, skipped')
                continue
            t0 = time.monotonic()
            plan = []
            if s == 'binary':
                if a.with_ferry:
                    plan.append(('ferry', 'binary'))
                if a.with_peers:
                    plan += [('vtracer', 'binary'), ('potrace', 'binary')]
            else:
                if a.with_ferry:
                    plan.append(('ferry', 'default'))
                if a.with_peers:
                    plan.append(('vtracer', 'default'))
                    if s != 'mp10':
                        plan.append(('imagetracer', 'default'))
                if s == 'mp1' and a.with_ferry:
                    plan += [('ferry', p) for p in PRESETS]
            for engine, config in plan:
                t1 = time.monotonic()
                if engine == 'ferry':
                    self.run_ferry(s, config, images)
                elif engine == 'potrace':
                    self.run_potrace(s, images)
                else:
                    self.run_peer(s, engine, config, images)
                mine = [r for r in self.rows if r['set'] == s and r['engine'] == engine
                        and r['config'] == config]
                say(f'{s}: {engine}/{config}: {sum(r["ok"] for r in mine)}/{len(mine)} ok '
                    f'({time.monotonic() - t1:.1f} s)')
            self.quality(s)
            say(f'{s}: {len(images)} images done in {time.monotonic() - t0:.1f} s '
                f'(load {loadavg()})')
        self.cross_check_ssim()
        self.meta['load_after'] = loadavg()
        self.meta['ssim_check'] = self.ssim_check
        self.meta['seconds'] = round(time.monotonic() - (self.deadline - a.deadline), 1)
        save(self.work, self.meta, self.rows)


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def versions(a):
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None
    v = {'node': first_line([a.node, '--version']),
         'potrace': (first_line(['potrace', '--version']) or '').split('. Copyright')[0] or None,
         'rsvg-convert': first_line(['rsvg-convert', '--version'])}
    if a.with_ferry:
        v['ferry'] = first_line([a.ferry, '--version'])
    lock = os.path.join(a.modules, 'package-lock.json')
    try:
        with open(lock) as f:
            pk = json.load(f)['packages']
        for name in ('@neplex/vectorizer', 'imagetracerjs', 'pngjs', 'jpeg-js'):
            v[name] = pk.get('node_modules/' + name, {}).get('version')
    except (OSError, ValueError, KeyError):
        pass
    return v


def save(work, meta, rows):
    with open(os.path.join(work, 'rows.json'), 'w') as f:
        json.dump({'meta': meta, 'rows': rows}, f, indent=1)
    with open(os.path.join(work, 'rows.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow({k: fmt_csv(r.get(k)) for k in FIELDS})


def fmt_csv(v):
    if isinstance(v, float):
        return f'{v:.6g}'
    return '' if v is None else v


# --- Report ---------------------------------------------------------------------------------------

def f3(v):
    return '-' if v is None else f'{v:.3f}'


def f4(v):
    return '-' if v is None else f'{v:.4f}'


def fint(v):
    return '-' if v is None else f'{v:,.0f}'


def fs(v):  # seconds
    if v is None:
        return '-'
    return f'{v:.3f}' if v < 10 else f'{v:.1f}'


def fmb(kb):
    return '-' if kb is None else f'{kb / 1024:.0f} MB'


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def gmean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def ratio(a, b):
    return a / b if a is not None and b else None


def label(engine, config):
    return f'{ENGINE_NAMES.get(engine, engine)} {config}'


def group(rows, **kw):
    return [r for r in rows if all(r.get(k) == v for k, v in kw.items())]


def good(r):
    return r['ok'] and r.get('ssim') is not None


def pair(rows, set_names, a, b):
    """Images where both engine/config a and b succeeded and were measured: [(ra, rb)]."""
    index = {(r['set'], r['image'], r['engine'], r['config']): r for r in rows}
    out = []
    for r in rows:
        if r['set'] in set_names and (r['engine'], r['config']) == a and good(r):
            o = index.get((r['set'], r['image']) + b)
            if o is not None and good(o):
                out.append((r, o))
    return out


def compare(pairs):
    if not pairs:
        return None
    fa = [p[0] for p in pairs]
    fb = [p[1] for p in pairs]
    tot_a = sum(r['time_s'] for r in fa)
    tot_b = sum(r['time_s'] for r in fb)
    e2e = [(x['e2e_s'], y['e2e_s']) for x, y in pairs if x.get('e2e_s') and y.get('e2e_s')]
    return {
        'n': len(pairs),
        'time_a': tot_a, 'time_b': tot_b, 'time_ratio': ratio(tot_a, tot_b),
        'time_gmean_ratio': gmean([ratio(x['time_s'], y['time_s']) for x, y in pairs]),
        'e2e_ratio': ratio(sum(x for x, _ in e2e), sum(y for _, y in e2e)) if e2e else None,
        'ssim_a': mean([r['ssim'] for r in fa]), 'ssim_b': mean([r['ssim'] for r in fb]),
        'ssim_worse': sum(1 for x, y in pairs if x['ssim'] < y['ssim'] - 0.01),
        'bytes_ratio': ratio(sum(r['svg_bytes'] for r in fa), sum(r['svg_bytes'] for r in fb)),
        'paths_ratio': ratio(sum(r['paths'] for r in fa), sum(r['paths'] for r in fb)),
    }


def report(work):
    with open(os.path.join(work, 'rows.json')) as f:
        data = json.load(f)
    meta, rows = data['meta'], data['rows']
    L = []
    p = L.append
    p('# Vectorizer benchmark')
    p('')
    v = meta.get('versions', {})
    p(f"{meta['date']} on {meta.get('host')}: {meta.get('cpu')}, {meta.get('cores')} cores, every "
      f"engine on core 0 (taskset), one image at a time. Load average before "
      f"{meta.get('load_before')}, after {meta.get('load_after')}. "
      f"{'Quick run. ' if meta.get('quick') else ''}Run time {meta.get('seconds')} s.")
    p('')
    p(f"Ferry: {v.get('ferry') or 'not run'}; VTracer: @neplex/vectorizer "
      f"{v.get('@neplex/vectorizer')} (vectorizeRawSync, VTracer defaults, pathPrecision 2, "
      f"smallCircle 0); imagetracerjs {v.get('imagetracerjs')} (defaults); {v.get('potrace')}; "
      f"Node {v.get('node')}; decoding for Node: pngjs {v.get('pngjs')}, jpeg-js {v.get('jpeg-js')}. "
      f"Rendering: {v.get('rsvg-convert')} at each input's size. SSIM: {meta.get('ssim_tool')}"
      + (f"; cross-check against peers.mjs on {meta['ssim_check']['pairs']} renders: max |diff| "
         f"{meta['ssim_check']['max_abs_diff']:.2e}" if meta.get('ssim_check') else '') + '.')
    p('')
    p('Time is the tracing call alone on decoded pixels (Ferry: vectorize_seconds of its report; '
      'VTracer: vectorizeRawSync; imagetracerjs: imagedataToSVG; potrace: whole process). '
      'e2e adds decoding (VTracer: vectorizeSync on the file bytes). '
      'Ratios are Ferry / VTracer over the images both converted.')
    p('')

    # Goal line.
    g_pairs = pair(rows, COLOR_SETS, ('ferry', 'default'), ('vtracer', 'default'))
    g = compare(g_pairs)
    g_sets = [s for s in COLOR_SETS if group(rows, set=s, engine='ferry', config='default')
              and group(rows, set=s, engine='vtracer', config='default')]
    p('## Goal: at VTracer defaults, mean SSIM >= VTracer\'s and time <= 0.7x')
    p('')
    if g:
        fails_f = len([r for r in rows if r['set'] in g_sets and r['engine'] == 'ferry'
                       and r['config'] == 'default' and not good(r)])
        fails_v = len([r for r in rows if r['set'] in g_sets and r['engine'] == 'vtracer'
                       and r['config'] == 'default' and not good(r)])
        ok_ssim = g['ssim_a'] >= g['ssim_b']
        ok_time = g['time_ratio'] <= 0.7
        ok_fail = fails_f <= fails_v
        p(f"**{'MET' if ok_ssim and ok_time and ok_fail else 'NOT MET'}** on {g['n']} images of the colour sets "
          f"({', '.join(g_sets)}): "
          f"mean SSIM Ferry {f4(g['ssim_a'])} vs VTracer {f4(g['ssim_b'])} "
          f"({'ok' if ok_ssim else 'lower'}); total time {fs(g['time_a'])} s vs {fs(g['time_b'])} s "
          f"= {f3(g['time_ratio'])}x ({'ok' if ok_time else 'above 0.7'}; per-image geometric mean "
          f"{f3(g['time_gmean_ratio'])}x; e2e "
          f"{f3(g['e2e_ratio']) + 'x' if g['e2e_ratio'] else 'not measured'}); images not converted or not "
          f"measured: Ferry {fails_f}, VTracer {fails_v}{'' if ok_fail else ' (more for Ferry)'}. Images where Ferry's SSIM is more than 0.01 below VTracer's: "
          f"{g['ssim_worse']}.")
    else:
        p('Not measured (needs both Ferry and VTracer on at least one colour set).')
    p('')

    # Per set.
    sets = [s for s in SETS if any(r['set'] == s for r in rows)]
    p('## Per set')
    p('')
    p('| set | engine | ok | time total s | time mean s | time max s | e2e mean s | SSIM mean | '
      'SSIM min | SVG KB mean | paths mean | peak RSS |')
    p('|---|---|---|---|---|---|---|---|---|---|---|---|')
    combos = []
    for r in rows:
        c = (r['set'], r['engine'], r['config'])
        if c not in combos:
            combos.append(c)
    for s in sets:
        for (s2, e, c) in combos:
            if s2 != s:
                continue
            rs = group(rows, set=s, engine=e, config=c)
            ok = [r for r in rs if r['ok']]
            t = [r['time_s'] for r in ok if r.get('time_s') is not None]
            ss = [r['ssim'] for r in ok if r.get('ssim') is not None]
            p(f"| {s} | {label(e, c)} | {len(ok)}/{len(rs)} | {fs(sum(t) if t else None)} | "
              f"{fs(mean(t))} | {fs(max(t) if t else None)} | "
              f"{fs(mean([r.get('e2e_s') for r in ok]))} | {f4(mean(ss))} | "
              f"{f4(min(ss) if ss else None)} | "
              f"{f3(mean([r['svg_bytes'] / 1024 for r in ok if r.get('svg_bytes') is not None]))} | "
              f"{fint(mean([r.get('paths') for r in ok]))} | "
              f"{fmb(max([r['peak_rss_kb'] for r in rs if r.get('peak_rss_kb')], default=None))} |")
    p('')
    p('Peak RSS: Ferry per process (one image); Node peers the process\'s peak over the set, Node '
      'itself included.')
    p('')

    # Ferry / VTracer per set.
    cmp_rows = [(s, c, compare(pair(rows, [s], ('ferry', c), ('vtracer', c))))
                for s in sets for c in ('default', 'binary')]
    cmp_rows = [x for x in cmp_rows if x[2]]
    if g:
        cmp_rows.append(('all colour sets', 'default', g))
    if cmp_rows:
        p('## Ferry / VTracer')
        p('')
        p('| set | config | images | time ratio (total) | time ratio (geo. mean) | e2e ratio | '
          'SSIM Ferry | SSIM VTracer | SSIM diff | SSIM worse by >0.01 | bytes ratio | '
          'paths ratio |')
        p('|---|---|---|---|---|---|---|---|---|---|---|---|')
        for s, c, x in cmp_rows:
            p(f"| {s} | {c} | {x['n']} | {f3(x['time_ratio'])} | {f3(x['time_gmean_ratio'])} | "
              f"{f3(x['e2e_ratio'])} | {f4(x['ssim_a'])} | {f4(x['ssim_b'])} | "
              f"{x['ssim_a'] - x['ssim_b']:+.4f} | {x['ssim_worse']} | {f3(x['bytes_ratio'])} | "
              f"{f3(x['paths_ratio'])} |")
        p('')

    # Binary: Ferry vs potrace too.
    pb = compare(pair(rows, ['binary'], ('ferry', 'binary'), ('potrace', 'binary')))
    if pb:
        walls = pair(rows, ['binary'], ('ferry', 'binary'), ('potrace', 'binary'))
        wr = ratio(sum(x['wall_s'] for x, _ in walls), sum(y['wall_s'] for _, y in walls))
        p(f"Binary set, Ferry / potrace on {pb['n']} images: whole-process time ratio {f3(wr)} "
          f"(Ferry's tracing alone vs potrace's process: {f3(pb['time_ratio'])}), SSIM "
          f"{f4(pb['ssim_a'])} vs {f4(pb['ssim_b'])}, bytes ratio {f3(pb['bytes_ratio'])}, paths "
          f"ratio {f3(pb['paths_ratio'])}.")
        p('')

    # Presets.
    mp1 = [r for r in rows if r['set'] == 'mp1']
    if any(r['engine'] == 'ferry' and r['config'] in PRESETS for r in mp1):
        p('## Presets on the 1 MP set (one core)')
        p('')
        p('| preset | target | images | time mean s | time max s | SSIM mean | SSIM min | '
          'images meeting both | verdict |')
        p('|---|---|---|---|---|---|---|---|---|')
        for c, (tt, ts) in list(PRESETS.items()) + [('default', (None, None))]:
            for e in (('ferry',) if c != 'default' else ('ferry', 'vtracer')):
                rs = group(mp1, engine=e, config=c)
                if not rs:
                    continue
                ok = [r for r in rs if good(r)]
                t = [r['time_s'] for r in ok]
                ss = [r['ssim'] for r in ok]
                if tt is not None:
                    meet = sum(1 for r in ok if r['time_s'] < tt and r['ssim'] > ts)
                    if meet == len(rs):
                        verdict = 'met on every image'
                    elif ok and mean(t) < tt and mean(ss) > ts:
                        verdict = 'met on the mean only'
                    else:
                        verdict = 'NOT MET'
                    target = f'< {tt} s, SSIM > {ts}'
                    meet_s = f'{meet}/{len(rs)}'
                else:
                    target, meet_s, verdict = '(reference)', '-', '-'
                p(f"| {label(e, c)} | {target} | {len(ok)}/{len(rs)} | {fs(mean(t))} | "
                  f"{fs(max(t) if t else None)} | {f4(mean(ss))} | {f4(min(ss) if ss else None)} | "
                  f"{meet_s} | {verdict} |")
        p('')
        names = sorted({r['image'] for r in mp1})
        cols = [(e, c) for e, c in [('ferry', 'speed'), ('ferry', 'balanced'), ('ferry', 'quality'),
                                    ('ferry', 'default'), ('vtracer', 'default'),
                                    ('imagetracer', 'default')] if group(mp1, engine=e, config=c)]
        p('Per image (time s / SSIM):')
        p('')
        p('| image | ' + ' | '.join(label(e, c) for e, c in cols) + ' |')
        p('|---|' + '---|' * len(cols))
        for n in names:
            cells = []
            for e, c in cols:
                r = group(mp1, image=n, engine=e, config=c)
                r = r[0] if r else None
                cells.append('-' if not r else (f"{fs(r.get('time_s'))} / {f4(r.get('ssim'))}"
                                                if r['ok'] else 'failed'))
            p(f'| {n} | ' + ' | '.join(cells) + ' |')
        p('')

    # Memory: 10 MP.
    mp10 = [r for r in rows if r['set'] == 'mp10']
    if mp10:
        p('## 10 MP image: time and memory')
        p('')
        p('| image | engine | time s | e2e s | SSIM | SVG KB | paths | peak RSS | RSS before the image |')
        p('|---|---|---|---|---|---|---|---|---|')
        for r in mp10:
            p(f"| {r['image']} ({r.get('width')}x{r.get('height')}) | {label(r['engine'], r['config'])} | "
              f"{fs(r.get('time_s'))} | {fs(r.get('e2e_s'))} | {f4(r.get('ssim'))} | "
              f"{f3(r['svg_bytes'] / 1024) if r.get('svg_bytes') else '-'} | {fint(r.get('paths'))} | "
              f"{fmb(r.get('peak_rss_kb'))} | {fmb(r.get('rss_before_kb'))} |"
              + ('' if r['ok'] else f" failed: {r.get('error')}"))
        p('')

    # Worst images.
    pairs = pair(rows, COLOR_SETS + ['binary'], ('ferry', 'default'), ('vtracer', 'default')) + \
        pair(rows, ['binary'], ('ferry', 'binary'), ('vtracer', 'binary'))
    if pairs:
        p('## Largest SSIM deficits and time ratios, Ferry against VTracer')
        p('')
        p('| set | image | SSIM Ferry | SSIM VTracer | diff | time Ferry s | time VTracer s | ratio |')
        p('|---|---|---|---|---|---|---|---|')
        worst = sorted(pairs, key=lambda x: x[0]['ssim'] - x[1]['ssim'])[:8]
        slow = sorted(pairs, key=lambda x: -(ratio(x[0]['time_s'], x[1]['time_s']) or 0))[:8]
        for x, y in worst + [q for q in slow if q not in worst]:
            p(f"| {x['set']} | {x['image']} | {f4(x['ssim'])} | {f4(y['ssim'])} | "
              f"{x['ssim'] - y['ssim']:+.4f} | {fs(x['time_s'])} | {fs(y['time_s'])} | "
              f"{f3(ratio(x['time_s'], y['time_s']))} |")
        p('')

    failures = [r for r in rows if not r['ok'] or (r['ok'] and r.get('ssim') is None)]
    if failures:
        p(f'## Failures ({len(failures)})')
        p('')
        for r in failures[:40]:
            p(f"- {r['set']}/{r['image']} {label(r['engine'], r['config'])}: {r.get('error') or 'no SSIM'}")
        if len(failures) > 40:
            p(f'- ... and {len(failures) - 40} more (rows.csv)')
        p('')
    p(f'Raw rows: {os.path.join(work, "rows.csv")} and rows.json; per image: '
      f'{os.path.join(work, "per_image.md")}.')
    summary = '\n'.join(L) + '\n'
    with open(os.path.join(work, 'summary.md'), 'w') as f:
        f.write(summary)
    with open(os.path.join(work, 'per_image.md'), 'w') as f:
        f.write(per_image(rows))
    return summary


def per_image(rows):
    L = ['# Vectorizer benchmark, per image', '',
         'Each cell: time s / SSIM / SVG KB / paths (failed: the error).', '']
    for s in SETS:
        rs = [r for r in rows if r['set'] == s]
        if not rs:
            continue
        cols = []
        for r in rs:
            c = (r['engine'], r['config'])
            if c not in cols:
                cols.append(c)
        L.append(f'## {s}')
        L.append('')
        L.append('| image | size | ' + ' | '.join(label(*c) for c in cols) + ' |')
        L.append('|---|---|' + '---|' * len(cols))
        index = {(r['image'], r['engine'], r['config']): r for r in rs}
        for name in sorted({r['image'] for r in rs}):
            size = next((f"{r['width']}x{r['height']}" for r in rs
                         if r['image'] == name and r.get('width')), '-')
            cells = []
            for c in cols:
                r = index.get((name,) + c)
                if r is None:
                    cells.append('-')
                elif not r['ok']:
                    cells.append('failed: ' + (r.get('error') or '')[:60].replace('|', '/'))
                else:
                    cells.append(f"{fs(r.get('time_s'))} / {f4(r.get('ssim'))} / "
                                 f"{r['svg_bytes'] / 1024:.1f} / {r.get('paths')}")
            L.append(f'| {name} | {size} | ' + ' | '.join(cells) + ' |')
        L.append('')
    return '\n'.join(L) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--work', required=True)
    ap.add_argument('--ferry', required=True)
    ap.add_argument('--node', required=True)
    ap.add_argument('--modules', required=True, help='the directory npm ci installed the peers in')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--sets', default=','.join(SETS))
    ap.add_argument('--no-peers', dest='with_peers', action='store_false')
    ap.add_argument('--no-ferry', dest='with_ferry', action='store_false')
    ap.add_argument('--no-ferry-ssim', dest='ferry_ssim', action='store_false',
                    help='Ferry has no ssim command: use peers.mjs')
    ap.add_argument('--timeout', type=float, default=120,
                    help='seconds per image and engine (5x on the 10 MP set)')
    ap.add_argument('--deadline', type=float, default=2400,
                    help='seconds for the whole run; what is left is skipped and reported')
    ap.add_argument('--report-only', action='store_true')
    a = ap.parse_args()
    a.sets = [s for s in a.sets.split(',') if s]
    bad = [s for s in a.sets if s not in SETS]
    if bad:
        sys.exit(f'bench.py: unknown set(s) {",".join(bad)}; sets are {",".join(SETS)}')
    if not a.with_ferry:
        a.ferry_ssim = False
    if not a.report_only:
        Bench(a).run()
    print(report(a.work), end='')


if __name__ == '__main__':
    main()
