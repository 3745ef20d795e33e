# Conditioning of the local map at the Nash equilibrium in the two geometries, and a Euclidean
# baseline. MPO's entropy mirror map sees M = D^(1/2) A D^(1/2) on the tangent space orthogonal to
# sqrt(x) (D = diag(x), A = P - 1/2 on the support); a Euclidean mirror map sees A itself on the
# sum-zero tangent space. Both are skew, so their eigenvalues are i s; kappa = s_max / s_min.
# Then projected optimistic gradient (Euclidean geometry, constant step) on the suite.
# Usage: python3 geometry.py [STEP ...]
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from games import game, nash, SUITE
from mpo import settle


def moduli(M, u):
    """Moduli of the eigenvalues of M restricted to the orthogonal complement of u."""
    k = len(u); u = u / np.linalg.norm(u)
    Q = np.linalg.qr(np.column_stack([u, np.eye(k)[:, :k - 1]]))[0][:, 1:]
    s = np.abs(np.linalg.eigvals(Q.T @ M @ Q)); return s.min(), s.max()


def proj(v):
    """Euclidean projection onto the simplex."""
    u = np.sort(v)[::-1]; css = np.cumsum(u); k = np.arange(1, len(v) + 1)
    r = np.nonzero(u * k > css - 1)[0][-1]; return np.maximum(v - (css[r] - 1) / (r + 1), 0)


def ogda(P, x, step, iters=20000):
    g = np.empty(iters + 1); prev = P @ x
    for t in range(iters + 1):
        r = P @ x; g[t] = 2 * r.max() - 1
        if t == iters: break
        x = proj(x + step * (2 * r - prev)); prev = r
    return g


print('game | support | entropy: s_min s_max kappa | Euclidean: s_min s_max kappa')
for spec in ('random:10:1', 'random:10:2', 'random:30:1', 'random:50:1', 'random:50:2'):
    P, _ = game(spec); x = nash(P); S = np.flatnonzero(x > 1e-9); A = P[np.ix_(S, S)] - .5
    d = np.sqrt(x[S])
    a, b = moduli(d[:, None] * A * d[None, :], d)  # entropy
    c, e = moduli(A, np.ones(len(S)))  # Euclidean
    print(f'{spec} | {len(S)} of {len(P)} | {a:.4f} {b:.3f} {b / a:.0f} | '
          f'{c:.4f} {e:.3f} {e / c:.0f}')
for step in map(float, sys.argv[1:]):
    cells = []
    for spec in SUITE:
        g = ogda(*game(spec), step); k = settle(g, 1e-6)
        cells.append(f'{spec}:' + (str(k) if k is not None else f'({g[-1]:.0e})'))
    print(f'ogda step {step:g} |', ' '.join(cells), flush=True)
