# Usage: python3 compare.py A0.txt,A1.txt B0.txt,B1.txt: sweep.py outputs, A the baseline.
import sys


def load(files):
    d = {}
    for f in files.split(','):
        for line in open(f):
            spec, j, k, g = line.split()
            d[(spec, int(j))] = (None if k == 'None' else int(k), float(g))
    return d


a, b = load(sys.argv[1]), load(sys.argv[2])
keys = [k for k in a if k in b]
print('runs', len(keys), 'settled below 1e-6: A', sum(a[k][0] is not None for k in keys),
      'B', sum(b[k][0] is not None for k in keys))
print('worst final gap: A %.1e B %.1e' % (max(a[k][1] for k in keys), max(b[k][1] for k in keys)))
print('final gap above 1e-3: A', sum(a[k][1] > 1e-3 for k in keys), 'B', sum(b[k][1] > 1e-3 for k in keys))
slower = lambda x, y: x[0] is not None and (y[0] is None or y[0] > 1.5 * x[0] + 50)
print('B slower (1.5x + 50, or not settled) on', sum(slower(a[k], b[k]) for k in keys),
      'runs; faster on', sum(slower(b[k], a[k]) for k in keys))
