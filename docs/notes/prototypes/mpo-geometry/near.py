# Writes random:10:2 as a game file whose `initial` is its Nash equilibrium with log-normal noise
# EPS on every log-probability (strategies off the support at 1e-12), for `lodestone solve` and
# `lodestone bench games`. Usage: python3 near.py EPS OUT.json
import os, sys, json
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from games import game, nash

eps, out = float(sys.argv[1]), sys.argv[2]
P, _ = game('random:10:2')
z = np.log(np.maximum(nash(P), 1e-12)) + eps * np.random.default_rng(0).standard_normal(len(P))
start = np.exp(z - z.max()); start /= start.sum()
with open(out, 'w') as f:
    json.dump({'name': f'random-10-2-near-nash-{eps:g}', 'prompt': 'Choose a letter.',
               'strategies': list('abcdefghij'), 'preferences': P.tolist(),
               'initial': start.tolist()}, f)
print(f'{out}: gap at the start {2 * (P @ start).max() - 1:.2e}')
