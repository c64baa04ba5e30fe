"""The synthetic teaching extract: reproducible, labelled, on Hackney's real mix."""
from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import synthetic
from equitylab.loaders.identifiers import identifying_columns
from equitylab.loaders.census import lsoa_deciles
from equitylab.loaders.service import SCHEMA_COLUMNS, read_service_data
from equitylab.provenance import SYNTHETIC_LABEL

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "synthetic_cmht_hackney.csv"

# Hackney usual residents by ethnic group, Census 2021 (ONS TS021, as published on GOV.UK
# "Ethnicity facts and figures": population by ethnicity and local authority, 2021).
HACKNEY_2021 = {"White": 137_709, "Black": 54_645, "Asian": 26_885, "Mixed": 17_487,
                "Other": 22_421}


@cache
def _fair(n=20_000):
    return synthetic.service_data(n=n, seed=7, inequities=False)


@cache
def _unfair(n=20_000):
    return synthetic.service_data(n=n, seed=7)


def _shares(df):
    s = df.loc[df["ethnicity"] != "Not stated", "ethnicity"].astype(str).value_counts(normalize=True)
    return s


def test_same_seed_same_rows_other_seed_other_rows():
    a = synthetic.service_data(n=500, seed=11, as_extract=True)
    b = synthetic.service_data(n=500, seed=11, as_extract=True)
    c = synthetic.service_data(n=500, seed=12, as_extract=True)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_committed_example_is_what_the_generator_makes():
    made = synthetic.service_data(area_code="E09000012", n=3000, seed=2024, as_extract=True)
    buf = io.StringIO()
    made.to_csv(buf, index=False)
    assert EXAMPLE.read_text(encoding="utf-8") == buf.getvalue()


def test_labelled_synthetic_everywhere():
    extract = synthetic.service_data(n=200, seed=1, as_extract=True)
    assert extract["synthetic"].all()
    for df in (extract, synthetic.service_data(n=200, seed=1)):
        assert df.attrs["synthetic"] is True
        assert df.attrs["source"] == "synthetic"
        assert df.attrs["description"].startswith(SYNTHETIC_LABEL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # no identifiers found, so no warning either
        from_file = read_service_data(EXAMPLE)
    assert from_file.attrs["synthetic"] is True and from_file.attrs["source"] == "synthetic"
    assert SYNTHETIC_LABEL in from_file.attrs["description"]


def test_no_identifiers_in_the_extract():
    extract = synthetic.service_data(n=2000, seed=3, as_extract=True)
    assert identifying_columns(extract) == []


def test_ethnic_mix_without_inequities_is_hackneys_census_mix():
    shares = _shares(_fair())
    total = sum(HACKNEY_2021.values())
    for group, residents in HACKNEY_2021.items():
        # 20,000 referrals: sampling standard error under 0.4 percentage points
        assert shares[group] == pytest.approx(residents / total, abs=0.015), group


def test_access_inequity_is_the_documented_size():
    shares = _shares(_unfair())
    weights = {g: HACKNEY_2021[g] * synthetic.ACCESS[g] for g in HACKNEY_2021}
    total = sum(weights.values())
    for group in HACKNEY_2021:
        assert shares[group] == pytest.approx(weights[group] / total, abs=0.015), group
    census = {g: v / sum(HACKNEY_2021.values()) for g, v in HACKNEY_2021.items()}
    assert shares["Asian"] / census["Asian"] < 0.75
    assert shares["Black"] / census["Black"] > 1.15


def test_outcome_gaps_are_built_in_and_absent_without_inequities():
    unfair, fair = _unfair(), _fair()
    for df, gap in ((unfair, True), (fair, False)):
        by = df.groupby("imd_decile", observed=True)
        wait = by["waiting_days"].mean()
        dna = by["missed_appointments"].mean()
        if gap:
            assert wait[1] - wait[5] > 6 and dna[1] / dna[5] > 1.4
        else:
            assert abs(wait[1] - wait[5]) < 3 and abs(dna[1] / dna[5] - 1) < 0.15
    read = unfair.groupby("ethnicity", observed=True)["readmitted_90d"].mean()
    assert read["Black"] > read["White"]
    pos = unfair.groupby("ethnicity", observed=True)["experience_positive"].mean()
    assert pos["Asian"] < pos["White"] - 0.05


def test_places_are_hackneys_real_lsoas_and_deciles():
    df = _unfair()
    real = lsoa_deciles("E09000012").set_index("lsoa11_code")["imd_decile"]
    assert len(real) == 144
    assert df["lsoa_code"].astype(str).isin(real.index).all()
    assert (df["imd_decile"].to_numpy() == real.loc[df["lsoa_code"].astype(str)].to_numpy()).all()
    # MHCLG IoD2019: Hackney's LSOAs lie in national deciles 1-6 only
    assert set(df["imd_decile"].unique()) <= set(range(1, 7))


def test_two_years_of_weekly_referrals_for_run_charts():
    df = synthetic.service_data(n=3000, seed=2024)
    weeks = df["referral_date"].dt.to_period("W-SUN")
    counts = weeks.value_counts()
    assert len(counts) == 104 and counts.min() > 5
    assert df["referral_date"].min() == pd.Timestamp("2023-04-03")
    assert (df["referral_date"].dt.day_of_week < 5).all()


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(50, 400))
def test_any_seed_gives_a_valid_schema(seed, n):
    df = synthetic.service_data(n=n, seed=seed)
    assert len(df) == n
    assert set(df.columns) <= set(SCHEMA_COLUMNS)
    assert (df["waiting_days"].dropna() >= 0).all()
    seen = df["first_appointment_date"].notna()
    assert ((df.loc[seen, "first_appointment_date"] - df.loc[seen, "referral_date"]).dt.days
            == df.loc[seen, "waiting_days"]).all()
    closed = df["discharge_date"].notna()
    assert (df.loc[closed, "discharge_date"] > df.loc[closed, "first_appointment_date"]).all()
    assert df["age"].between(18, 99).all()
    assert np.isclose(df.attrs["missing_ethnicity_pct"],
                      100 * (df["ethnicity"] == "Not stated").mean())
