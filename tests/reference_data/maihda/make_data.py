"""Generate the patient-level data sets that fit_lme4.R fits (run once; the CSVs are committed).

Run from the repository root: ``python tests/reference_data/maihda/make_data.py``. Each data set is
synthetic, drawn with a fixed seed, and stores its categories as text with the missing ones written
as an analyst meets them ("Not stated", "Not known", a blank deprivation quintile).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ETHNICITY = np.array(["White", "Black", "Asian", "Mixed", "Other", "Not stated"])
SEX = np.array(["Female", "Male", "Not known"])


def _people(rng, n, eth_p, sex_p, quintile_missing=0.01):
    eth = rng.choice(ETHNICITY, n, p=eth_p)
    sex = rng.choice(SEX, n, p=sex_p)
    q = rng.integers(1, 6, n).astype(float)
    q[rng.random(n) < quintile_missing] = np.nan
    return pd.DataFrame({"ethnicity": eth, "sex": sex, "imd_quintile": pd.array(q, dtype="Int64")})


def _linear(d, rng, *, base, eth, male, gradient, interaction_sd):
    """Main effects plus one fixed draw per stratum (the interaction) on the chosen scale."""
    lin = base + d["ethnicity"].map(eth).fillna(0).to_numpy() + male * (d["sex"] == "Male").to_numpy()
    lin = lin + gradient * (3 - d["imd_quintile"].astype(float).fillna(3).to_numpy())
    if interaction_sd:
        keys = (d["ethnicity"].astype(str) + "|" + d["sex"].astype(str) + "|"
                + d["imd_quintile"].astype("string").fillna("").astype(str))
        levels = sorted(set(keys))
        effect = dict(zip(levels, rng.normal(0, interaction_sd, len(levels))))
        lin = lin + keys.map(effect).to_numpy()
    return lin


def _binary(rng, n, *, eth_p, sex_p, base, interaction_sd, eth=None, male=0.3, gradient=0.15):
    d = _people(rng, n, eth_p, sex_p)
    eth = eth or {"White": 0.0, "Black": 0.4, "Asian": -0.2, "Mixed": 0.2, "Other": 0.1}
    lin = _linear(d, rng, base=base, eth=eth, male=male, gradient=gradient, interaction_sd=interaction_sd)
    d["readmitted"] = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    return d


def _gaussian(rng, n, *, interaction_sd):
    d = _people(rng, n, [0.5, 0.2, 0.12, 0.07, 0.06, 0.05], [0.52, 0.47, 0.01])
    eth = {"White": 0.0, "Black": 6.0, "Asian": 2.0, "Mixed": 4.0, "Other": -1.0}
    lin = _linear(d, rng, base=40.0, eth=eth, male=-3.0, gradient=2.5, interaction_sd=interaction_sd)
    d["waiting_days"] = np.round(lin + rng.normal(0, 15, n), 1)
    return d


def main() -> None:
    rng = np.random.default_rng(20240522)
    common = {"eth_p": [0.5, 0.2, 0.12, 0.07, 0.06, 0.05], "sex_p": [0.52, 0.47, 0.01]}
    sets = {
        # real interactions (a draw per stratum, SD 0.5 on the logit scale), 50 strata
        "binary_interaction": _binary(rng, 6000, base=-1.5, interaction_sd=0.5, **common),
        # main effects only: Model 2's between-stratum variance should be close to 0
        "binary_additive": _binary(rng, 8000, base=-1.2, interaction_sd=0.0, **common),
        # rare outcome, skewed groups: strata of 1 to 7 people and strata with no events
        "binary_small": _binary(rng, 1500, base=-2.8, interaction_sd=0.6,
                                eth_p=[0.7, 0.15, 0.08, 0.02, 0.02, 0.03], sex_p=[0.5, 0.48, 0.02]),
        "gaussian_interaction": _gaussian(rng, 4000, interaction_sd=6.0),
        "gaussian_additive": _gaussian(rng, 4000, interaction_sd=0.0),
    }
    small = sets["binary_small"]
    # one stratum of a good size with no events at all
    zero = (small["ethnicity"] == "Black") & (small["sex"] == "Female") & (small["imd_quintile"] == 2)
    small.loc[zero, "readmitted"] = 0
    for name, d in sets.items():
        d.to_csv(HERE / f"{name}.csv", index=False)
        print(name, len(d))


if __name__ == "__main__":
    main()
