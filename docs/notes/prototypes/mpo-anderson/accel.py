# Prototype of Anderson acceleration of MPO's magnet (docs/notes/games-benchmark-history.md, "Acceleration of
# the magnet sequence"). Not part of the build.
import numpy as np, math
from mpo import normalize

def center(v, w):
    return v - w @ v

class Anderson:
    """Type-II Anderson acceleration (Anderson 1965; Walker and Ni 2011) of MPO's magnet map
    rho_{k+1} = T(rho_k) (one phase from pi = rho_k), in log space, least squares in the local
    Fisher norm at the current policy (weights='flat': unweighted). At every reset, with x the
    phase's start and g = T(x): gamma = argmin ||f - dF gamma||, candidate = g - dG gamma.

    m: memory. mode: 'restart' (policy and magnet restart at the candidate; the oracle call this
    needs is counted as one iteration), 'free' (the same, not counted), 'magnet' (only the magnet
    moves). guard: 'res' (clear the history and take the plain step when the residual grows by more
    than c), 'gap' (accept the candidate only if its gap <= gap_factor times the gap at g; else stay
    at g and clear the history, or keep it with keep_on_reject), 'both', 'none'. active: strategies
    below active * max(pi) are not extrapolated. clip: the centered extrapolation g -> candidate is
    scaled so that no log-probability moves by more than clip. stage2_only, gap_start, slow: when
    to extrapolate (only in stage 2; from the first gap <= gap_start; only where the residual shrank
    by less than the factor slow over the last phase). tol: no extrapolation (and the history
    cleared) while the phase's residual is below tol, where it is round-off."""
    def __init__(self, m=5, mode='restart', guard='res', c=1.0, reg=1e-10, maxstep=None, start_after=0,
                 stage2_only=False, beta=1.0, weights='fisher', gap_start=None, active=None, clip=None, gap_factor=1.0, keep_on_reject=False, slow=None,
                 tol=0.):
        self.m, self.mode, self.guard, self.c, self.reg = m, mode, guard, c, reg
        self.maxstep, self.start_after, self.stage2_only, self.beta = maxstep, start_after, stage2_only, beta
        self.weights, self.gap_start, self.active, self.clip = weights, gap_start, active, clip
        self.gap_factor, self.keep, self.slow, self.tol = gap_factor, keep_on_reject, slow, tol
        self.pending = False; self.accepted = 0; self.rejected = 0

    def attach(self, s):
        self.s = s; self.X = []; self.G = []; self.x = s.logRho.copy(); self.prev_res = math.inf

    def clear(self):
        self.X = []; self.G = []

    def on_reset(self):
        s = self.s
        x, g = self.x, s.z.copy()          # phase started at magnet x (= policy), ended at g = T(x)
        w = s.pi if self.weights == 'fisher' else np.full(len(s.pi), 1.0 / len(s.pi))
        res = math.sqrt(w @ center(g - x, w) ** 2)
        if res < self.tol:
            self.clear(); self.x = g; self.prev_res = res; return
        if self.stage2_only and not s.second or s.resets <= self.start_after or (self.gap_start is not None and 2 * s.r.max() - 1 > self.gap_start and not self.X):
            self.x = g; self.prev_res = res; return
        if self.guard in ('res', 'both') and res > self.c * self.prev_res:
            self.clear(); self.rejected += 1
        fast = self.slow is not None and res < self.slow * self.prev_res
        self.prev_res = res
        self.X.append(x); self.G.append(g)
        if len(self.X) > self.m + 1: self.X.pop(0); self.G.pop(0)
        self.x = g
        if len(self.X) < 2 or fast: return
        F = [gg - xx for xx, gg in zip(self.X, self.G)]
        sw = np.sqrt(w)
        dF = np.stack([center(F[i + 1] - F[i], w) for i in range(len(F) - 1)], 1) * sw[:, None]
        dG = np.stack([self.G[i + 1] - self.G[i] for i in range(len(F) - 1)], 1)
        dX = np.stack([self.X[i + 1] - self.X[i] for i in range(len(F) - 1)], 1)
        f = center(F[-1], w) * sw
        A = dF.T @ dF; A += self.reg * np.trace(A) * np.eye(len(A)) + 1e-300 * np.eye(len(A))
        try: gam = np.linalg.solve(A, dF.T @ f)
        except np.linalg.LinAlgError: self.clear(); return
        cand = g - dG @ gam if self.beta == 1.0 else (x + self.beta * F[-1]) - (dX + self.beta * (dG - dX)) @ gam
        if not np.all(np.isfinite(cand)): self.clear(); return
        if self.active is not None:
            mask = s.pi < self.active * s.pi.max(); cand = np.where(mask, g, cand)
        if self.clip is not None:
            d = cand - g; d -= s.pi @ d; big = np.abs(d).max()
            if big > self.clip: cand = g + d * (self.clip / big)
        step = math.sqrt(w @ center(cand - g, w) ** 2)
        if self.maxstep is not None and step > self.maxstep * res:
            cand = g + (cand - g) * (self.maxstep * res / step)
        self.cand = cand
        if self.mode == 'magnet':
            s.set_magnet(normalize(cand)[0]); self.x = s.logRho.copy(); self.accepted += 1
        elif self.mode == 'free':
            self.apply(count=False)
        else:
            self.pending = True

    def apply(self, count):
        s = self.s
        z, pi = normalize(self.cand); r = s.P @ pi
        ok = True
        if self.guard in ('gap', 'both'):
            ok = 2 * r.max() - 1 <= self.gap_factor * (2 * s.r.max() - 1)
        if ok:
            s.z, s.pi, s.r = z, pi, r; s.set_magnet(z.copy()); self.x = z.copy(); self.accepted += 1
        else:
            self.rejected += 1
            if not self.keep: self.clear()
        if count: s.t += 1

    def restart_step(self):
        self.pending = False; self.apply(count=True)
