"""Text that stays text in every file equitylab writes: spreadsheets and Markdown.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula, so a team's "=HYPERLINK(...)" in a measure name would become a live link.
Following OWASP's guidance on CSV injection, such text cells are written with a leading apostrophe,
which spreadsheets show as plain text. Numbers stay numbers. Markdown files get HTML escaped and no
``javascript:`` links, so nothing a team typed runs when the file is opened or rendered.
"""
from __future__ import annotations

import html
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SCRIPT_LINK = re.compile(r"(?i)\b(?:java|vb)script\s*:")


def spreadsheet_text(value):
    """``value`` as a spreadsheet cell: text that a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_frame(frame):
    """A copy of the DataFrame ``frame`` whose text cells (and headers) are safe in a spreadsheet; numbers
    untouched."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "O" or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(spreadsheet_text)
    out.columns = [spreadsheet_text(str(c)) for c in out.columns]
    out.attrs.update(frame.attrs)
    return out


def markdown_text(value) -> str:
    """``value`` for a Markdown file: HTML escaped, ``javascript:`` links disarmed, one line."""
    text = html.escape(str(value), quote=False)
    return _SCRIPT_LINK.sub("blocked-script:", text).replace("\n", " / ")
