"""Rules that find signals of special-cause variation in a series (numpy only).

Every function works on one phase of one group, as plain arrays, and is vectorised with
run-length encoding rather than a Python loop over points.

Rule sets
---------
``"ihi"``
    Run-chart rules of Perla, Provost and Murray (2011): a shift of 6 or more points on one
    side of the centre, a trend of 5 or more points all rising or all falling, too few or too
    many runs (:data:`IHI_RUNS_TABLE`), and astronomical points left to judgement.
``"anhoej"``
    Anhøj runs analysis (Anhøj and Olesen 2014, as in qicharts2): a longest run longer than
    ``round(log2(n)) + 3`` or fewer crossings than the 5th percentile of Binomial(n - 1, 0.5).
``"mdc"``
    NHS England "Making Data Count" rules (as in NHSRplotthedots): a point outside the
    limits, a run of 7 on one side of the mean (6 as an option), a trend of 7, and 2 of 3
    consecutive points beyond 2 sigma on the same side of the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..errors import DataError


@dataclass(frozen=True)
class RuleSet:
    """A named set of rules and its thresholds.

    Parameters
    ----------
    name : {"ihi", "anhoej", "mdc"}
        The family of rules.
    shift : int
        Points in a row on one side of the centre that make a signal (IHI 6, MDC 7 or 6).
    trend : int
        Points in a row all rising or all falling that make a signal (IHI 5, MDC 7).
    two_of_three : {"2019", "2023"}
        MDC only: in "2023", points beyond the 3-sigma limits also count towards "2 of 3
        beyond 2 sigma" (the 2023 Making Data Count change, NHSRplotthedots issue #194).
    """

    name: str
    shift: int = 0
    trend: int = 0
    two_of_three: str = "2019"

    @property
    def label(self) -> str:
        if self.name == "ihi":
            return f"IHI run chart rules (shift of {self.shift}, trend of {self.trend}, number of runs)"
        if self.name == "anhoej":
            return "Anhøj rules (longest run and number of crossings)"
        variant = ", 2023 version of 2 of 3" if self.two_of_three == "2023" else ""
        return (
            f"Making Data Count rules (outside the limits, run of {self.shift}, trend of {self.trend}, "
            f"2 of 3 beyond 2 sigma{variant})"
        )


IHI = RuleSet("ihi", shift=6, trend=5)
ANHOEJ = RuleSet("anhoej")
MDC = RuleSet("mdc", shift=7, trend=7)


def mdc_rules(run: int = 7, trend: int = 7, variant: str = "2019") -> RuleSet:
    """Making Data Count rules with the run length (7 or 6) and the 2-of-3 variant chosen.

    ``variant="2023"`` counts points beyond the process limits towards "2 of 3 beyond 2 sigma".
    """
    if run not in (6, 7) or trend not in (6, 7):
        raise DataError(
            "Making Data Count runs and trends are 6 or 7 points long",
            hint="Use run=7 (the SPC default) or run=6 (as some NHS trusts do)",
        )
    if str(variant) not in ("2019", "2023"):
        raise DataError("the Making Data Count variant is '2019' or '2023'")
    return RuleSet("mdc", shift=run, trend=trend, two_of_three=str(variant))


_NAMED = {
    "ihi": IHI,
    "anhoej": ANHOEJ,
    "mdc": MDC,
    "mdc2023": mdc_rules(variant="2023"),
    "mdc6": mdc_rules(run=6),
}


def rule_set(rules) -> RuleSet:
    """A :class:`RuleSet` from a name ("ihi", "anhoej", "mdc", "mdc6", "mdc2023") or itself."""
    if isinstance(rules, RuleSet):
        return rules
    key = str(rules).lower().replace("-", "").replace("_", "").replace("ø", "oe")
    if key not in _NAMED:
        raise DataError(
            f"rules must be one of {', '.join(map(repr, _NAMED))}, not {rules!r}",
            hint="Use rules='ihi' for run charts and rules='mdc' for Making Data Count SPC charts",
        )
    return _NAMED[key]


def runs_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run-length encoding: (start index, length) of each run of equal consecutive values."""
    values = np.asarray(values)
    if values.size == 0:
        return np.empty(0, int), np.empty(0, int)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], change))
    lengths = np.diff(np.concatenate((starts, [values.size])))
    return starts, lengths


def _mark(starts, lengths, size) -> np.ndarray:
    """Boolean mask covering the runs given by ``starts`` and ``lengths``."""
    delta = np.zeros(size + 1, int)
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + lengths, -1)
    return np.cumsum(delta[:-1]) > 0


def long_runs(side: np.ndarray, min_length: int, *, skip_zero: bool) -> np.ndarray:
    """Points that belong to ``min_length`` or more points in a row on one side of the centre.

    ``side`` is sign(y - centre). With ``skip_zero`` (IHI, Anhøj) points on the centre are
    ignored: they neither add to nor break a run, and are not flagged. Without it (MDC) a point
    on the centre breaks the run.
    """
    side = np.asarray(side)
    out = np.zeros(side.size, bool)
    keep = np.flatnonzero(side != 0) if skip_zero else np.arange(side.size)
    s = side[keep]
    starts, lengths = runs_of(s)
    ok = (lengths >= min_length) & (s[starts] != 0) if s.size else np.empty(0, bool)
    if ok.any():
        out[keep[_mark(starts[ok], lengths[ok], s.size)]] = True
    return out


def trends(y: np.ndarray, min_length: int, *, skip_ties: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points in a trend of ``min_length`` or more, and the trend's direction (+1 up, -1 down).

    With ``skip_ties`` (IHI) a repeated value neither adds to nor breaks a trend; without it
    (MDC) a tie breaks the trend.
    """
    y = np.asarray(y, float)
    flagged = np.zeros(y.size, bool)
    direction = np.zeros(y.size, int)
    if y.size < 2:
        return flagged, direction
    if skip_ties:
        keep = np.concatenate(([0], np.flatnonzero(np.diff(y) != 0) + 1))
    else:
        keep = np.arange(y.size)
    d = np.sign(np.diff(y[keep]))
    starts, lengths = runs_of(d)
    ok = (d[starts] != 0) & (lengths >= min_length - 1) if d.size else np.empty(0, bool)
    # a trend over diffs i..j covers kept points i..j+1; later trends win at a turning point,
    # as in Making Data Count where a point shared by two trends takes the later direction
    for st, ln in zip(starts[ok], lengths[ok], strict=True):
        lo, hi = keep[st], keep[st + ln]
        flagged[lo : hi + 1] = True
        direction[lo : hi + 1] = int(d[st])
    return flagged, direction


def two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """MDC rule: 2 of 3 consecutive points beyond 2 sigma, all 3 on the same side of the mean.

    ``close`` marks points beyond the 2-sigma line. A point is flagged when it is itself
    ``close`` and lies in a window of 3 consecutive points, all on the same side of the mean
    (none on it), of which at least 2 are ``close`` (NHSRplotthedots after its fix #143).
    """
    close = np.asarray(close, bool)
    side = np.asarray(side)
    m = close.size
    out = np.zeros(m, bool)
    if m < 3:
        return out
    c = close.astype(int)
    count = c[:-2] + c[1:-1] + c[2:]
    same = (side[:-2] == side[1:-1]) & (side[1:-1] == side[2:]) & (side[:-2] != 0)
    win = np.flatnonzero((count >= 2) & same)
    for k in range(3):
        out[win + k] = True
    return out & close


def anhoej(y: np.ndarray, centre: np.ndarray) -> dict:
    """Anhøj runs analysis of one phase (points already restricted to those included).

    Returns ``n_useful`` (points not on the centre), ``longest_run`` and its upper bound
    ``longest_run_max`` = round(log2(n_useful)) + 3 (Schilling 2012), ``crossings`` and its
    lower bound ``crossings_min`` = the 5% quantile of Binomial(n_useful - 1, 0.5) (Chen 2010),
    ``runs`` (= crossings + 1) and ``runs_signal`` (longest run too long or too few crossings).
    """
    y, centre = np.asarray(y, float), np.broadcast_to(np.asarray(centre, float), np.shape(y))
    side = np.sign(y - centre)
    side[np.isclose(y, centre, rtol=1e-12, atol=0)] = 0  # on the centre, up to rounding
    side = side[(side != 0) & ~np.isnan(side)]
    n = int(side.size)
    if n == 0:
        return {
            "n_useful": 0,
            "longest_run": np.nan,
            "longest_run_max": np.nan,
            "crossings": np.nan,
            "crossings_min": np.nan,
            "runs": np.nan,
            "anhoej_signal": False,
        }
    _, lengths = runs_of(side)
    longest = int(lengths.max())
    crossings = int(lengths.size - 1)
    lmax = int(round(np.log2(n))) + 3
    cmin = _crossings_min(n)
    return {
        "n_useful": n,
        "longest_run": longest,
        "longest_run_max": lmax,
        "crossings": crossings,
        "crossings_min": cmin,
        "runs": crossings + 1,
        "anhoej_signal": bool(longest > lmax or crossings < cmin),
    }


@cache
def _crossings_min(n: int) -> int:
    # binomial 5% quantile of n - 1 fair trials (scipy.stats.binom.ppf(0.05, n - 1, 0.5)), found
    # exactly: the smallest k whose cumulative count reaches 1/20 of all 2^(n-1) outcomes
    m = max(n - 1, 0)
    total, cumulative = 1 << m, 0
    for k in range(m + 1):
        cumulative += math.comb(m, k)
        if 20 * cumulative >= total:
            return k
    return m


@cache
def _runs_limits(n: int, tail: float = 0.025) -> tuple[int, int]:
    """Exact Swed-Eisenhart limits on the number of runs for n useful points split evenly."""
    n1, n2 = n // 2, n - n // 2
    r = np.arange(2, n + 1)
    c = math.comb
    # counts of arrangements with r runs, in exact integers, then each as a probability
    counts = [2 * c(n1 - 1, j // 2 - 1) * c(n2 - 1, j // 2 - 1) if j % 2 == 0
              else c(n1 - 1, j // 2) * c(n2 - 1, j // 2 - 1) + c(n1 - 1, j // 2 - 1) * c(n2 - 1, j // 2)
              for j in range(2, n + 1)]
    total = c(n, n1)
    p = np.array([count / total for count in counts])
    below = np.cumsum(p) - p  # P(R < r)
    above = p[::-1].cumsum()[::-1] - p  # P(R > r)
    lower = int(r[below <= tail + 1e-12].max())
    upper = int(r[above <= tail + 1e-12].min())
    return lower, upper


IHI_MIN_USEFUL = 10
IHI_RUNS_TABLE = {n: _runs_limits(n) for n in range(IHI_MIN_USEFUL, 101)}
"""Fewest and most runs expected by chance, by the number of useful points (10 to 100).

Computed exactly from the Swed-Eisenhart distribution of the number of runs with the
useful points split evenly above and below the median and 2.5% in each tail: fewer runs
than the first number, or more than the second, is a signal. Perla, Provost and Murray
(2011, Table 1) tabulate the same idea; published copies of that table differ by a run in
places, so this one is computed and can be swapped (assign a dict n -> (lower, upper)).
"""


def ihi_runs_limits(n_useful: int, table: dict | None = None) -> tuple[float, float]:
    """(lower, upper) bounds on the number of runs, or NaN below 10 useful points."""
    table = IHI_RUNS_TABLE if table is None else table
    if n_useful in table:
        return table[n_useful]
    if n_useful < IHI_MIN_USEFUL:
        return (np.nan, np.nan)
    return _runs_limits(int(n_useful))
