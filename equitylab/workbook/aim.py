"""Checking an aim statement the way an improvement advisor would.

Follows the IHI Aim Statement Worksheet (what, how much, by when, for whom, where) and
Berwick's "some is not a number; soon is not a time", with the equity addition that an
aim names the group experiencing the inequity and the gap to close.
"""
from __future__ import annotations

import re
from datetime import date

from .model import Aim

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
          "sept", "oct", "nov", "dec")
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:"
                   + "|".join(MONTHS) + r")\b|\bq[1-4]\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d")
_BASELINE = re.compile(r"\bfrom\s+(?:about\s+|around\s+)?[\d.]+.*?\bto\s+(?:about\s+)?[\d.]+", re.IGNORECASE)
_EVERYONE = re.compile(r"\b(?:everyone|everybody|all (?:patients|service users|people|clients|residents|users))\b",
                       re.IGNORECASE)
_ALWAYS_VAGUE = ("look at", "looking at", "raise awareness", "raising awareness", "explore", "understand",
                 "consider", "address", "tackle", "work towards", "promote")
_VAGUE_WITHOUT_NUMBER = ("improve", "improving", "enhance", "better", "increase", "reduce", "decrease")
# Words that name a group; an aim that names none probably has not said who experiences the inequity.
_GROUP_WORDS = (
    "black", "asian", "white", "mixed", "ethnic", "ethnicity", "bangladeshi", "pakistani", "indian", "chinese",
    "african", "caribbean", "somali", "turkish", "polish", "roma", "gypsy", "traveller", "irish", "arab",
    "british", "men", "women", "male", "female", "boys", "girls", "children", "young people", "older",
    "younger", "aged", "age ", "over 65", "under 18", "deprived", "deprivation", "quintile", "decile",
    "learning disabilit", "autis", "disabled", "disability", "carers", "lgbt", "gay", "lesbian", "trans",
    "non-binary", "homeless", "refugee", "asylum", "migrant", "interpreter", "english is not",
    "non-english", "language", "religion", "muslim", "jewish", "hindu", "sikh", "veteran", "prison",
    "unemployed", "low income", "benefits", "rural", "smokers", "pregnan", "mothers", "fathers", "students",
    "between",
)


def _problems_in_sentence(text: str) -> list[str]:
    problems = []
    low = f" {text.lower()} "
    if not text.strip():
        return ["The aim is empty: say what you will change, for whom, by how much and by when."]
    numbers = _NUMBER.search(_DATE.sub(" ", text))  # a year is not a goal
    if not numbers:
        problems.append("There is no number: say how much will change (\"some is not a number\").")
    if not _DATE.search(text):
        problems.append("There is no date: say by when (\"soon is not a time\"), e.g. by 31 March 2026.")
    if not any(word in low for word in _GROUP_WORDS) and not _EVERYONE.search(text):
        problems.append("No group is named: say which group experiences the inequity "
                        "(for example Black African women aged 18 to 35).")
    if numbers and not _BASELINE.search(text) and "baseline" not in low and "currently" not in low:
        problems.append("There is no baseline: say where you are now as well as where you aim to be "
                        "(\"from 40% to 60%\").")
    if _EVERYONE.search(text):
        problems.append("It says \"everyone\" or \"all patients\": an equity aim names the group that is "
                        "doing worse and the gap you will close.")
    vague = [v for v in _ALWAYS_VAGUE if re.search(rf"\b{v}\b", low)]
    if not numbers:
        vague += [v for v in _VAGUE_WITHOUT_NUMBER if re.search(rf"\b{v}\b", low)]
    if vague:
        problems.append(f"\"{vague[0]}\" is vague: say what will change and by how much, "
                        "so you will know when you have got there.")
    return problems


def check_aim(aim: Aim | str, *, today: date | None = None) -> list[str]:
    """Plain-English problems with an aim; an empty list means a good aim.

    Parameters
    ----------
    aim : Aim or str
        The aim fields (what, group, baseline, target, by_when, where ...) or one sentence.
    today : date, optional
        For checking that the date is still ahead (default: today).

    Returns
    -------
    list of str
        One sentence per problem: no number, no date, no named group, no baseline,
        "everyone"/"all patients", or a vague verb such as "improve" or "look at".
    """
    if isinstance(aim, str):
        return _problems_in_sentence(aim)
    if aim.statement.strip() and not aim.what.strip():
        return _problems_in_sentence(aim.statement)
    problems = []
    if not aim.what.strip():
        problems.append("Say what you are trying to change (the \"what\" of the aim).")
    if not aim.group.strip():
        problems.append("No group is named: say which group experiences the inequity.")
    if aim.baseline is None:
        problems.append("There is no baseline: say where you are now.")
    if aim.target is None:
        problems.append("There is no number to aim for: say how much (\"some is not a number\").")
    elif aim.baseline is not None and aim.target == aim.baseline:
        problems.append("The target is the same as the baseline: say how much it will change.")
    if aim.by_when is None:
        problems.append("There is no date: say by when (\"soon is not a time\").")
    elif aim.by_when < (today or date.today()):
        problems.append(f"The date ({aim.by_when.isoformat()}) has passed: set a new one.")
    if not aim.where.strip():
        problems.append("Say where: which service, ward or area the aim covers.")
    words = " ".join([aim.what, aim.group, aim.for_whom, aim.statement])
    if _EVERYONE.search(words):
        problems.append("It says \"everyone\" or \"all patients\": an equity aim names the group that is "
                        "doing worse and the gap you will close.")
    vague = [v for v in _ALWAYS_VAGUE if re.search(rf"\b{v}\b", words.lower())]
    if vague:
        problems.append(f"\"{vague[0]}\" is vague: say what will change and by how much.")
    return problems


def aim_template() -> str:
    """The IHI aim shape, with the blanks to fill."""
    return "We will [change what] for [which group] in [where] from [baseline] to [target] by [date]."


def equity_aim_template(what: str = "[X]", group: str = "[group A]", comparison_group: str = "[group B]",
                        baseline: str | float = "[Y]", target: str | float = "[Z]", by: str | date = "[date]") -> str:
    """An equity aim: reduce the gap in X between group A and group B from Y to Z by a date."""
    if isinstance(by, date):
        by = f"{by.day} {by:%B %Y}"
    return (f"Reduce the gap in {what} between {group} and {comparison_group} "
            f"from {baseline} to {target} by {by}.")
