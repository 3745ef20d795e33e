# The suite games, random:N:SEED from the same SplitMix64 stream as Games.java.
import numpy as np
M64 = (1 << 64) - 1
class SplitMix64:
    def __init__(self, seed): self.s = seed & M64
    def next_long(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)
    def next_double(self): return (self.next_long() >> 11) * 2.0**-53

def random_game(n, seed):
    rng = SplitMix64(seed)
    while True:
        p = np.full((n, n), 0.5)
        for i in range(n):
            for j in range(i + 1, n):
                u = rng.next_double(); p[i, j] = u; p[j, i] = 1.0 - u
        if not any(all(p[i, j] > 0.5 for j in range(n) if j != i) for i in range(n)):
            w = 1.0 / np.arange(1, n + 1); return p, w / w.sum()

def game(spec):
    if spec == 'rps':
        return np.array([[.5, 0, 1], [1, .5, 0], [0, 1, .5]]), np.array([.7, .2, .1])
    if spec == 'perturbed-rps':
        return np.array([[.5, 0, 1], [1, .5, 1/3], [0, 2/3, .5]]), np.array([.7, .2, .1])
    if spec == 'condorcet':
        w, l = 2/3, 1/3
        return np.array([[.5, w, l], [l, .5, w], [w, l, .5]]), np.array([.1, .2, .7])
    _, n, s = spec.split(':'); return random_game(int(n), int(s))

SUITE = ['rps', 'perturbed-rps', 'condorcet'] + [f'random:{n}:{s}' for n in (5, 10, 30, 50) for s in (1, 2, 3)]
SMALL = SUITE[:9]

def nash(P):
    """A Nash equilibrium of the symmetric game P by linear programming: x >= 0, sum x = 1,
    (P - 1/2) x <= 0."""
    from scipy.optimize import linprog
    n = len(P)
    return linprog(np.zeros(n), A_ub=P - .5, b_ub=np.zeros(n), A_eq=np.ones((1, n)), b_eq=[1],
                   bounds=[(0, None)] * n).x
