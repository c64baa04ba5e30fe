"""Property tests for every public measure (issue 21): any finite input gives one of
- a finite value inside its own interval and inside the measure's range,
- NA (value or limits) with a note saying why,
- a DataError.

Fixed seeds (``derandomize=True`` and ``seed=`` for the simulations), the fewest simulation draws each
measure accepts, ``deadline=None`` and bounded ``max_examples``. The ranges are what each quantity can be
by definition (a proportion from 0 to 1 x multiplier, a rate from 0 up, an RCI from -100 to 100, ...).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.measures import (
    access_vs_population,
    compare,
    dsr,
    funnel_limits,
    funnel_significance,
    intersectional,
    isr,
    proportion,
    rate,
    sii,
    summary_measures,
)
from equitylab.measures._standards import ESP2013

INF = np.inf
SETTINGS = dict(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# any finite number, from the everyday to the extremes of floating point (subnormal, 1e308, negative)
anything = st.floats(allow_nan=False, allow_infinity=False)
# counts as they come: whole, fractional (weighted), 0, huge; mostly plausible so that most examples reach
# the arithmetic, with any finite number put into one cell by ``spoil``
count = st.one_of(st.integers(0, 10_000).map(float), st.integers(0, 20).map(float), st.floats(0, 1e6),
                  st.floats(0, 1e300), st.just(0.0))
finite = st.one_of(count, count, anything)
cell = st.one_of(count, count, count, st.just(np.nan))  # a blank cell is input too


def spoil(data, values: list) -> list:
    """Perhaps (one time in three) put any finite number, or a blank, in one of ``values``."""
    if values and data.draw(st.integers(0, 2)) == 0:
        values = list(values)
        values[data.draw(st.integers(0, len(values) - 1))] = data.draw(st.one_of(anything, st.just(np.nan)))
    return values


def close(a, b) -> bool:
    """a <= b, allowing floating-point rounding."""
    return a <= b + 1e-9 * max(1.0, abs(a), abs(b))


def check(frame: pd.DataFrame, value: str, lower: str | None, upper: str | None, low=-INF, high=INF,
          note: str = "note") -> None:
    """The contract, row by row: a finite value in [low, high] and inside [lower, upper] (limits in
    [low, high] too); or NA value or NA limits with a note."""
    for i, row in frame.reset_index(drop=True).iterrows():
        lows = low[i] if np.ndim(low) else low
        highs = high[i] if np.ndim(high) else high
        v = row[value]
        if pd.isna(v):
            assert str(row[note]).strip(), f"row {i}: {value} is NA without a note"
            continue
        assert np.isfinite(v), f"row {i}: {value} = {v}"
        assert close(lows, v) and close(v, highs), f"row {i}: {value} = {v} outside [{lows}, {highs}]"
        if lower is None:
            continue
        lo, hi = row[lower], row[upper]
        if pd.isna(lo) or pd.isna(hi):
            assert str(row[note]).strip(), f"row {i}: {lower}/{upper} NA without a note"
            continue
        assert close(lo, v) and close(v, hi), f"row {i}: {value} = {v} outside its interval [{lo}, {hi}]"
        assert close(lows, lo) and close(hi, highs), f"row {i}: [{lo}, {hi}] outside [{lows}, {highs}]"


@settings(max_examples=80, **SETTINGS)
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=4), st.sampled_from([1, 100, 1000]), st.data())
def test_proportion(pairs, multiplier, draw):
    data = pd.DataFrame({"g": range(len(pairs)), "x": spoil(draw, [p[0] for p in pairs]),
                         "n": [p[1] for p in pairs]})
    try:
        out = proportion(data, "x", "n", by="g", multiplier=multiplier, confidence=[0.95, 0.998])
    except DataError:
        event("DataError")
        return
    for sfx in ("95", "99_8"):
        check(out, "value", f"lower_ci_{sfx}", f"upper_ci_{sfx}", 0, multiplier)


@settings(max_examples=80, **SETTINGS)
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=4), st.data())
def test_rate(pairs, draw):
    data = pd.DataFrame({"g": range(len(pairs)), "x": [p[0] for p in pairs],
                         "n": spoil(draw, [p[1] for p in pairs])})
    try:
        out = rate(data, "x", "n", by="g")
    except DataError:
        event("DataError")
        return
    check(out, "value", "lower_ci", "upper_ci", 0, INF)


BANDS = list(ESP2013)


@settings(max_examples=50, **SETTINGS)
@given(st.lists(count, min_size=19, max_size=19), st.lists(count, min_size=19, max_size=19),
       st.booleans(), st.data())
def test_dsr_and_isr(xs, ns, by_ratio, draw):
    data = pd.DataFrame({"age": BANDS, "x": spoil(draw, xs), "n": spoil(draw, ns)})
    try:
        out = dsr(data, "x", "n", age_band="age")
    except DataError:
        event("dsr: DataError")
    else:
        check(out, "value", "lower_ci", "upper_ci", 0, INF)
    # the reference population: the same events in a population one larger in every band
    data["reference_n"] = data["n"] + 1
    try:
        out = isr(data, "x", "n", age_band="age", statistic="ratio" if by_ratio else "rate",
                  reference_numerator="x", reference_denominator="reference_n")
    except DataError:
        event("isr: DataError")
        return
    check(out, "value", "lower_ci", "upper_ci", 0, INF)


@settings(max_examples=50, **SETTINGS)
@given(st.lists(st.tuples(finite, st.one_of(st.floats(0, 5), st.floats(0, 1e6)), count), min_size=5, max_size=5),
       st.sampled_from([0, 1, 2]), st.sampled_from([1, 100, -100]), st.data())
def test_sii_phe(rows, value_type, multiplier, draw):
    data = pd.DataFrame({"q": range(1, 6), "v": [r[0] for r in rows], "s": spoil(draw, [r[1] for r in rows]),
                         "n": spoil(draw, [r[2] for r in rows])})
    if value_type == 2:
        data["v"] = data["v"] / (1 + data["v"].abs())  # proportions somewhere from 0 to 1 (or outside: an error)
    try:
        out = sii(data, quantile="q", value="v", population="n", se="s", value_type=value_type,
                  multiplier=multiplier, reps=1000, seed=1)
    except DataError:
        event("DataError")
        return
    check(out, "sii", "sii_lower_ci", "sii_upper_ci")
    check(out, "rii", "rii_lower_ci", "rii_upper_ci", 0 if value_type else -INF, INF)


@settings(max_examples=60, **SETTINGS)
@given(st.lists(st.tuples(st.one_of(st.floats(0, 100), st.sampled_from([0.0, 100.0])), count), min_size=3,
                max_size=6), st.sampled_from([100, 1000]), st.data())
def test_sii_heat(rows, multiplier, draw):
    data = pd.DataFrame({"q": range(1, len(rows) + 1), "v": spoil(draw, [r[0] for r in rows]),
                         "n": spoil(draw, [r[1] for r in rows])})
    try:
        out = sii(data, quantile="q", value="v", population="n", method="heat", multiplier=multiplier)
    except DataError:
        event("DataError")
        return
    check(out, "sii", "sii_lower_ci", "sii_upper_ci", -multiplier, multiplier)
    check(out, "rii", "rii_lower_ci", "rii_upper_ci", 0, INF)


def _heat_ranges(data: pd.DataFrame, favourable: bool, multiplier: float) -> dict:
    """Each HEAT measure's range from its definition, for estimates y >= 0 with shares p (percentages
    also at most 100): differences of percentages within +-100, a variance of values in [0, 100] at most
    50^2, TI at most ln(1 / smallest share) x 1000 (all of the indicator in that subgroup), PAF at least
    -100 (a reference of 0) for adverse indicators, PAR within -mu (adverse) and 100 - mu (favourable)."""
    ok = data["estimate"].notna() & data["se"].notna() & (data["population"] > 0)
    y, n = data.loc[ok, "estimate"], data.loc[ok, "population"]
    with np.errstate(all="ignore"):
        p = n / n.sum()
        mu = float((p * y).sum()) if len(y) else 0.0
        ti_top = 1000 * float(np.log(1 / p.min())) if len(p) else INF
    top = 100 if multiplier == 100 else INF  # a percentage is at most 100; other scales have no ceiling
    return {"D": (-top, top), "R": (0, INF), "ACI": (-INF, INF), "RCI": (-100, 100), "SII": (-multiplier, multiplier),
            "RII": (0, INF), "BGV": (0, top ** 2 / 4), "BGSD": (0, top), "COV": (0, INF), "MDMU": (0, top),
            "MDMW": (0, top), "MDBU": (0, top), "MDBW": (0, top), "MDRU": (0, top), "MDRW": (0, top),
            "IDISU": (0, INF), "IDISW": (0, INF), "TI": (0, ti_top), "MLD": (0, INF),
            "PAF": (0, INF) if favourable else (-100, 0),
            "PAR": (0, top - mu) if favourable else (-mu, 0)}


# percentages, near-equal ones among them (all from a few values), 0 and 100
estimate = st.one_of(st.floats(0, 100), st.sampled_from([0.0, 50.0, 100.0]), st.floats(49.9, 50.1))
standard_error = st.one_of(st.floats(0, 30), st.just(0.0), st.floats(0, 1e-3), st.floats(0, 1e6))


@settings(max_examples=100, **SETTINGS)
@given(st.lists(st.tuples(estimate, standard_error, count), min_size=2, max_size=7), st.booleans(),
       st.booleans(), st.sampled_from([100, 1000]), st.data())
def test_summary_measures(rows, ordered, favourable, multiplier, data):
    k = len(rows)
    frame = pd.DataFrame({"subgroup": [f"g{i}" for i in range(k)], "order": range(1, k + 1),
                          "estimate": spoil(data, [r[0] for r in rows]), "se": spoil(data, [r[1] for r in rows]),
                          "population": spoil(data, [r[2] for r in rows])})
    reference = data.draw(st.sampled_from([None, *frame["subgroup"]]))
    paf_reference = data.draw(st.sampled_from([None, *frame["subgroup"]]))
    try:
        out = summary_measures(frame, by="subgroup", value="estimate", se="se", population="population",
                               ordered="order" if ordered else None, favourable=favourable, reference=reference,
                               paf_reference=paf_reference, multiplier=multiplier, simulations=100, seed=1)
    except DataError:
        event("DataError")
        return
    ranges = _heat_ranges(frame, favourable, multiplier)
    out = out.reset_index(drop=True)
    check(out, "value", "lower_ci", "upper_ci", [ranges[m][0] for m in out["measure"]],
          [ranges[m][1] for m in out["measure"]])


@settings(max_examples=60, **SETTINGS)
@given(st.lists(st.tuples(cell, cell), min_size=2, max_size=4), st.sampled_from(["proportion", "rate"]),
       st.data())
def test_compare_counts(pairs, kind, data):
    frame = pd.DataFrame({"g": [f"g{i}" for i in range(len(pairs))], "x": spoil(data, [p[0] for p in pairs]),
                          "n": [p[1] for p in pairs]})
    reference = data.draw(st.sampled_from(["overall", 0.0, 5.0, *frame["g"]]))
    try:
        out = compare(frame, by="g", reference=reference, numerator="x", denominator="n", kind=kind)
    except DataError:
        event("DataError")
        return
    top = 100 if kind == "proportion" else INF
    check(out, "value", "lower_ci", "upper_ci", 0, top)
    groups = out[out["label"] != "reference"]
    check(groups, "difference", "difference_lower_ci_95", "difference_upper_ci_95", -top, top)
    check(groups, "ratio", "ratio_lower_ci_95", "ratio_upper_ci_95", 0, INF)


@settings(max_examples=60, **SETTINGS)
@given(st.lists(st.tuples(finite, count, count), min_size=2, max_size=4), st.data())
def test_compare_ready_made_values(triples, data):
    # limits around the value, by any non-negative margins, then perhaps one cell spoiled
    values = [t[0] for t in triples]
    frame = pd.DataFrame({"g": [f"g{i}" for i in range(len(triples))], "v": values,
                          "lo": spoil(data, [v - t[1] for v, t in zip(values, triples)]),
                          "hi": [v + t[2] for v, t in zip(values, triples)]})
    reference = data.draw(st.sampled_from([0.0, 1.0, *frame["g"]]))
    try:
        out = compare(frame, by="g", reference=reference, value="v", lower_ci="lo", upper_ci="hi")
    except DataError:
        event("DataError")
        return
    groups = out[out["label"] != "reference"]
    check(groups, "difference", "difference_lower_ci_95", "difference_upper_ci_95")
    check(groups, "ratio", "ratio_lower_ci_95", "ratio_upper_ci_95", -INF, INF)


@settings(max_examples=40, **SETTINGS)
@given(st.lists(st.tuples(count, count), min_size=1, max_size=4), st.data())
def test_access_vs_population(rows, data):
    groups = [f"g{i}" for i in range(len(rows))]
    service = pd.DataFrame({"ethnicity": groups, "users": spoil(data, [r[0] for r in rows])})
    population = pd.DataFrame({"group": groups, "population": spoil(data, [r[1] for r in rows])})
    try:
        out = access_vs_population(service, population, dimension="ethnicity", count="users")
    except DataError:
        event("DataError")
        return
    check(out, "ratio", "lower_ci", "upper_ci", 0, INF)


@settings(max_examples=50, **SETTINGS)
@given(st.lists(st.tuples(count, count), min_size=1, max_size=5), st.sampled_from(["proportion", "ratio"]),
       st.data())
def test_funnels(rows, statistic, draw):
    # proportions: numerators up to their denominators
    xs = [min(r) if statistic == "proportion" else r[0] for r in rows]
    data = pd.DataFrame({"x": spoil(draw, xs), "d": [max(r) if statistic == "proportion" else r[1] for r in rows]})
    try:
        limits = funnel_limits(data, "x", "d", statistic=statistic)
    except DataError:
        limits = None
    if limits is not None:
        for sfx in ("95", "99_8"):
            lo, hi = limits[f"lower_limit_{sfx}"], limits[f"upper_limit_{sfx}"]
            slack = 1e-6 * np.maximum(1, hi.abs())  # the limits touch at an average of 0% or 100%
            assert (lo.notna() & hi.notna()).all() and (lo <= hi + slack).all()
            assert (lo >= 0).all() and (statistic != "proportion" or (hi <= 100).all())
        assert (limits["lower_limit_99_8"] <= limits["lower_limit_95"] + 1e-6 * limits["lower_limit_95"].abs()
                + 1e-6).all()
    try:
        flags = funnel_significance(data, "x", "d", statistic=statistic)
    except DataError:
        event("DataError")
        return
    labels = {"High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant"}
    assert all(f in labels or f.startswith("Not applicable: ") for f in flags["significance"])


@settings(max_examples=20, **SETTINGS)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=9, max_size=9), st.data())
def test_intersectional(cells, data):
    """MAIHDA on a 3 x 3 grid of strata (events of people, perhaps one cell spoiled): each stratum's
    predicted proportion inside its interval and inside 0-1, each interaction (an odds ratio) inside its
    interval and above 0, VPC and PCV within 0-100%; NA only with a note in ``.notes``."""
    events = [min(c) for c in cells]
    frame = pd.DataFrame({"a": [f"A{i // 3}" for i in range(9)], "b": [f"B{i % 3}" for i in range(9)],
                          "events": spoil(data, [float(e) for e in events]), "people": [float(max(c)) for c in cells]})
    try:
        result = intersectional(frame, by=["a", "b"], numerator="events", denominator="people")
    except DataError:
        event("DataError")
        return
    strata = result.strata.assign(note="; ".join(result.notes))
    check(strata, "predicted", "lower_ci", "upper_ci", 0, 1)
    check(strata, "interaction", "interaction_lower_ci", "interaction_upper_ci", 0, INF)
    for share in (result.vpc, result.pcv):
        assert (np.isnan(share) and result.notes) or 0 <= share <= 100 + 1e-9
