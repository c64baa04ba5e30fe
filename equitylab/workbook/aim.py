"""Checking an aim statement the way an improvement advisor would.

Follows the IHI Aim Statement Worksheet (what, how much, by when, for whom, where) and
Berwick's "some is not a number; soon is not a time", with the equity addition that an
aim names the group experiencing the inequity and the gap to close.

It also reads the numbers: the direction word ("reduce", "increase", "close", "narrow",
"raise" ...) must agree with the baseline and target, an aim about a gap must make the gap
smaller, the target must differ from the baseline, and the date must still be ahead.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from .model import Aim

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
          "sept", "oct", "nov", "dec")
_MONTH_NUMBER = {name: next(i for i, m in enumerate(MONTHS[:12], 1) if m.startswith(name[:3])) for name in MONTHS}
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

# Direction words, as a team writes them. "lower" and "close" only count as verbs ("lower the
# wait", "close the gap"), not as "people on lower incomes" or "care close to home".
_DOWN = (r"reduc(?:e|es|ed|ing)", r"decreas(?:e|es|ed|ing)", r"cut(?:s|ting)?", r"halv(?:e|es|ed|ing)",
         r"narrow(?:s|ed|ing)?", r"shrink(?:s|ing)?", r"eliminat(?:e|es|ed|ing)",
         r"lower(?:s|ed|ing)?(?=\s+(?:the|our|its|their)\b)", r"clos(?:e|es|ed|ing)(?=\s+(?:the|our|this)\b)")
_UP = (r"increas(?:e|es|ed|ing)", r"rais(?:e|es|ed|ing)(?!\s+awareness)", r"doubl(?:e|es|ed|ing)",
       r"boost(?:s|ed|ing)?", r"grow(?:s|ing)?", r"expand(?:s|ed|ing)?")
_DIRECTION = re.compile(r"\b(?:(?P<down>" + "|".join(_DOWN) + r")|(?P<up>" + "|".join(_UP) + r"))\b",
                        re.IGNORECASE)
_GAP = re.compile(r"\b(?:gap|gaps|difference|differences|inequalit(?:y|ies)|inequit(?:y|ies)|disparit(?:y|ies))\b",
                  re.IGNORECASE)
_NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
_UNIT = r"(\s*(?:%|per\s*cent|percent|(?:weeks?|days?|months?|hours?)\b|per\s+[\d,]+\b))?"
_QUALIFIER = r"(?:about|around|approximately|roughly|under|below|less\s+than|fewer\s+than|at\s+least|over|above|more\s+than)\s+"
_FROM_TO = re.compile(rf"\bfrom\s+(?:{_QUALIFIER})?{_NUM}{_UNIT}(?:\s+in\s+{_NUM})?"
                      rf"[^.;]*?\bto\s+(?:{_QUALIFIER})?{_NUM}{_UNIT}(?:\s+in\s+{_NUM})?", re.IGNORECASE)
_BY_DATE = re.compile(
    r"\bby\s+(?:the\s+end\s+of\s+)?(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+)?(?:(?P<month>" + "|".join(MONTHS)
    + r")\.?,?\s+)?(?P<year>(?:19|20)\d\d)\b|\bby\s+(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{2}|\d{4})\b",
    re.IGNORECASE)


def _number(text: str, per: str | None) -> float:
    value = float(text.replace(",", ""))
    return value / float(per.replace(",", "")) if per else value  # "1 in 5" is a fifth


def _shown(x: float, unit: str = "") -> str:
    unit = unit.strip()
    return f"{x:g}{unit}" if unit in ("%", "") else f"{x:g} {unit}"


def _as_written(number: str, unit: str | None, per: str | None) -> str:
    return f"{number} in {per}" if per else f"{number}{(unit or '').rstrip()}"


def _direction(text: str) -> tuple[str, bool] | None:
    """The first direction word in ``text`` and whether it means down ("reduce") or up ("increase")."""
    found = _DIRECTION.search(text)
    return (found.group(0).lower(), found.group("down") is not None) if found else None


def _number_problems(direction: tuple[str, bool] | None, gap: bool, baseline: float, target: float,
                     shown: tuple[str, str]) -> list[str]:
    """What the numbers say against the words: one sentence at most (the first that applies).

    ``gap``: the aim is about a gap between groups, so its numbers are the gap, unless its verb
    goes up ("increase uptake among ... to close the gap"), when they are the group's level.
    """
    b, t = shown
    word, down = direction or ("", False)
    if target == baseline:
        return ["The target is the same as the baseline: say how much it will change."]
    if gap and (down or not word) and abs(target) > abs(baseline):
        return [f"The target gap ({t}) is wider than the gap now ({b}): an equity aim makes the gap smaller."]
    if word and down and target > baseline:
        return [(f"The aim says \"{word}\" but the target ({t}) is higher than where you are now ({b}): "
                 "check the numbers or the word.")]
    if word and not down and target < baseline:
        return [(f"The aim says \"{word}\" but the target ({t}) is lower than where you are now ({b}): "
                 "check the numbers or the word.")]
    return []


def _end_of(year: int, month: int | None = None, day: int | None = None) -> date | None:
    """The last day a date written as "2027", "March 2027" or "31 March 2027" allows."""
    month_end = month or 12
    try:
        return date(year, month_end, day or calendar.monthrange(year, month_end)[1])
    except ValueError:
        return None


def _date_in(text: str) -> date | None:
    """The "by ..." date in a sentence (UK day/month order), or None when there is none to read."""
    found = _BY_DATE.search(text)
    if not found:
        return None
    if found.group("y"):
        year = int(found.group("y"))
        return _end_of(year + 2000 if year < 100 else year, int(found.group("m")), int(found.group("d")))
    month = found.group("month")
    day = found.group("day")
    return _end_of(int(found.group("year")), _MONTH_NUMBER[month.lower()] if month else None,
                   int(day) if day and month else None)


def _past(when: date, today: date | None) -> list[str]:
    if when < (today or date.today()):
        return [f"The date ({when.day} {when:%B %Y}) has passed: set a new one."]
    return []


def _problems_in_sentence(text: str, today: date | None = None) -> list[str]:
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
    change = _FROM_TO.search(text)
    if change:
        baseline = _number(change.group(1), change.group(3))
        target = _number(change.group(4), change.group(6))
        shown = (_as_written(*change.group(1, 2, 3)), _as_written(*change.group(4, 5, 6)))
        problems += _number_problems(_direction(text[:change.start()]) or _direction(text),
                                     bool(_GAP.search(text[:change.start()])), baseline, target, shown)
    when = _date_in(text)
    if when is not None:
        problems += _past(when, today)
    return problems


def check_aim(aim: Aim | str, *, today: date | None = None) -> list[str]:
    """Plain-English problems with an aim; an empty list means a good aim.

    Parameters
    ----------
    aim : Aim or str
        The aim fields (what, group, baseline, target, by_when, where ...) or one sentence.
    today : date, optional
        For checking that the date is still ahead (default: today's date).

    Returns
    -------
    list of str
        One sentence per problem: no number, no date, no named group, no baseline,
        "everyone"/"all patients", a vague verb such as "improve" or "look at", a direction
        word the numbers contradict ("reduce" ... from 37% to 45%), a gap aim whose target gap
        is wider than the gap now, a target equal to the baseline, or a date already past.
        An aim with a group and a comparison group is a gap aim: its baseline and target are
        the gap between them (``Aim.sentence`` says "reduce the gap in ...").
    """
    if isinstance(aim, str):
        return _problems_in_sentence(aim, today)
    if aim.statement.strip() and not aim.what.strip():
        return _problems_in_sentence(aim.statement, today)
    problems = []
    if not aim.what.strip():
        problems.append("Say what you are trying to change (the \"what\" of the aim).")
    if not aim.group.strip():
        problems.append("No group is named: say which group experiences the inequity.")
    if aim.baseline is None:
        problems.append("There is no baseline: say where you are now.")
    if aim.target is None:
        problems.append("There is no number to aim for: say how much (\"some is not a number\").")
    elif aim.baseline is not None:
        gap = bool(aim.group.strip() and aim.comparison_group.strip()) or bool(_GAP.search(aim.what + aim.statement))
        # with both groups and no statement of its own, the aim reads "reduce the gap in ..." (Aim.sentence)
        words = aim.sentence() if gap and not aim.statement.strip() else f"{aim.what} {aim.statement}"
        problems += _number_problems(_direction(words), gap, aim.baseline, aim.target,
                                     (_shown(aim.baseline, aim.unit), _shown(aim.target, aim.unit)))
    if aim.by_when is None:
        problems.append("There is no date: say by when (\"soon is not a time\").")
    else:
        problems += _past(aim.by_when, today)
    if not aim.where.strip():
        problems.append("Say where: which service, ward or area the aim covers.")
    words = f"{aim.what} {aim.group} {aim.for_whom} {aim.statement}"
    if _EVERYONE.search(words):
        problems.append("It says \"everyone\" or \"all patients\": an equity aim names the group that is "
                        "doing worse and the gap you will close.")
    vague = [v for v in _ALWAYS_VAGUE if re.search(rf"\b{v}\b", words.lower())]
    if vague:
        problems.append(f"\"{vague[0]}\" is vague: say what will change and by how much.")
    return problems


_PERCENT = ("", "%", "per cent", "percent")


def stated_target(aim: Aim | str) -> tuple[float, str] | None:
    """The level the aim sets for its measure, with its unit ("%", "days", ""): from the aim's fields, or
    read from its sentence ("from 40% to 60%"). None when there is no target, or when the numbers are a gap
    between two groups ("reduce the gap ... from 12 to 5 points"), which is no level for either group."""
    if isinstance(aim, str):
        aim = Aim(statement=aim)
    if aim.target is None:
        change = _FROM_TO.search(aim.statement)
        if not change or change.group(6):  # "1 in 5" is a fraction, not a level on the measure's scale
            return None
        before = aim.statement[:change.start()]
        target, unit = _number(change.group(4), None), (change.group(5) or change.group(2) or "").strip()
        gap = bool(_GAP.search(before))
        direction = _direction(before) or _direction(aim.statement)
    else:
        target, unit = float(aim.target), aim.unit.strip()
        gap = bool(aim.group.strip() and aim.comparison_group.strip()) or bool(_GAP.search(f"{aim.what} {aim.statement}"))
        direction = _direction(f"{aim.what} {aim.statement}")
    if gap and (direction is None or direction[1]):  # as _number_problems: these numbers are the gap
        return None
    return target, "%" if unit.lower() in ("per cent", "percent") else unit


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
