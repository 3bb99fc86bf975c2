#!/usr/bin/env python3
"""Times document conversion: Ferry against pandoc (DOCX and HTML to Markdown) and pdftotext
-layout (PDF), on the same files in the same run, and reports throughput and peak RSS.

Usage: speed.py FERRY CORPUS_DIR WORK_DIR [--repeat N]

Three views:
  per process  every converter runs once per file as its own process (the command-line use),
               repeated N times; wall time summed; peak RSS is the largest child's ru_maxrss.
  in process   Ferry converts the whole set in one `ferry convert DIR --jobs 1` (the server's
               use: no process start per file). pandoc and pdftotext have no such mode.
               Its "failed" column is 1 when that run exited non-zero (any file failed).
  conversion   the conversion time that same run reports on its summary line: in process
               without the one process start (an MCP server starts once; the peers still pay
               theirs per file).
Throughput is input megabytes per second (and pages per second for PDF, pages counted with
pdfinfo). Ratios compare Ferry with the peer on the same files.
"""
import os
import shutil
import subprocess
import sys
import time


def run(cmd, out_path=None, err_path=None):
    """Runs cmd; returns (seconds, peak RSS in KB, exit code)."""
    out = open(out_path, 'wb') if out_path else subprocess.DEVNULL
    err = open(err_path, 'wb') if err_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    for f in (out, err):
        if f is not subprocess.DEVNULL:
            f.close()
    return seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def reported_seconds(log_path):
    """The conversion time `ferry convert` reports on its summary line ("..., 0.012 s (1 jobs)")."""
    with open(log_path, encoding='utf-8', errors='replace') as f:
        last = f.read().strip().splitlines()[-1]
    return float(last.rsplit(',', 1)[1].split()[0])


def pages(pdf):
    try:
        info = subprocess.run(['pdfinfo', pdf], capture_output=True, text=True, timeout=30).stdout
        for line in info.splitlines():
            if line.startswith('Pages:'):
                return int(line.split()[1])
    except Exception:
        pass
    return 0


def main():
    ferry, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    repeat = int(sys.argv[sys.argv.index('--repeat') + 1]) if '--repeat' in sys.argv else 3
    os.makedirs(work, exist_ok=True)
    peers = {
        'docx': ('pandoc', lambda f: ['pandoc', '-f', 'docx', '-t', 'gfm', f]),
        'html': ('pandoc', lambda f: ['pandoc', '-f', 'html', '-t', 'gfm', f]),
        'pdf': ('pdftotext -layout', lambda f: ['pdftotext', '-layout', f, '-']),
    }
    print(f'{"format":6} {"files":>5} {"MB":>7} {"tool":18} {"s (x%d)" % repeat:>9} {"MB/s":>8} '
          f'{"pages/s":>8} {"peak RSS MB":>11} {"failed":>6}')
    for fmt, (peer_name, peer_cmd) in peers.items():
        src = os.path.join(corpus, fmt, 'sources')
        if not os.path.isdir(src):
            continue
        files = sorted(os.path.join(src, f) for f in os.listdir(src))
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        npages = sum(pages(f) for f in files) if fmt == 'pdf' else 0
        results = {}
        for name, cmd in (('ferry', lambda f: [ferry, 'convert', f, '--to', 'md', '--out',
                                                os.path.join(work, 'ferry'), '--jobs', '1']),
                          (peer_name, peer_cmd)):
            if shutil.which(cmd('x')[0]) is None:
                results[name] = None
                continue
            total, peak, failed = 0.0, 0, 0
            for _ in range(repeat):
                for f in files:
                    s, rss, code = run(cmd(f))
                    total += s
                    peak = max(peak, rss)
                    failed += code != 0
            results[name] = (total, peak, failed // repeat)
        # In process: the whole directory in one Ferry run; and the conversion time that run
        # reports, without its process start (what an MCP server, started once, spends).
        s_in, s_conv, failed_in = 0.0, 0.0, 0
        log = os.path.join(work, 'ferry-dir.log')
        for _ in range(repeat):
            s, rss_in, code = run([ferry, 'convert', src, '--to', 'md', '--out',
                                   os.path.join(work, 'ferry-dir'), '--jobs', '1'], err_path=log)
            s_in += s
            s_conv += reported_seconds(log)
            failed_in = int(code != 0)
        results['ferry (in process)'] = (s_in, rss_in, failed_in)
        results['ferry (conversion)'] = (s_conv, rss_in, failed_in)
        for name, r in results.items():
            if r is None:
                print(f'{fmt:6} {len(files):5} {mb:7.2f} {name:18} {"not installed":>9}')
                continue
            total, peak, failed = r
            mbps = mb * repeat / total if total else 0
            pps = npages * repeat / total if total and npages else 0
            print(f'{fmt:6} {len(files):5} {mb:7.2f} {name:18} {total:9.3f} {mbps:8.2f} '
                  f'{pps:8.1f} {peak / 1024:11.1f} {failed:6}')
        f, p = results.get('ferry'), results.get(peer_name)
        if f and f[2] > 0:
            print(f'{fmt:6} no ratio: Ferry failed on {f[2]} file(s), so its time is not comparable')
        elif f and p and f[0] > 0:
            print(f'{fmt:6} Ferry / {peer_name}: {p[0] / f[0]:.1f}x per process, '
                  f'{p[0] / results["ferry (in process)"][0]:.1f}x in process, '
                  f'{p[0] / results["ferry (conversion)"][0]:.1f}x conversion only')
        print()


if __name__ == '__main__':
    main()
