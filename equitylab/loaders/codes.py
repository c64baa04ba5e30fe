"""Code lists that turn what NHS systems export into the equitylab service-data schema.

Each table maps a *normalised* input (see :func:`normalise_text`) to one output label.
Codes are matched case-insensitively after stripping spaces and punctuation, so "a",
"A ", "White - British" and "WHITE: BRITISH" all land on the same entry.

Sources
-------
Ethnic category
    NHS Data Model and Dictionary, data element "ETHNIC CATEGORY"
    (https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html): the
    2001-census-based national codes A-H, J-N, P, R, S, Z, plus "99 Not known".
    The same list is published for FHIR as UK Core CodeSystem
    "UKCore-EthnicCategoryEngland".
Census 2021 groups
    ONS, "Ethnic group, England and Wales: Census 2021" and the GSS harmonised standard
    for ethnicity (2021 version). In 2021 "Chinese" moved from "Other ethnic group" to
    "Asian, Asian British or Asian Welsh", so NHS code R is counted as Asian here, to
    match the Census 2021 denominators (TS021) that equitylab compares with.
Stated gender / sex
    NHS Data Dictionary "PERSON STATED GENDER CODE": 1 Male, 2 Female,
    9 Indeterminate (unable to be classified as either), X Not known; the older
    "PERSON GENDER CODE CURRENT" used 0 for Not known.
Friends and Family Test
    NHS England, "Friends and Family Test guidance" (2019, in use from April 2020):
    1 Very good, 2 Good, 3 Neither good nor poor, 4 Poor, 5 Very poor, 6 Don't know.
Employment status
    NHS Data Dictionary "EMPLOYMENT STATUS" (used by the Mental Health Services Data Set):
    01 Employed, 02 Unemployed and seeking work, 03 Student, 04 Long-term sick or
    disabled, 05 Homemaker, 06 Not working and not seeking work or receiving benefits,
    07 Unpaid voluntary work, 08 Retired, ZZ Not stated.
"""
from __future__ import annotations

import re

ETHNICITY_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
NOT_STATED = "Not stated"
ETHNICITY_CATEGORIES = (*ETHNICITY_GROUPS, NOT_STATED)

# NHS code -> (NHS Data Dictionary description, Census 2021 five-group, finer group)
ETHNIC_CATEGORY = {
    "A": ("White - British", "White", "White British"),
    "B": ("White - Irish", "White", "White Irish"),
    "C": ("White - Any other White background", "White", "Other White"),
    "D": ("Mixed - White and Black Caribbean", "Mixed", "White and Black Caribbean"),
    "E": ("Mixed - White and Black African", "Mixed", "White and Black African"),
    "F": ("Mixed - White and Asian", "Mixed", "White and Asian"),
    "G": ("Mixed - Any other mixed background", "Mixed", "Other Mixed"),
    "H": ("Asian or Asian British - Indian", "Asian", "Indian"),
    "J": ("Asian or Asian British - Pakistani", "Asian", "Pakistani"),
    "K": ("Asian or Asian British - Bangladeshi", "Asian", "Bangladeshi"),
    "L": ("Asian or Asian British - Any other Asian background", "Asian", "Other Asian"),
    "M": ("Black or Black British - Caribbean", "Black", "Black Caribbean"),
    "N": ("Black or Black British - African", "Black", "Black African"),
    "P": ("Black or Black British - Any other Black background", "Black", "Other Black"),
    "R": ("Other Ethnic Groups - Chinese", "Asian", "Chinese"),
    "S": ("Other Ethnic Groups - Any other ethnic group", "Other", "Any other ethnic group"),
    "Z": ("Not stated", NOT_STATED, None),
    "99": ("Not known", NOT_STATED, None),
}

ETHNICITY_DETAIL_CATEGORIES = tuple(v[2] for v in ETHNIC_CATEGORY.values() if v[2])

_ETHNICITY_TEXT = {
    # finer labels as systems spell them
    "british": "A", "white british": "A", "english": "A",
    "white english welsh scottish northern irish or british": "A",
    "english welsh scottish northern irish or british": "A",
    "irish": "B", "white irish": "B",
    "any other white background": "C", "other white": "C", "white other": "C",
    "other white background": "C",
    "white and black caribbean": "D", "mixed white and black caribbean": "D",
    "white and black african": "E", "mixed white and black african": "E",
    "white and asian": "F", "mixed white and asian": "F",
    "any other mixed background": "G", "other mixed": "G", "mixed other": "G",
    "other mixed background": "G", "any other mixed or multiple ethnic background": "G",
    "indian": "H", "asian indian": "H", "indian or british indian": "H",
    "pakistani": "J", "asian pakistani": "J", "pakistani or british pakistani": "J",
    "bangladeshi": "K", "asian bangladeshi": "K", "bangladeshi or british bangladeshi": "K",
    "any other asian background": "L", "other asian": "L", "asian other": "L",
    "other asian background": "L",
    "caribbean": "M", "black caribbean": "M",
    "african": "N", "black african": "N",
    "any other black background": "P", "other black": "P", "black other": "P",
    "other black background": "P", "any other black african or caribbean background": "P",
    "chinese": "R", "other chinese": "R",
    "any other ethnic group": "S", "other ethnic group any other ethnic group": "S",
    "not stated": "Z", "declined": "Z", "refused": "Z", "patient declined": "Z",
    "prefer not to say": "Z", "not disclosed": "Z", "unwilling to state": "Z",
    "not known": "99", "unknown": "99", "not recorded": "99", "missing": "99",
}
# Census 2021 five-group names (and the older "ethnic group" headings) carry no finer group.
_ETHNICITY_BROAD_TEXT = {
    "asian": "Asian", "asian or asian british": "Asian",
    "asian asian british or asian welsh": "Asian",
    "black": "Black", "black or black british": "Black",
    "black black british black welsh caribbean or african": "Black",
    "mixed": "Mixed", "mixed or multiple ethnic groups": "Mixed", "mixed multiple": "Mixed",
    "mixed or multiple": "Mixed",
    "white": "White",
    "other": "Other", "other ethnic group": "Other", "other ethnic groups": "Other",
    "arab": "Other", "other ethnic group arab": "Other",
    "gypsy or irish traveller": "White", "roma": "White",
    "white gypsy or irish traveller": "White", "white roma": "White",
}


def normalise_text(value) -> str:
    """Lower-case, punctuation to single spaces: 'White - British' -> 'white british'."""
    return re.sub(r"[^a-z0-9]+", " ", str(value).lower()).strip()


def _build_ethnicity_table() -> dict:
    table = {}
    for code, (description, group, detail) in ETHNIC_CATEGORY.items():
        hit = (code, group, detail)
        table[code.lower()] = hit
        table[normalise_text(description)] = hit
    for text, code in _ETHNICITY_TEXT.items():
        _, group, detail = ETHNIC_CATEGORY[code]
        table.setdefault(text, (code, group, detail))
    headings = {"White": ("white",), "Mixed": ("mixed", "mixed multiple", "mixed or multiple"),
                "Asian": ("asian", "asian or asian british"),
                "Black": ("black", "black or black british"),
                "Other": ("other", "other ethnic group", "other ethnic groups")}
    for code, (_, group, detail) in ETHNIC_CATEGORY.items():
        if detail is None:
            continue
        words = [k for k, c in _ETHNICITY_TEXT.items() if c == code]
        for heading in headings.get(group, ()) + (("other ethnic groups", "other") if code == "R" else ()):
            for w in words:
                table.setdefault(f"{heading} {w}", (code, group, detail))
    for text, group in _ETHNICITY_BROAD_TEXT.items():
        table.setdefault(text, ("", group, None))
    # "A - White British" and "White British (A)"
    for key, hit in list(table.items()):
        if hit[0] and key != hit[0].lower():
            table.setdefault(f"{hit[0].lower()} {key}", hit)
            table.setdefault(f"{key} {hit[0].lower()}", hit)
    return table


_ETHNICITY_TABLE = _build_ethnicity_table()
_BLANK = {"", "nan", "none", "null", "na", "n a", "nat"}


def ethnicity_lookup(value) -> tuple[str, str, str | None] | None:
    """Map one exported ethnicity value to (NHS code or '', Census 2021 group, finer group).

    Accepts the NHS codes, their Data Dictionary descriptions, common system labels
    ("Black African", "White - British", "A - White British") and the Census 2021 group
    names. Blank values are "Not stated" with code ''. Returns None for anything else.
    """
    if value is None:
        return ("", NOT_STATED, None)
    key = normalise_text(value)
    if key in _BLANK:
        return ("", NOT_STATED, None)
    hit = _ETHNICITY_TABLE.get(key)
    if hit is None and key.isdigit() and key.lstrip("0") == "99":
        hit = _ETHNICITY_TABLE["99"]
    return hit


SEX_CATEGORIES = ("Female", "Male", "Other", "Indeterminate", "Not known")
_SEX = {
    "1": "Male", "m": "Male", "male": "Male", "man": "Male", "boy": "Male",
    "2": "Female", "f": "Female", "female": "Female", "woman": "Female", "girl": "Female",
    "9": "Indeterminate", "i": "Indeterminate", "indeterminate": "Indeterminate",
    "non binary": "Other", "nonbinary": "Other", "other": "Other", "3": "Other",
    "0": "Not known", "x": "Not known", "u": "Not known", "not known": "Not known",
    "unknown": "Not known", "not stated": "Not known", "not recorded": "Not known",
    "prefer not to say": "Not known", "declined": "Not known",
    "not specified": "Not known",
}


def sex_lookup(value) -> str | None:
    """Map one exported sex or stated-gender value to a label in :data:`SEX_CATEGORIES`."""
    key = normalise_text(value)
    if key in ("", "nan", "none", "null", "na"):
        return "Not known"
    return _SEX.get(key) or _SEX.get(key.lstrip("0") or "0")


EXPERIENCE_CATEGORIES = ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor",
                         "Don't know")
_EXPERIENCE = {
    "1": "Very good", "very good": "Very good", "extremely likely": "Very good",
    "2": "Good", "good": "Good", "likely": "Good",
    "3": "Neither good nor poor", "neither good nor poor": "Neither good nor poor",
    "neither likely nor unlikely": "Neither good nor poor",
    "4": "Poor", "poor": "Poor", "unlikely": "Poor",
    "5": "Very poor", "very poor": "Very poor", "extremely unlikely": "Very poor",
    "6": "Don't know", "don t know": "Don't know", "dont know": "Don't know",
}


def experience_lookup(value) -> str | None:
    """Map a Friends and Family Test answer (1-6 or its words) to its FFT label."""
    key = normalise_text(value)
    if key.endswith(" 0") and key[:-2].isdigit():
        key = key[:-2]
    return _EXPERIENCE.get(key)


EMPLOYMENT_CATEGORIES = ("Employed", "Unemployed", "Student", "Long-term sick or disabled",
                         "Homemaker or carer", "Not working, not seeking work", "Voluntary work",
                         "Retired", "Not stated")
_EMPLOYMENT = {
    "01": "Employed", "1": "Employed", "employed": "Employed", "in work": "Employed",
    "working": "Employed", "full time": "Employed", "part time": "Employed",
    "self employed": "Employed", "paid employment": "Employed",
    "02": "Unemployed", "2": "Unemployed", "unemployed": "Unemployed",
    "unemployed and seeking work": "Unemployed", "unemployed and actively seeking work": "Unemployed",
    "03": "Student", "3": "Student", "student": "Student", "in education": "Student",
    "education or training": "Student",
    "04": "Long-term sick or disabled", "4": "Long-term sick or disabled",
    "long term sick or disabled": "Long-term sick or disabled", "sick or disabled":
        "Long-term sick or disabled",
    "05": "Homemaker or carer", "5": "Homemaker or carer", "homemaker": "Homemaker or carer",
    "carer": "Homemaker or carer", "looking after family or home": "Homemaker or carer",
    "06": "Not working, not seeking work", "6": "Not working, not seeking work",
    "not working": "Not working, not seeking work", "economically inactive":
        "Not working, not seeking work",
    "07": "Voluntary work", "7": "Voluntary work", "voluntary work": "Voluntary work",
    "unpaid voluntary work": "Voluntary work", "volunteer": "Voluntary work",
    "08": "Retired", "8": "Retired", "retired": "Retired",
    "zz": "Not stated", "not stated": "Not stated", "not known": "Not stated",
    "unknown": "Not stated", "declined": "Not stated",
}

HOUSING_CATEGORIES = ("Settled", "Unsettled", "Homeless", "Not stated")
_HOUSING = {
    "settled": "Settled", "settled accommodation": "Settled", "owner occupier": "Settled",
    "owner occupied": "Settled", "social housing": "Settled", "council": "Settled",
    "council or housing association": "Settled", "private rented": "Settled",
    "rented": "Settled", "living with family": "Settled", "own home": "Settled",
    "secure": "Settled", "stable": "Settled",
    "unsettled": "Unsettled", "unsettled accommodation": "Unsettled",
    "temporary accommodation": "Unsettled", "temporary": "Unsettled", "hostel": "Unsettled",
    "sofa surfing": "Unsettled", "supported accommodation": "Unsettled", "insecure": "Unsettled",
    "homeless": "Homeless", "rough sleeping": "Homeless", "street homeless": "Homeless",
    "no fixed abode": "Homeless", "nfa": "Homeless",
    "not stated": "Not stated", "not known": "Not stated", "unknown": "Not stated",
}

SMOKING_CATEGORIES = ("Current smoker", "Ex-smoker", "Never smoked", "Not stated")
_SMOKING = {
    "current smoker": "Current smoker", "smoker": "Current smoker", "current": "Current smoker",
    "yes": "Current smoker", "y": "Current smoker", "smokes": "Current smoker",
    "ex smoker": "Ex-smoker", "ex": "Ex-smoker", "former smoker": "Ex-smoker",
    "former": "Ex-smoker", "stopped": "Ex-smoker",
    "never smoked": "Never smoked", "never": "Never smoked", "non smoker": "Never smoked",
    "no": "Never smoked", "n": "Never smoked", "never smoker": "Never smoked",
    "not stated": "Not stated", "not known": "Not stated", "unknown": "Not stated",
}

_YES_NO = {
    "1": True, "y": True, "yes": True, "true": True, "t": True,
    "0": False, "n": False, "no": False, "false": False, "f": False,
    "1 0": True, "0 0": False,
}


def yes_no_lookup(value):
    """Map yes/no, true/false, 1/0 (any case) to True/False; other text to None."""
    return _YES_NO.get(normalise_text(value))


def table_lookup(table: dict):
    """A lookup function over ``table`` using normalised keys; unknown -> None. Every
    label the table gives is accepted too, so a file saved from equitylab reads back."""
    table = {**{normalise_text(label): label for label in set(table.values())}, **table}

    def lookup(value):
        key = normalise_text(value)
        return table.get(key) or table.get(key.zfill(2) if key.isdigit() else key)
    return lookup


employment_lookup = table_lookup(_EMPLOYMENT)
housing_lookup = table_lookup(_HOUSING)
smoking_lookup = table_lookup(_SMOKING)
