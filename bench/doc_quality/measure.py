#!/usr/bin/env python3
"""Compares Ferry's Markdown with Docling's ground truth, file by file (stdlib only).

Usage: measure.py CORPUS_DIR FERRY_OUT_DIR [--json FILE]
  CORPUS_DIR: ../shared/corpus/docling (one directory per format, sources/ and groundtruth/)
  FERRY_OUT_DIR: <format>/<source name without extension>.md as `ferry convert` wrote them

Measures (each in [0, 1]; the same for every file and format, nothing tuned to a file):
  text      similarity of the two texts once Markdown markup is removed and whitespace collapsed:
            difflib's ratio over the word sequences
  headings  recall of the ground truth's headings, matched on normalized text and level
  cells     F1 of table cells (normalized texts, as multisets)
  lists     recall of list items (normalized texts, as a multiset)
A measure a file gives no basis for (no headings in the ground truth, ...) is left out of its
averages. A file Ferry could not convert scores 0 on every measure it has.
"""
import collections
import difflib
import json
import os
import re
import sys

HEADING = re.compile(r'^(#{1,6})\s+(.*)$')
LIST_ITEM = re.compile(r'^\s*(?:[-*+]|\d+[.)])\s+(.*)$')
TABLE_RULE = re.compile(r'^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$')


def norm(text):
    text = re.sub(r'!\[([^\]]*)\]\([^)]*\)', r'\1', text)  # images: alt text
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)   # links: their text
    text = re.sub(r'<!--.*?-->', ' ', text)
    text = text.replace('\\_', '_')
    text = re.sub(r'[*_`~#|>]+', ' ', text)
    return ' '.join(text.lower().split())


def parse(md):
    headings, cells, items, prose = [], [], [], []
    for line in md.splitlines():
        s = line.strip()
        if not s:
            continue
        m = HEADING.match(s)
        if m:
            headings.append((len(m.group(1)), norm(m.group(2))))
            prose.append(m.group(2))
            continue
        if s.startswith('|'):
            if TABLE_RULE.match(s):
                continue
            parts = [c for c in re.split(r'(?<!\\)\|', s.strip('|'))]
            cells.extend(norm(c) for c in parts)
            prose.append(' '.join(parts))
            continue
        m = LIST_ITEM.match(line)
        if m:
            items.append(norm(m.group(1)))
            prose.append(m.group(1))
            continue
        prose.append(s)
    return headings, cells, items, norm('\n'.join(prose)).split()


def recall(truth, found):
    if not truth:
        return None
    have = collections.Counter(found)
    hit = 0
    for t in truth:
        if have[t] > 0:
            have[t] -= 1
            hit += 1
    return hit / len(truth)


def f1(truth, found):
    if not truth and not found:
        return None
    t, f = collections.Counter(truth), collections.Counter(found)
    common = sum((t & f).values())
    if common == 0:
        return 0.0
    p, r = common / sum(f.values()), common / sum(t.values())
    return 2 * p * r / (p + r)


def compare(truth_md, ferry_md):
    th, tc, ti, tw = parse(truth_md)
    fh, fc, fi, fw = parse(ferry_md)
    matcher = difflib.SequenceMatcher(None, tw, fw, autojunk=False)
    return {
        'text': matcher.ratio() if (tw or fw) else 1.0,
        'headings': recall(th, fh),
        'cells': f1([c for c in tc if c], [c for c in fc if c]),
        'lists': recall(ti, fi),
    }


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def fmt(v):
    return '   -  ' if v is None else f'{v:6.3f}'


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    json_out = sys.argv[sys.argv.index('--json') + 1] if '--json' in sys.argv else None
    rows = []
    for fmt_dir in sorted(os.listdir(corpus)):
        src_dir = os.path.join(corpus, fmt_dir, 'sources')
        if not os.path.isdir(src_dir):
            continue
        for source in sorted(os.listdir(src_dir)):
            # Docling names its ground truth "<file>.md" for most formats, "<stem>.md" for PDF.
            truth_dir = os.path.join(corpus, fmt_dir, 'groundtruth')
            truth_path = os.path.join(truth_dir, source + '.md')
            if not os.path.exists(truth_path):
                truth_path = os.path.join(truth_dir, os.path.splitext(source)[0] + '.md')
            if not os.path.exists(truth_path):
                continue
            with open(truth_path, encoding='utf-8', errors='replace') as f:
                truth = f.read()
            ferry_path = os.path.join(out, fmt_dir, os.path.splitext(source)[0] + '.md')
            if os.path.exists(ferry_path):
                with open(ferry_path, encoding='utf-8', errors='replace') as f:
                    scores = compare(truth, f.read())
                converted = True
            else:
                scores = {k: (0.0 if v is not None else None)
                          for k, v in compare(truth, truth).items()}
                converted = False
            rows.append({'format': fmt_dir, 'file': source, 'converted': converted, **scores})

    print(f'{"format":10} {"file":45} {"text":>6} {"head":>6} {"cells":>6} {"lists":>6}')
    for r in rows:
        note = '' if r['converted'] else '  (not converted)'
        print(f'{r["format"]:10} {r["file"][:45]:45} {fmt(r["text"])} {fmt(r["headings"])} '
              f'{fmt(r["cells"])} {fmt(r["lists"])}{note}')
    print()
    print(f'{"format":10} {"files":>5} {"conv":>5} {"text":>6} {"head":>6} {"cells":>6} {"lists":>6}')
    summary = {}
    for name in sorted({r['format'] for r in rows}) + ['overall']:
        group = [r for r in rows if name == 'overall' or r['format'] == name]
        s = {k: mean([r[k] for r in group]) for k in ('text', 'headings', 'cells', 'lists')}
        s['files'] = len(group)
        s['converted'] = sum(r['converted'] for r in group)
        summary[name] = s
        print(f'{name:10} {s["files"]:5} {s["converted"]:5} {fmt(s["text"])} {fmt(s["headings"])} '
              f'{fmt(s["cells"])} {fmt(s["lists"])}')
    if json_out:
        with open(json_out, 'w') as f:
            json.dump({'files': rows, 'summary': summary}, f, indent=1)


if __name__ == '__main__':
    main()
