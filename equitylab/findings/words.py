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



def possessive(name: str) -> str:
    """"Hackney's", "Tower Hamlets'": the possessive as a careful writer forms it."""
    name = str(name)
    return name + ("'" if name.endswith("s") else "'s")
