# Anderson acceleration of the composite magnet map T^lag (tried, not adopted;
# docs/notes/games-benchmark-history.md, "Two further accelerations of the climb"): the history holds only every
# `lag`-th reset, so the differences it fits are those of `lag` phases, in which the fast rotations
# have been damped and the slow ones dominate. Between those resets MPO runs unchanged (with the
# lift). Usage: as anderson.py ("LIFT_KWARGS" "ANDERSON_KWARGS" [GAMES] [ITERS], or with `starts` or
# `trace`), where ANDERSON_KWARGS also take lag.
import sys
from anderson import main  # first: lift.py puts ../mpo-anderson on the path
from accel import Anderson


class Lagged(Anderson):
    def __init__(self, lag=10, **kw):
        self.lag = lag; super().__init__(**kw)

    def on_reset(self):
        if self.s.resets % self.lag == 0:
            super().on_reset()


if __name__ == '__main__':
    main(sys.argv, Lagged)
