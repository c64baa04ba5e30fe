"""Standard populations for direct age standardisation.

``ESP2013`` is the 2013 European Standard Population (Eurostat, *Revision of the European
Standard Population*, 2013), in the 19 five-year bands that PHE/OHID use, with 90+ = 1,000
(Eurostat's 90-94 and 95+ combined). It sums to 100,000. The same figures are in
``/work/shared/data/standards/esp2013.csv`` of the project's reference material.

``ESP2013_85PLUS`` is the same standard with an 85+ top band (85-89 + 90+ = 2,500), for data
whose oldest band is 85+ (for example Census 2021 five-year bands).
"""
from __future__ import annotations

import re

ESP2013: dict[str, int] = {
    "0-4": 5000, "5-9": 5500, "10-14": 5500, "15-19": 5500, "20-24": 6000, "25-29": 6000,
    "30-34": 6500, "35-39": 7000, "40-44": 7000, "45-49": 7000, "50-54": 7000, "55-59": 6500,
    "60-64": 6000, "65-69": 5500, "70-74": 5000, "75-79": 4000, "80-84": 2500, "85-89": 1500,
    "90+": 1000,
}

ESP2013_85PLUS: dict[str, int] = {k: v for k, v in ESP2013.items() if k not in ("85-89", "90+")}
ESP2013_85PLUS["85+"] = ESP2013["85-89"] + ESP2013["90+"]

STANDARDS: dict[str, dict[str, int]] = {"esp2013": ESP2013, "esp2013_85plus": ESP2013_85PLUS}


def band_label(label) -> str:
    """Normalise an age-band label so "00-04", "0 to 4" and "0-4" all read "0-4";
    "90 and over", "90plus" and "90+" read "90+"."""
    text = str(label).strip().lower().replace("years", "").replace("yrs", "")
    text = re.sub(r"\s*(to|–|—)\s*", "-", text)
    text = re.sub(r"\s*(and over|and older|plus|\+)\s*$", "+", text)
    text = text.replace(" ", "")
    text = re.sub(r"\d+", lambda m: str(int(m.group())), text)
    return text
