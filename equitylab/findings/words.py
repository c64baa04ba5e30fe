"""Small helpers for the words findings say."""
from __future__ import annotations


def sentence_case(text) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:]


def pct(x: float, digits: int = 0) -> str:
    return f"{x:.{digits}f}%"


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]



SMALL = 7  # counts from 1 to 7 are hidden when publishing


def share_words(count: int, total: int, audience: str, *, decimals: int = 0) -> str:
    """How many of ``total`` referrals a count is, as a sentence says it: "9%", or, when publishing a
    count of 1 to 7, "fewer than 8" (a percentage of a known total would give the count back: 1% of
    300 referrals is 2 to 4)."""
    if audience == "publish" and 1 <= count <= SMALL:
        return f"fewer than {SMALL + 1}"
    return f"{100 * count / total:.{decimals}f}%" if total else "0%"


def possessive(name: str) -> str:
    """"Hackney's", "Tower Hamlets'": the possessive as a careful writer forms it."""
    name = str(name)
    return name + ("'" if name.endswith("s") else "'s")
