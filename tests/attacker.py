"""A determined reader of a publication, as an integer programme.

Every number a published table states becomes a linear constraint on unknown whole counts:
shown counts are equalities; a percentage or a share is numerator over denominator within the
published rounding (52.7 means 52.65 to 52.75); an overall value covers the groups shown plus
any group not shown (missing categories), whose counts are unknown but not negative. The reader
knows that a count hidden "for being 1 to 7" is 1 to 7. ``scipy.optimize.milp`` then finds the
smallest and largest value every hidden count can take. A hidden count pinned to fewer than six
values (1-6 is the narrowest allowed) is a disclosure.

The model follows the protection-interval idea of official statistics (tau-Argus, sdcTable): a
hidden cell is safe when the published numbers leave it a wide enough interval.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

BIG = 10**6
PRIMARY = "hidden: 1 to"


@dataclass
class Programme:
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    names: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (coefficients {index: value}, low, high)

    def var(self, name: str, low: float = 0, high: float = BIG) -> int:
        self.names.append(name)
        self.lower.append(low)
        self.upper.append(high)
        return len(self.names) - 1

    def add(self, coefficients: dict, low: float, high: float) -> None:
        self.rows.append((coefficients, low, high))

    def range_of(self, index: int) -> tuple[float, float]:
        n = len(self.names)
        a = np.zeros((len(self.rows), n))
        lo, hi = np.empty(len(self.rows)), np.empty(len(self.rows))
        for r, (coefficients, low, high) in enumerate(self.rows):
            for i, v in coefficients.items():
                a[r, i] += v
            lo[r], hi[r] = low, high
        out = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[index] = sign
            res = milp(c, constraints=LinearConstraint(a, lo, hi), integrality=np.ones(n),
                       bounds=Bounds(self.lower, self.upper), options={"time_limit": 20})
            assert res.status in (0, 1) and res.x is not None, f"the published numbers are inconsistent: {res.message}"
            out.append(round(res.x[index]))
        return out[0], out[1]


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _rounding(cell: str) -> float:
    """Half a unit of the last published digit."""
    return 0.5 * 10 ** -_decimals(cell)


def published(csv_text: str) -> pd.DataFrame:
    """A published CSV read as the reader sees it: every cell as text."""
    return pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)


def _ratio(p: Programme, num: int, den: int, cell: str, scale: float) -> None:
    """``cell`` (a percentage or share, rounded as printed) = scale * num / den."""
    v, h = float(cell), _rounding(cell)
    p.add({num: scale, den: -(v + h)}, -BIG * 10, 0)   # scale*num <= (v+h)*den
    p.add({num: scale, den: -(v - h)}, 0, BIG * 10)    # scale*num >= (v-h)*den


def attack_comparison(table: pd.DataFrame, by: str, total: int | None = None) -> list[tuple[str, int, int]]:
    """Ranges of the hidden-for-being-small numerators of a group comparison (compare(): numerator,
    denominator, value and reference_value, the overall %, for each measure). Returns (cell, min, max)."""
    found = []
    blocks = table.groupby(["measure"] + (["grouping"] if "grouping" in table else []), sort=False)
    for key, block in blocks:
        p = Programme()
        xs, ns, primary = [], [], []
        for _, row in block.iterrows():
            small = PRIMARY in row.get("suppression_note", "")
            x = p.var(f"{key}/{row[by]}/x", *((1, 7) if small and row["numerator"] == "" else (0, BIG)))
            n = p.var(f"{key}/{row[by]}/n")
            for var, col in ((x, "numerator"), (n, "denominator")):
                if row[col] != "":
                    p.add({var: 1}, float(row[col]), float(row[col]))
            p.add({x: 1, n: -1}, -BIG, 0)
            if row["value"] != "":
                _ratio(p, x, n, row["value"], 100)
            xs.append(x)
            ns.append(n)
            if small and row["numerator"] == "":
                primary.append((f"{key}/{row[by]}", x))
        if not primary:
            continue
        # the overall value covers the groups here and any not shown (missing categories): X >= sum(x), and
        # the not-shown part has no more events than people
        big_x, big_n = p.var("X"), p.var("N", 0, total if total else BIG)
        p.add({big_x: 1, **{x: -1 for x in xs}}, 0, BIG)
        p.add({big_n: 1, **{n: -1 for n in ns}}, 0, BIG)
        p.add({big_n: 1, big_x: -1, **{n: -1 for n in ns}, **{x: 1 for x in xs}}, 0, BIG)
        reference = block["reference_value"].iloc[0]
        if reference != "":
            _ratio(p, big_x, big_n, reference, 100)
        found += [(name, *p.range_of(x)) for name, x in primary]
    return found


def attack_rates(table: pd.DataFrame, by: str) -> list[tuple[str, int, int]]:
    """Ranges of hidden-for-being-small numerators of a table of proportions (numerator, denominator,
    value) whose groups add up to nothing published (each row stands alone but for its own numbers)."""
    table = table.assign(measure="rate", reference_value="")
    return attack_comparison(table, by)


def attack_shares(table: pd.DataFrame, total: int | None) -> list[tuple[str, int, int]]:
    """Ranges of hidden-for-being-small observed counts of an access table: observed count per group and
    its share of all referrals with a recorded group (share_service, %)."""
    p = Programme()
    obs, primary = [], []
    for _, row in table.iterrows():
        small = PRIMARY in row.get("suppression_note", "")
        x = p.var(str(row["group"]), *((1, 7) if small and row["observed"] == "" else (0, BIG)))
        if row["observed"] != "":
            p.add({x: 1}, float(row["observed"]), float(row["observed"]))
        obs.append((x, row["share_service"]))
        if small and row["observed"] == "":
            primary.append((str(row["group"]), x))
    if not primary:
        return []
    t = p.var("T", 0, total if total else BIG)
    p.add({t: 1, **{x: -1 for x, _ in obs}}, 0, 0)
    for x, share in obs:
        if share != "":
            _ratio(p, x, t, share, 100)
    return [(name, *p.range_of(x)) for name, x in primary]


def too_narrow(ranges, width: int = 6) -> list:
    """The hidden counts a reader pins to fewer than ``width`` possible values."""
    return [(name, lo, hi) for name, lo, hi in ranges if hi - lo + 1 < width]


assert math.isclose(_rounding("52.7"), 0.05)
