"""Read a project's published measure data, as each export shows it, into a :class:`joint.Joint`.

The exports: the Life QI export as JSON, CSV and Markdown (``workbook.lifeqi``), and the project on a
page (``findings.onepage``: its table of each measure's points; its run chart and alt text are drawn
from the shown points only). Each gives, for each measure, rows of period, group, numerator,
denominator and value, with hidden points blank and noted "hidden: small numbers".

What the reader knows: a shown point rests on no count of 1 to 7 (each count is 0 or at least 8); a
hidden point either rests on one (its numerator or denominator is 1 to 7) or was hidden to protect
one in its period, and then it is 0 or at least 8 too; a period with hidden points has at least one
of the first kind; the groups of a period add up to its "All" row (numerators and denominators); a
value is numerator over denominator times the measure's multiplier, at the precision printed.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import defaultdict

from joint import BIG, THRESHOLD, Joint

HIDDEN = "hidden: small numbers"


def _number(text):
    text = str(text).strip()
    return None if text in ("", "None", "null", "*") else text


def from_json(export: dict) -> list[list[dict]]:
    data = json.loads(json.dumps(export, default=str))
    return [[{"period": d["Date"], "group": d["Group"], "numerator": _number(d["Numerator"] if d["Numerator"] is not None else ""),
              "denominator": _number(d["Denominator"] if d["Denominator"] is not None else ""),
              "value": _number(d["Value"] if d["Value"] is not None else ""), "note": d["Note"]}
             for d in m["Data"]] for m in data["Measures"]]


def _from_fields(fields) -> list[list[dict]]:
    """(measure number, point number, field, text) from the flattened exports."""
    measures: dict = defaultdict(lambda: defaultdict(dict))
    for m, d, name, text in fields:
        measures[int(m)][int(d)][name] = text
    names = {"Date": "period", "Group": "group", "Numerator": "numerator", "Denominator": "denominator",
             "Value": "value", "Note": "note"}
    out = []
    for m in sorted(measures):
        rows = []
        for d in sorted(measures[m]):
            row = {names[k]: v for k, v in measures[m][d].items()}
            for k in ("numerator", "denominator", "value"):
                row[k] = _number(row.get(k, ""))
            rows.append(row)
        out.append(rows)
    return out


def from_csv(text: str) -> list[list[dict]]:
    rows = list(csv.reader(io.StringIO(text)))
    fields = []
    for section, field, value in rows[1:]:
        m = re.fullmatch(r"\s*(\d+) / Data (\d+) / (\w+)", field)
        if section == "Measures" and m:
            fields.append((m.group(1), m.group(2), m.group(3), value.lstrip("'")))
    return _from_fields(fields)


def from_markdown(text: str) -> list[list[dict]]:
    part = text.split("## Measures", 1)[1].split("\n## ", 1)[0]
    fields = [(m, d, name, value.replace("\\", "")) for m, d, name, value in
              re.findall(r"^- \*\*\s*(\d+) / Data (\d+) / (\w+)\*\*: ?(.*)$", part, flags=re.M)]
    return _from_fields(fields)


def from_page(page: str) -> list[list[dict]]:
    """The project on a page: each measure's table (hidden cells are "*")."""
    out = []
    for table in re.findall(r"<table><tr><th>Period</th><th>Group</th>.*?</table>", page, flags=re.S):
        rows = []
        for cells in re.findall(r"<tr>((?:<td>.*?</td>){6})</tr>", table):
            period, group, numerator, denominator, value, note = [
                html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", cells)]
            rows.append({"period": period, "group": group, "numerator": _number(numerator),
                         "denominator": _number(denominator), "value": _number(value), "note": note})
        out.append(rows)
    return out


def attack(measures: list[list[dict]], multipliers: list[float], truth: list[list[tuple]], *,
           published: bool = True):
    """One programme over every measure's rows; ``truth`` (the team's numerator, denominator of each row)
    says which counts are the small ones to judge (hidden or, in a team view, ``published=False``, shown).
    Returns (joint, ranges)."""
    j = Joint()
    for m, (rows, multiplier, true) in enumerate(zip(measures, multipliers, truth)):
        periods = defaultdict(list)
        for r, (row, (tx, tn)) in enumerate(zip(rows, true)):
            x, n = (m, row["period"], row["group"], "numerator"), (m, row["period"], row["group"], "denominator")
            periods[row["period"]].append((row, x, n))
            xi, ni = j.count(x), j.count(n)
            j.add({xi: 1, ni: -1}, -BIG, 0)
            if row["note"] != HIDDEN:
                for key, text in ((x, row["numerator"]), (n, row["denominator"])):
                    if text is not None:
                        j.shown(key, float(text))
                    if published:
                        j.not_small(key)
                for key, count in ((x, tx), (n, tn)):
                    if not published and count is not None and 1 <= count <= THRESHOLD:
                        j.primary[key] = f"measure {m + 1}, {row['period']}, {row['group']}, {key[3]} (shown)"
                if row["value"] is not None and row["numerator"] is None:
                    decimals = row["value"]
                    j.ratio(x, n, float(decimals), scale=multiplier, printed=decimals)
                continue
            small = j.free(0, 1)  # 1: this point rests on a count of 1 to 7; 0: hidden to protect one
            row["_small"] = small
            pick_x, pick_n = j.free(0, 1), j.free(0, 1)
            j.add({pick_x: 1, pick_n: 1, small: -1}, 0, 0)     # small -> its numerator or its denominator
            for var, pick in ((xi, pick_x), (ni, pick_n)):
                j.add({var: 1, pick: BIG}, -BIG, THRESHOLD + BIG)    # picked -> at most 7
                j.add({var: 1, pick: -1}, 0, BIG)                     # picked -> at least 1
            for var in (xi, ni):                                      # not small -> 0 or at least 8
                other = j.free(0, 1)
                j.add({var: 1, other: -BIG}, -BIG, 0)
                j.add({var: 1, other: -(THRESHOLD + 1), small: THRESHOLD + 1}, 0, BIG)
            for key, count in ((x, tx), (n, tn)):
                if count is not None and 1 <= count <= THRESHOLD:
                    j.primary[key] = f"measure {m + 1}, {row['period']}, {row['group']}, {key[3]}"
        for period, points in periods.items():
            flags = [row["_small"] for row, _, _ in points if "_small" in row]
            if flags:
                j.add({f: 1 for f in flags}, 1, len(flags))
            whole = [(x, n) for row, x, n in points if row["group"] == "All"]
            parts = [(x, n) for row, x, n in points if row["group"] != "All"]
            if whole and parts:  # the groups of a period make up its "All" row
                j.total(whole[0][0], [x for x, _ in parts])
                j.total(whole[0][1], [n for _, n in parts])
    return j, j.ranges()
