"""Read every number of a published report into one :class:`joint.Joint` programme.

What is read, for each finding the report template shows (notebooks/src/equity_report.py), with its
tables exactly as the report writes them to CSV (``reports.tables._csv_text``; the Excel sheets and the
HTML tables hold the same numbers at the same precision), its text and alt text as they appear in the
HTML, and the data behind each chart (``chart.to_dict()``: what the report's SVG is drawn from):

- the service summary: "The extract has 600 referrals", the filled count of each column;
- access: each group's referrals (observed) and share of referrals, the chart's shares, the share with
  the grouping not recorded;
- experience and outcomes: numerator, denominator and % of each group for each measure, the overall %
  (table, text, and the dashed line of each chart), each chart's points, the share not recorded;
- outcomes by deprivation within the area: the same for local quintiles;
- where disadvantages meet (MAIHDA): the people in each shown stratum, the strata hidden, and the rows
  left out, as the text states them; every stratum is a cell of the groups' margins;
- over time: each month's point of each group drawn on the SPC chart (its %), the hidden months, and
  the months of a group adding up to the group's referrals.

Counts the reader can tell are the same count share one variable: referrals of a group (access
observed = the denominator of "missed at least one appointment" when every referral has it = the sum
of the group's months on the SPC chart).
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from equitylab.findings.service import GROUP_LABELS
from equitylab.reports.tables import _csv_text

from joint import THRESHOLD, Joint

PRIMARY = "hidden: 1 to"
SECONDARY = "hidden so another"
LABEL_TO_GROUPING = {**{v: k for k, v in GROUP_LABELS.items()}, "sex": "sex", "ethnicity": "ethnicity",
                     "deprivation": "imd_decile", "age": "age_band"}


def csv_of(finding) -> pd.DataFrame:
    """The finding's table as the report writes it to CSV, read back as text."""
    table = finding.export if finding.export is not None else finding.table
    return pd.read_csv(io.StringIO(_csv_text({"frame": table, "synthetic": False})), dtype=str,
                       keep_default_na=False)


def _hidden_columns(note: str, marker: str) -> list[str]:
    """The count columns a suppression note names before ``marker`` ("numerator, denominator hidden: 1 to 7")."""
    out = []
    for part in note.split(";"):
        if marker in part:
            out += [c.strip() for c in part.split(" hidden")[0].split(",")]
    return out


def _count_cell(j: Joint, key, row: pd.Series, column: str, where: str) -> int:
    note = row.get("suppression_note", "")
    if row[column] != "":
        return j.shown(key, float(row[column]))
    if column in _hidden_columns(note, PRIMARY):
        return j.hidden_small(key, where)
    if column in _hidden_columns(note, SECONDARY):
        return j.hidden_other(key)
    return j.count(key)


def _proportion_cells(j: Joint, x, n, row, label: str) -> None:
    """A row's numerator x of denominator n, and its % as printed (x is at most n)."""
    _count_cell(j, x, row, "numerator", label)
    _count_cell(j, n, row, "denominator", label)
    j.add({j.count(x): 1, j.count(n): -1}, -10**6, 0)
    if row["value"] != "":
        j.ratio(x, n, row["value"], printed=row["value"])


def chart_records(finding) -> list[list[dict]]:
    """Each chart's rows (its datasets), as the SVG is drawn from them."""
    out = []
    for chart in finding.charts:
        spec = chart.to_dict(validate=False)
        rows = [r for values in spec.get("datasets", {}).values() for r in values]
        data = spec.get("data", {})
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            rows += data["values"]
        out.append((spec, rows))
    return out


def _datums(spec) -> list[float]:
    """Numbers drawn as reference lines (``datum`` encodings)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "datum" in node and isinstance(node["datum"], int | float):
                found.append(float(node["datum"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return sorted(set(found))


# -- the service summary --------------------------------------------------------------------------------
_FILLED = {"missed appointments": "missed", "experience positive": "experience", "discharge outcome": "disengaged",
           "readmitted 90d": "readmitted", "waiting days": "waiting"}


def read_summary(j: Joint, finding) -> None:
    m = re.search(r"The extract has ([\d,]+) referrals", finding.text)
    j.shown(("referrals", "all"), int(m.group(1).replace(",", "")))
    for _, row in csv_of(finding).iterrows():
        if row["what the extract holds"] in _FILLED:
            j.shown(("filled", _FILLED[row["what the extract holds"]]), float(row["rows filled"]))
    m = re.search(r"Ethnicity is not stated for ([\d.]+%|fewer than 8)", finding.text)
    if m and m.group(1).startswith("fewer"):
        j.hidden_small(("missing", "ethnicity"), "not recorded: ethnicity")
    elif m:
        j.ratio(("missing", "ethnicity"), ("referrals", "all"), m.group(1)[:-1], printed=m.group(1)[:-1])


def _missing_shares(j: Joint, text: str) -> None:
    """The referrals with a grouping not recorded, however a sentence gives them: "X% of referrals have
    no recorded L", "not as a group: ethnic group for 9% of referrals and sex for fewer than 8 referrals",
    "9.2% of referrals have no ethnicity recorded", "Fewer than 8 referrals have no recorded L"."""
    amount = r"([\d.]+%|[Ff]ewer than 8)"
    pairs = re.findall(amount + r" (?:of )?referrals have no recorded ([a-z ]+?)(?:;| and are|\.)", text)
    pairs += [(a, lab) for lab, a in re.findall(r"(?:: |and )([a-z ]+?) for " + amount + r" (?:of )?referrals", text)]
    pairs += re.findall(amount + r" (?:of )?referrals have no ([a-z ]+?) recorded", text)
    for said, label in pairs:
        grouping = LABEL_TO_GROUPING.get(label.strip())
        if not grouping:
            continue
        if said.lower().startswith("fewer"):
            j.hidden_small(("missing", grouping), f"not recorded: {grouping}")
        else:
            j.ratio(("missing", grouping), ("referrals", "all"), said[:-1], printed=said[:-1])


def _margins(j: Joint, grouping: str, groups: list[str]) -> None:
    """The referrals of a grouping's groups and those with it not recorded add up to every referral."""
    j.total(("referrals", "all"), [("referrals", grouping, g) for g in groups] + [("missing", grouping)])


# -- access ----------------------------------------------------------------------------------------------
def read_access(j: Joint, finding) -> None:
    table = csv_of(finding)
    if "grouping" not in table:
        table["grouping"] = finding.title.split("Access by ")[-1]
    table["grouping"] = table["grouping"].replace({"deprivation": "imd_decile", "age": "age_band"})
    for grouping, part in table.groupby("grouping", sort=False):
        whole = ("access total", grouping)
        keys = []
        for _, row in part.iterrows():
            key = ("referrals", grouping, row["group"])
            _count_cell(j, key, row, "observed", f"access by {grouping}: {row['group']}")
            keys.append(key)
            if row["share_service"] != "":
                j.ratio(key, whole, row["share_service"], printed=row["share_service"])
        j.total(whole, keys)
        if grouping != "age_band":  # adults only: the access shares leave children out
            j.total(("referrals", "all"), [whole, ("missing", grouping)])
    _missing_shares(j, finding.text)
    for spec, rows in chart_records(finding):
        grouping = next((g for g in table["grouping"].unique()
                         if {str(r.get("group")) for r in rows} <= set(table.loc[table["grouping"] == g, "group"])),
                        None)
        for r in rows:
            if grouping and str(r.get("measure", "")).startswith("Share of referrals") and r.get("share") is not None:
                j.ratio(("referrals", grouping, str(r["group"])), ("access total", grouping), r["share"])


# -- group comparisons -----------------------------------------------------------------------------------
def read_comparisons(j: Joint, finding, *, same_as_referrals=("missed",)) -> None:
    """Experience or outcomes by group: the CSV, the overall % in the text, each chart's points and line.
    ``same_as_referrals``: measures every referral has, so their denominators are the group's referrals."""
    table = csv_of(finding)
    for (key, grouping), part in table.groupby(["measure_key", "grouping"], sort=False):
        xs, ns = [], []
        for _, row in part.iterrows():
            g = row[grouping]
            x = ("events", key, grouping, g)
            n = ("referrals", grouping, g) if key in same_as_referrals else ("people", key, grouping, g)
            _proportion_cells(j, x, n, row, f"{key} by {grouping}: {g}")
            xs.append(x)
            ns.append(n)
        # the overall value is over every referral with the measure, recorded group or not: the groups
        # and the referrals with no recorded group make up the measure's filled count
        unrecorded_x, unrecorded_n = ("events unrecorded", key, grouping), ("people unrecorded", key, grouping)
        j.total(("events", key, "all"), xs + [unrecorded_x])
        j.total(("filled", key), ns + [unrecorded_n])
        j.add({j.count(unrecorded_n): 1, j.count(unrecorded_x): -1}, 0, 10**6)
        if key in same_as_referrals:
            j.total(("filled", key), [("referrals", "all")])
            j.total(unrecorded_n, [("missing", grouping)])
            _margins(j, grouping, list(part[grouping]))
        else:
            j.add({j.count(("missing", grouping)): 1, j.count(unrecorded_n): -1}, 0, 10**6)
        reference = part["reference_value"].iloc[0]
        if reference != "":
            j.ratio(("events", key, "all"), ("filled", key), reference, printed=reference)
    _missing_shares(j, finding.text)
    measures = dict(zip(table["measure"], table["measure_key"]))
    for spec, rows in chart_records(finding):
        title = str(spec.get("title", {}).get("text", spec.get("title", ""))) if spec.get("title") else ""
        measure = next((k for m, k in measures.items() if m in title or m in str(spec.get("description", ""))), None)
        groups = {str(r["group"]) for r in rows if "group" in r}
        grouping = next((g for g in table["grouping"].unique()
                         if groups <= set(table.loc[(table["grouping"] == g) & (table["measure_key"] == measure), g])),
                        None)
        if measure is None or grouping is None:
            raise AssertionError(f"a chart the attacker cannot place: {title!r}")
        den = (lambda g: ("referrals", grouping, g)) if measure in same_as_referrals else \
            (lambda g: ("people", measure, grouping, g))
        for r in rows:
            if r.get("value") is not None and "group" in r:
                j.ratio(("events", measure, grouping, str(r["group"])), den(str(r["group"])), r["value"])
        for overall in _datums(spec):
            j.ratio(("events", measure, "all"), ("filled", measure), overall)


# -- deprivation within the area -------------------------------------------------------------------------
def read_local_deprivation(j: Joint, finding) -> None:
    table = csv_of(finding)
    if "quantile" not in table:
        return
    xs, ns = [], []
    for _, row in table.iterrows():
        q = row["quantile"]
        x, n = ("events", "local", q), ("people", "local", q)
        _proportion_cells(j, x, n, row, f"local deprivation quintile {q}")
        xs.append(x)
        ns.append(n)
    for spec, rows in chart_records(finding):
        for r in rows:
            if r.get("value") is not None and "quantile" in r:
                q = str(int(float(r["quantile"])))
                j.ratio(("events", "local", q), ("people", "local", q), r["value"])


# -- where disadvantages meet (MAIHDA) -------------------------------------------------------------------
def read_strata(j: Joint, finding, categories: dict[str, list[str]], label, existing=None) -> None:
    """The strata table (every stratum shown, by its label), and the strata not shown. ``categories``: each
    crossed column's categories as the publication lists them elsewhere; ``label(row)``: a stratum's name
    as the table prints it. A stratum not listed is hidden: all but the stated number of protectors are
    1 to 7. Each stratum is a cell of each column's margin, the margin being at most that group's
    referrals (people with no outcome recorded are left out). ``existing``: the combinations that have
    anyone in them, for a reader who knows that from elsewhere (the text says only how many)."""
    table = csv_of(finding)
    text = finding.text
    columns = list(categories)
    cells = [dict(zip(columns, combo)) for combo in _product([categories[c] for c in columns])]
    listed = dict(zip(table["stratum"], table["people"]))
    m = re.search(r"(\d+) of (\d+) strata are not shown: (\d+) ha(?:s|ve) 1 to 7 people(?:, and (\d+) more)?", text)
    hidden_cells, primary_n = [], 0
    if m:
        primary_n = int(m.group(3))
    for cell in cells:
        key = ("stratum",) + tuple(cell[c] for c in columns)
        name = label(cell)
        if name in listed:
            j.shown(key, float(listed[name]))
        else:
            hidden_cells.append(key)
    # which hidden ones are small is not said: primary_n of them are 1 to 7, and every hidden one that
    # is a stratum (there are as many as the text says) and not small has at least 8 people; the reader
    # cannot tell which combinations exist, so a hidden combination may also be empty
    smalls, nonempty = [], []
    for key in hidden_cells:
        i, b, c = j.count(key), j.free(0, 1), j.free(0, 1)
        j.add({i: 1, b: BIGM}, -BIGM, THRESHOLD + BIGM)   # b = 1 -> at most 7
        j.add({i: 1, b: -1}, 0, BIGM)                       # b = 1 -> at least 1
        j.add({i: 1, c: -BIGM}, -BIGM, 0)                   # c = 0 -> empty
        j.add({i: 1, b: 8, c: -8}, 0, BIGM)                 # c = 1, b = 0 -> at least 8
        j.add({c: 1, b: -1}, 0, 1)                          # small -> a stratum
        smalls.append(b)
        nonempty.append(c)
        if existing is not None:
            j.count(key, *((1, BIGM) if key[1:] in existing else (0, 0)))
    if m:
        j.add({b: 1 for b in smalls}, primary_n, primary_n)
        j.add({c: 1 for c in nonempty}, int(m.group(1)), int(m.group(1)))
    everyone = [("stratum",) + tuple(cell[c] for c in columns) for cell in cells]
    j.total(("strata", "all"), everyone)
    for c in columns:
        for value in categories[c]:
            part = [("stratum",) + tuple(cell[k] for k in columns) for cell in cells if cell[c] == value]
            j.total(("strata", c, value), part)
            # a margin of the strata is at most that group's referrals (some have no outcome recorded)
            j.add({**{j.count(k): 1 for k in _referrals_of(c, value)}, j.count(("strata", c, value)): -1}, 0, BIGM)
    left = re.search(r"(?:([\d,]+|fewer than 8) rows? (?:is|are)|Rows are) left out because a group is not recorded[^:]*: ([^.]*)\.",
                     text)
    parts = re.findall(r"(\w+) ([A-Za-z ]+?) \(([\d,]+|fewer than 8) rows\)", left.group(2)) if left else []
    for column, value, rows in parts:
        key = ("not recorded", column, value)
        if rows == "fewer than 8":
            j.hidden_small(key, f"MAIHDA text: {column} {value} left out")
        else:
            j.shown(key, int(rows.replace(",", "")))
    if left:
        whole = ("left out", "strata")
        if left.group(1) is None:
            j.count(whole)
        elif left.group(1) == "fewer than 8":
            j.hidden_small(whole, "MAIHDA text: rows left out")
        else:
            j.shown(whole, int(left.group(1).replace(",", "")))
        keys = [("not recorded", c, v) for c, v, _ in parts]
        for (c, v, _), k in zip(parts, keys):
            j.add({j.count(whole): 1, j.count(k): -1}, 0, BIGM)     # each part at most the whole
            if c in ("ethnicity", "sex"):                            # and at most the referrals not recorded
                j.add({j.count(("missing", c)): 1, j.count(k): -1}, 0, BIGM)
        j.add({j.count(whole): -1, **{j.count(k): 1 for k in keys}}, 0, BIGM)  # the whole at most their sum
    no_outcome = re.search(r"([\d,]+|fewer than 8) people have no record of", text)
    missing = ("no outcome", "strata")
    if not no_outcome:  # not said: everyone has the outcome
        j.shown(missing, 0)
    if not left:
        j.shown(("left out", "strata"), 0)
    j.total(("referrals", "all"), [("strata", "all"), ("left out", "strata"), missing])
    if no_outcome:
        if no_outcome.group(1) == "fewer than 8":
            j.hidden_small(missing, "MAIHDA text: no outcome")
        else:
            j.shown(missing, int(no_outcome.group(1).replace(",", "")))


BIGM = 10**5


def _referrals_of(column: str, value: str) -> list:
    """The referrals a stratum margin belongs to: a national quintile is two deciles."""
    if column == "imd_quintile":
        q = int(value)
        return [("referrals", "imd_decile", str(2 * q - 1)), ("referrals", "imd_decile", str(2 * q))]
    return [("referrals", column, value)]


def _product(lists):
    if not lists:
        yield ()
        return
    for head in lists[0]:
        for tail in _product(lists[1:]):
            yield (head,) + tail


# -- over time --------------------------------------------------------------------------------------------
def read_over_time(j: Joint, finding, grouping: str) -> list:
    """Each month of each group drawn on the SPC chart: a shown point is its % at full precision, on
    counts that were not 1 to 7; a hidden point rests on a count or denominator of 1 to 7. A group's months
    add up to its referrals. Returns the (group, month) of hidden points."""
    hidden = []
    _missing_shares(j, finding.text)
    for spec, rows in chart_records(finding):
        points = [r for r in rows if r.get("row") == "point" and "group" in r and "x" in r]
        by_group: dict = {}
        for r in points:
            by_group.setdefault(str(r["group"]), {})[str(r["x"])] = r.get("y")
        for group, months in by_group.items():
            keys = []
            for month, y in months.items():
                n, x = ("month n", grouping, group, month), ("month y", grouping, group, month)
                keys.append(n)
                j.add({j.count(x): 1, j.count(n): -1}, -10**6, 0)
                if y is None:
                    j.one_small([x, n])
                    hidden.append((group, month))
                else:
                    j.not_small(n)
                    j.not_small(x)
                    j.ratio(x, n, y)
            j.total(("referrals", grouping, group), keys)
    return hidden


def read_gap(j: Joint, finding, grouping: str) -> None:
    """The gap over time: each group's own series drawn below the gap, a month's % at full precision on
    counts that were not 1 to 7 (the gap itself is their difference, read through them)."""
    for spec, rows in chart_records(finding):
        series = [r for r in rows if r.get("row") == "point" and "label" not in r and r.get("y") is not None]
        if len({str(r.get("group")) for r in series}) < 2:
            continue  # the gap's own series
        for r in series:
            n = ("month n", grouping, str(r["group"]), str(r["x"]))
            x = ("month y", grouping, str(r["group"]), str(r["x"]))
            j.not_small(n)
            j.not_small(x)
            j.ratio(x, n, r["y"])


# -- what the words say -----------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
# numbers in the words that are no count of people, or that the readers above take from the words
_NOT_COUNTS = [
    r"\(ratio [\d.]+, 95% CI [\d.]+ to [\d.]+\)",       # a shown group's ratio: its count is shown
    r"slope index of inequality is -?[\d.]+ percentage points \(95% CI -?[\d.]+ to -?[\d.]+\)",  # no group hidden
    r"For \d+ of the \d+ combinations", r"for \d+ groups", r"and \d+ more", r"explain \d+% of the differences",
    r"[Aa]cross all \d+ \w+s", r"\d+ have 1 to 7", r"Model \d", r"about 0", r"the other \d+%",
    r"\d{1,2} \w+ \d{4}",                              # dates
    r"within (?:28|90) days", r"1 to 7", r"[Ff]ewer than 8", r"fewer than 5 events",
    r"\d+(?:\.\d+)?% of periods",                       # the SPC caution: periods, not people
    r"\d+ groups? (?:is|are) hidden", r"fewer than \d+ \w+s of data",  # groups and periods, not people
    r"\d+ (?:of \d+ )?(?:strata|combinations)", r"of the \d+ combinations",
    r"\d+ more (?:is|are) hidden",
    r"(?:[Ll]ess than )?\d+(?:\.\d+)?% of the variation", r"PCV \d+(?:\.\d+)?%",
    r"95% (?:CI|interval)", r"\d+ deprivation groups",
    r"\d+(?:\.\d+)?% of referrals have no", r"for \d+(?:\.\d+)?% of (?:referrals|them)",
    r"The extract has [\d,]+ referrals", r"\([\d,]+ rows\)", r"[\d,]+ rows? (?:is|are) left out",
    r"[\d,]+ people have no record",
    r"at least \d+ \w+s in which neither", r"\d+ \w+s? in which either group",  # the gap: periods, not people
    r"median gap of -?[\d.]+ points", r"-?[\d.]+ points in the second",
]


def unread_numbers(finding) -> list[str]:
    """Numbers in the finding's words (text and alt text) that are neither a cell of its published table
    nor a number drawn in its charts (at 0 to 2 decimal places) nor one of :data:`_NOT_COUNTS`: numbers
    the attacker does not read. A finding that starts saying a new number shows up here."""
    allowed = set()
    table = finding.export if finding.export is not None else finding.table
    if table is not None:
        csv = csv_of(finding)
        for column in csv.columns:
            allowed.update(m.replace(",", "") for v in list(csv[column]) + [column] for m in _NUMBER.findall(str(v)))
    for spec, rows in chart_records(finding):
        values = [v for r in rows for v in r.values()] + _datums(spec)
        for v in values:
            if isinstance(v, int | float) and not isinstance(v, bool):
                allowed.update(f"{v:.{d}f}" for d in (0, 1, 2))
            else:
                allowed.update(m.replace(",", "") for m in _NUMBER.findall(str(v)))
    words = f"{finding.text} {finding.alt_text}"
    for phrase in _NOT_COUNTS:
        words = re.sub(phrase, " ", words)
    allowed = {float(a) for a in allowed}
    return sorted({m for m in _NUMBER.findall(words) if float(m.replace(",", "").rstrip(",")) not in allowed})
