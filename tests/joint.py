"""A determined reader of a whole publication, as one integer programme (issue 16).

Where tests/attacker.py reads one table at a time, :class:`Joint` keeps ONE variable for each
underlying count however many places state it: the referrals of the Asian group are the access
table's ``observed``, the denominator of "missed at least one appointment" by ethnic group, the sum
of that group's monthly points on the SPC chart, and a margin of the MAIHDA strata. Every number a
reader can see then constrains the same unknowns at once:

- a shown count is an equality; a count hidden "1 to 7" lies in 1..7; a count hidden "so another
  hidden number cannot be worked out" (secondary) was not itself 1 to 7, so it is 0 or at least 8;
- a percentage or share is numerator over denominator within its rounding as printed (52.7 means
  52.65 to 52.75); a number drawn in a chart is read at full precision (the SVG draws it to a
  fraction of a pixel), within 1e-6;
- sums: groups add up to their total, with the not-recorded rows beside them.

``scipy.optimize.milp`` finds the smallest and largest value of every count hidden for being 1 to 7.
The model follows the protection-interval idea of tau-Argus and sdcTable (Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

BIG = 10**5
THRESHOLD = 7
EXACT = 1e-6  # a number drawn in a chart, as a fraction: read to a millionth


class Joint:
    """Counts known by name, shared by every statement about them, and the constraints on them."""

    def __init__(self):
        self.index: dict = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict, float, float]] = []
        self.primary: dict = {}  # name -> where the reader saw it hidden for being 1 to 7

    # -- unknowns -------------------------------------------------------------------------
    def count(self, key, low: float = 0, high: float = BIG) -> int:
        """The variable of a count (made on first mention), its bounds narrowed to [low, high]."""
        if key not in self.index:
            self.index[key] = len(self.lower)
            self.lower.append(0)
            self.upper.append(BIG)
        i = self.index[key]
        self.lower[i] = max(self.lower[i], low)
        self.upper[i] = min(self.upper[i], high)
        return i

    def free(self, low: float = 0, high: float = BIG) -> int:
        """An anonymous unknown (a slack, a binary)."""
        return self.count(("_", len(self.lower)), low, high)

    def shown(self, key, value) -> int:
        return self.count(key, float(value), float(value))

    def hidden_small(self, key, where: str = "") -> int:
        """A count hidden for being 1 to 7."""
        self.primary.setdefault(key, where)
        return self.count(key, 1, THRESHOLD)

    def hidden_other(self, key) -> int:
        """A count hidden to protect another: it was not 1 to 7 itself, so it is 0 or at least 8."""
        i, b = self.count(key), self.free(0, 1)
        self.add({i: 1, b: -BIG}, -BIG, 0)               # b = 0 -> count = 0
        self.add({i: 1, b: -(THRESHOLD + 1)}, 0, BIG)     # b = 1 -> count >= 8
        return i

    def one_small(self, keys) -> None:
        """At least one of these counts is 1 to 7 (a point hidden for "a count or denominator of 1 to 7")."""
        picks = []
        for key in keys:
            i, b = self.count(key), self.free(0, 1)
            self.add({i: 1, b: BIG}, -BIG, THRESHOLD + BIG)  # b = 1 -> count <= 7
            self.add({i: 1, b: -1}, 0, BIG)                   # b = 1 -> count >= 1
            picks.append(b)
        self.add({b: 1 for b in picks}, 1, len(picks))

    def not_small(self, key) -> int:
        """A count the publication shows something built on, so it was not 1 to 7: 0 or at least 8."""
        return self.hidden_other(key)

    # -- statements -----------------------------------------------------------------------
    def add(self, coefficients: dict, low: float, high: float) -> None:
        self.rows.append((coefficients, low, high))

    def total(self, whole, parts, *, slack: bool = False) -> None:
        """whole = sum(parts) (``slack``: whole >= sum(parts))."""
        w = self.count(whole) if not isinstance(whole, int) else whole
        coefficients = {w: 1.0}
        for p in parts:
            j = self.count(p) if not isinstance(p, int) else p
            coefficients[j] = coefficients.get(j, 0) - 1.0
        self.add(coefficients, 0, BIG if slack else 0)

    def ratio(self, num, den, value, *, scale: float = 100, printed: str | None = None) -> None:
        """num / den * scale = value: within the rounding of ``printed`` (the text as published), or,
        with no text, at full precision (a chart's data)."""
        x = self.count(num) if not isinstance(num, int) else num
        n = self.count(den) if not isinstance(den, int) else den
        v = float(value)
        if printed is not None:
            decimals = len(printed.split(".", 1)[1]) if "." in printed else 0
            h = 0.5 * 10 ** -decimals
        else:
            h = abs(v) * EXACT + EXACT
        self.add({x: scale, n: -(v + h)}, -BIG * scale * 10, 0)
        self.add({x: scale, n: -(v - h)}, 0, BIG * scale * 10)

    # -- the attack -----------------------------------------------------------------------
    def ranges(self, keys=None, *, width: int = 6, time_limit: float = 10) -> list[tuple[object, int, int]]:
        """(key, smallest, largest) of each count hidden for being small (or of ``keys``).

        Every solution found is kept, and a count already seen to take ``width`` values or more across
        them is known to be safe without solving for its ends (its (smallest, largest) are then the
        values seen, inside the true range). A few objectives pushing every hidden count down, up, or
        in random directions come first, so most counts need no solve of their own."""
        n = len(self.lower)
        a = lil_matrix((len(self.rows), n))
        lo, hi = np.empty(len(self.rows)), np.empty(len(self.rows))
        for r, (coefficients, low, high) in enumerate(self.rows):
            for i, v in coefficients.items():
                a[r, i] += v
            lo[r], hi[r] = low, high
        constraints = LinearConstraint(a.tocsr(), lo, hi)
        bounds = Bounds(self.lower, self.upper)
        keys = list(self.primary if keys is None else keys)
        index = np.array([self.index[k] for k in keys], dtype=int)
        seen_lo = np.full(len(keys), np.inf)
        seen_hi = np.full(len(keys), -np.inf)

        def solve(c):
            res = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds,
                       options={"time_limit": time_limit})
            assert res.x is not None, f"the published numbers are inconsistent: {res.message}"
            x = np.round(res.x[index])
            np.minimum(seen_lo, x, out=seen_lo)
            np.maximum(seen_hi, x, out=seen_hi)
            return res

        rng = np.random.default_rng(16)
        for direction in [np.ones(len(keys)), -np.ones(len(keys))] + [rng.choice([-1.0, 1.0], len(keys))
                                                                      for _ in range(4)]:
            c = np.zeros(n)
            c[index] = direction
            solve(c)
        out = []
        for k, key in enumerate(keys):
            i = index[k]
            ends = []
            for sign in (1, -1):
                if seen_hi[k] - seen_lo[k] + 1 >= width:
                    break
                c = np.zeros(n)
                c[i] = sign
                res = solve(c)
                # stopped at the time limit: the bound proven so far is what the reader has
                ends.append(round(res.x[i]) if res.status == 0 else round(sign * res.mip_dual_bound))
            if len(ends) == 2:
                out.append((key, ends[0], ends[1]))
            else:
                out.append((key, int(seen_lo[k]), int(seen_hi[k])))
        return out


def too_narrow(ranges, width: int = 6) -> list:
    """The hidden counts a reader pins to fewer than ``width`` possible values (1-6 is the narrowest allowed)."""
    return [(key, lo, hi) for key, lo, hi in ranges if hi - lo + 1 < width]
