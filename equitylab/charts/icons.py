"""NHS England "Making Data Count" variation and assurance icons, drawn here as small inline SVG.

The icons follow Making Data Count ("Making data count: strengthening your decisions", NHS England,
2019): a coloured circle with a letter. Blue is improvement, orange concern, grey common cause (and, for
assurance, hit and miss), purple a special cause on a measure with no improvement direction ("neither").
H and L say whether the signal is in higher or lower values; P and F say the target will be passed or
failed consistently; "?" that it will be hit and missed.

Nothing is fetched from the internet. The icon is decoration beside its words: a screen reader reads
the words (the drawing is hidden from it), and a page printed in grey still shows the letter and the
words. The circles use the darker shades of the Making Data Count colours that carry white letters at
4.5:1 or more (WCAG 2.2, 1.4.3).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .theme import MDC

# dark enough for a white letter at 4.5:1 (the grey and blue are darker than Making Data Count's own)
SHADE = {"common_cause": "#505050", "improvement": "#00688F", "concern": "#A34800", "neutral": MDC["neutral"]}


@dataclass(frozen=True)
class Icon:
    """One icon and its words. In a table it shows as the drawing followed by the words (``__html__``);
    anywhere else (a CSV, a plain-text table) it is its words."""

    letter: str
    colour: str
    words: str

    def svg(self, size: int = 18) -> str:
        mark = (  # common cause: a wavy line, as Making Data Count's grey icon
            "<path d='M4 10 q3 -5 6 0 t6 0' fill='none' stroke='#FFFFFF' stroke-width='2'/>"
            if self.letter == "~"
            else f"<text x='10' y='14.2' text-anchor='middle' font-family='Arial, Helvetica, sans-serif' "
                 f"font-size='12' font-weight='bold' fill='#FFFFFF'>{escape(self.letter)}</text>")
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}' viewBox='0 0 20 20' "
                f"aria-hidden='true' focusable='false' style='vertical-align:middle;flex:none'>"
                f"<circle cx='10' cy='10' r='9.5' fill='{self.colour}'/>{mark}</svg>")

    def __html__(self) -> str:
        return (f"<span class='mdc-icon' style='display:inline-flex;gap:0.35em;align-items:center'>"
                f"{self.svg()}<span>{escape(self.words)}</span></span>")

    def __str__(self) -> str:
        return self.words


def variation_icon(variation: str, words: str) -> Icon:
    """The variation icon for a Making Data Count verdict (``common_cause``, ``improvement_high``,
    ``concern_low``, ``neutral_high`` ...)."""
    if variation == "common_cause" or "_" not in str(variation):
        return Icon("~", SHADE["common_cause"], words)
    kind, _, side = str(variation).rpartition("_")
    return Icon("H" if side == "high" else "L", SHADE.get(kind, SHADE["common_cause"]), words)


def assurance_icon(assurance: str, words: str) -> Icon:
    """The assurance icon: P (pass, blue), F (fail, orange) or ? (hit and miss, grey)."""
    letter, kind = {"pass": ("P", "improvement"), "fail": ("F", "concern")}.get(assurance, ("?", "common_cause"))
    return Icon(letter, SHADE[kind], words)
