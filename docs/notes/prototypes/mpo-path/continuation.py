# Prototype of MPO's path schedule (learner.tabular.PathMpo; docs/notes/games-benchmark-history.md, "The path
# schedule"). Every iteration is one MMD step (eta, alpha) with a fixed magnet and one oracle call,
# accelerated by type-II Anderson within a level:
# - path levels: the magnet stays at the start and alpha shrinks by q per solved level (the level's
#   fixed point is the regularized equilibrium of qre.py); a level not solved within maxin steps is
#   taken back to the last solved one with a shorter step (sqrt of the last factor); past `giveup`,
#   or once a solved level's gap is at most `switch`, the path ends;
# - proximal levels: the magnet is reset to the policy (rho <- pi, with the magnet lift L) at the
#   end of each level, alpha kept; an unsolved level sets it where the level ended (restore=True:
#   at the level's best point, which stalled on some starts).
# A level is solved when its residual (the centered MMD step, pi-weighted L1) is at most rtol times
# alpha (path) or rtol times its first residual (proximal); an iterate whose residual passes `grow`
# times the level's best goes back to the best. Anderson: memory m (or 'support': the strategies
# above mthr of the largest probability, minus one), singular values below reg dropped. Extrapolation
# safeguards tried: clipmode 'all' (the centered extrapolation scaled so that no log-probability moves
# more than clip; PathMpo's), 'soft' (each strategy weighted by pi_i / (pi_i + thr max pi) in that
# scaling, and none raised by more than clip), 'mixed' (the scaling taken over the strategies above
# thr of the largest, the rest clamped one by one); active (strategies below active times the largest
# keep the plain step); jump (strategies below jump times the largest go to their own fixed point of
# the step, at most up to that threshold). c: a fixed log step per unit payoff instead of eta.
# Usage: python3 continuation.py "KWARGS" [GAMES] [ITERS]: one suite row (settle below 1e-6, or the
#          final gap and the settle below 1e-4);
#        python3 continuation.py "KWARGS" starts GAMES ITERS: ten flat-Dirichlet random starts each;
#        python3 continuation.py "KWARGS" trace GAME ITERS: one line per level;
#        python3 continuation.py "KWARGS" sweep PART PARTS: mpo-lift/sweep.py's 216 games and output.
import os, sys, math, numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from games import game, SUITE
from mpo import normalize, settle, random_starts


class Continuation:
    def __init__(self, P, start, alpha0=.5, q=.7, eta=1., c=None, m='support', mthr=1e-2, rtol=.1,
                 maxin=40, switch=1e-3, clip=1., clipmode='all', thr=1e-5, active=None, jump=None,
                 reg=1e-8, grow=10., giveup=.95, L=10., restore=False, trace=False):
        self.P = P; self.mag, self.pi = normalize(np.log(start)); self.z = self.mag.copy()
        self.r = P @ self.pi; self.alpha = alpha0; self.q, self.eta, self.c = q, eta, c
        self.m, self.mthr, self.rtol, self.maxin, self.switch = m, mthr, rtol, maxin, switch
        self.clip, self.clipmode, self.thr, self.active, self.jump = clip, clipmode, thr, active, jump
        self.reg, self.grow, self.giveup, self.L, self.restore = reg, grow, giveup, L, restore
        self.trace = trace
        self.proximal = False; self.qk = q; self.levels = 0; self.t = 0
        self.solved = self.state() + (alpha0,)
        self.new_level()

    def state(self):
        return self.z.copy(), self.pi.copy(), self.r.copy(), self.mag.copy()

    def new_level(self):
        self.X, self.G = [], []; self.inner = 0; self.best = None; self.res0 = None

    def mmd(self):
        """One MMD step from the policy with the fixed magnet: eta / (1 + eta alpha) = c."""
        c = self.eta / (1 + self.eta * self.alpha) if self.c is None else min(self.c, .5 / self.alpha)
        a = 1 - c * self.alpha
        w = a * self.z + (1 - a) * self.mag + c * self.r; g = normalize(w)[0]
        if self.jump is not None:
            # each strategy's own fixed point of this step, the others' payoffs and normalizer held
            self.fixed = self.mag + (c * self.r - (w[0] - g[0])) / (1 - a)
        return g

    def norm(self, d):
        e = d - self.pi @ d; return self.pi @ np.abs(e)

    def step(self):
        g = self.mmd(); res = self.norm(g - self.z); self.inner += 1
        if self.res0 is None: self.res0 = res
        if self.best is None or res < self.best[0]: self.best = (res,) + self.state()
        elif res > self.grow * self.best[0]:
            self.z, self.pi, self.r = (v.copy() for v in self.best[1:4]); self.X, self.G = [], []
            g = self.mmd(); res = self.best[0]
        solved = res <= self.rtol * (self.res0 if self.proximal else self.alpha) or res < 1e-13
        if solved or self.inner >= self.maxin:
            self.end_level(solved, res); g = self.mmd()
        self.extrapolate(g); self.t += 1

    def end_level(self, solved, res):
        gap = 2 * self.r.max() - 1
        if self.trace:
            print(f'{self.t} level {self.levels} {"proximal" if self.proximal else "path"} alpha '
                  f'{self.alpha:.2e} steps {self.inner} residual {res:.1e} gap {gap:.2e}'
                  + ('' if solved else ' (not solved)'))
        self.levels += 1
        if self.proximal:
            if not solved and self.restore: self.z, self.pi, self.r = (v.copy() for v in self.best[1:4])
            self.set_magnet()
        elif solved or self.qk > self.giveup:
            if not solved: self.z, self.pi, self.r = (v.copy() for v in self.best[1:4])
            self.solved = self.state() + (self.alpha,)
            if gap <= self.switch or not solved:
                self.proximal = True; self.set_magnet()
            else:
                self.qk = max(self.q, self.qk ** 2); self.alpha *= self.qk
        else:
            z, pi, r, mag, alpha = self.solved
            self.z, self.pi, self.r, self.mag = z.copy(), pi.copy(), r.copy(), mag.copy()
            self.qk = math.sqrt(self.qk); self.alpha = alpha * self.qk
        self.new_level()

    def set_magnet(self):
        """rho <- pi, with MPO's magnet lift: a strategy that beats the policy and lies more than L
        nats below the most probable one is raised to that floor."""
        self.mag = self.z.copy()
        if self.L:
            floor = self.mag.max() - self.L; up = (self.r > .5) & (self.mag < floor)
            if up.any(): self.mag[up] = floor; self.mag = normalize(self.mag)[0]

    def extrapolate(self, g):
        self.X.append(self.z.copy()); self.G.append(g)
        m = self.m if self.m != 'support' else max(1, int((self.pi >= self.mthr * self.pi.max()).sum()) - 1)
        while len(self.X) > m + 1: self.X.pop(0); self.G.pop(0)
        cand = g
        if len(self.X) >= 2:
            w = self.pi; sw = np.sqrt(w); cen = lambda v: v - w @ v
            F = [gg - xx for xx, gg in zip(self.X, self.G)]
            dF = np.stack([cen(F[i + 1] - F[i]) for i in range(len(F) - 1)], 1) * sw[:, None]
            dG = np.stack([self.G[i + 1] - self.G[i] for i in range(len(F) - 1)], 1)
            gam = np.linalg.lstsq(dF, cen(F[-1]) * sw, rcond=self.reg)[0]
            cand = g - dG @ gam
            if not np.all(np.isfinite(cand)): cand = g; self.X, self.G = [], []
            if self.active is not None:
                cand = np.where(self.pi < self.active * self.pi.max(), g, cand)
            if self.jump is not None:
                # strategies of negligible mass: straight to their own fixed point, at most up to
                # the threshold of negligible mass; the clip looks at the others only
                top = self.z.max() + math.log(self.jump); neg = self.z < top
                cand = np.where(neg, np.minimum(self.fixed, top), cand)
                d = cand - g; d -= self.pi @ d
                big = np.abs(np.where(neg, 0, d)).max()
                if big > self.clip: d = np.where(neg, d, d * self.clip / big)
                cand = g + d
                self.z, self.pi = normalize(cand); self.r = self.P @ self.pi; return
            d = cand - g; d -= self.pi @ d
            if self.clipmode == 'mixed':
                # the whole move scaled by the significant strategies, the rest clamped one by one
                sig = self.pi >= self.thr * self.pi.max(); big = np.abs(d[sig]).max()
                if big > self.clip: d = d * (self.clip / big)
                d = np.clip(d, -self.clip, self.clip)
            elif self.clipmode == 'soft':
                big = np.abs(self.pi / (self.pi + self.thr * self.pi.max()) * d).max()
                if big > self.clip: d *= self.clip / big
                d = np.minimum(d, self.clip)
            else:
                big = np.abs(d).max()
                if big > self.clip: d *= self.clip / big
            cand = g + d
        self.z, self.pi = normalize(cand); self.r = self.P @ self.pi


def run(P, start, iters, kw):
    s = Continuation(P, start, **kw); g = np.empty(iters + 1)
    for t in range(iters + 1):
        g[t] = 2 * (P @ s.pi).max() - 1
        if t == iters: break
        s.step()
    return g


if __name__ == '__main__':
    kw = eval('dict(' + sys.argv[1] + ')') if len(sys.argv) > 1 else {}
    if len(sys.argv) > 2 and sys.argv[2] == 'starts':
        for spec in sys.argv[3].split(','):
            P, w = game(spec)
            print(spec, '|', random_starts(P, len(w), lambda st: run(P, st, int(sys.argv[4]), kw)), flush=True)
    elif len(sys.argv) > 2 and sys.argv[2] == 'sweep':
        part, parts = int(sys.argv[3]), int(sys.argv[4])
        for spec in [f'random:{n}:{s}' for n in range(3, 21) for s in range(100, 112)][part::parts]:
            P, w = game(spec)
            for j, st in enumerate([w] + [np.random.default_rng(k).dirichlet(np.ones(len(w))) for k in (1, 2)]):
                g = run(P, st, 20000, kw); print(spec, j, settle(g, 1e-6), f'{g[-1]:.2e}', flush=True)
    elif len(sys.argv) > 2 and sys.argv[2] == 'trace':
        P, w = game(sys.argv[3]); run(P, w, int(sys.argv[4]), dict(kw, trace=True))
    else:
        cells = []
        for spec in (sys.argv[2].split(',') if len(sys.argv) > 2 else SUITE):
            P, w = game(spec); g = run(P, w, int(sys.argv[3]) if len(sys.argv) > 3 else 20000, kw)
            k, k4 = settle(g, 1e-6), settle(g, 1e-4)
            cells.append(f'{spec}:' + (str(k) if k is not None else f'({g[-1]:.0e}, 1e-4 at {k4})'))
        print(' '.join(cells), flush=True)
