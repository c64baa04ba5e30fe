"""Findings from the team's own service data: what it holds, access against the population, and
experience and outcomes group by group, with intervals.

``audience="team"`` shows small numbers under a do-not-share banner; ``audience="publish"`` hides
counts of 1 to 7 and what could reveal them.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .. import provenance
from ..charts.measures import access_chart, compare_groups, deprivation_gradient
from ..errors import DataError, SourceUnavailable
from ..loaders.areas import area_info
from ..loaders.census import lsoa_deciles, population
from ..loaders.service import read_service_data
from ..measures import access_vs_population, compare, proportion, sii
from ..synthetic import service_data as synthetic_service_data
from .finding import MISSING_LABELS, SUPPRESSION_THRESHOLD, Finding, check_audience, make, protect
from .words import join_words, possessive, sentence_case, share_words

# the column each measure is built from, as a sentence can name it
_NEEDS = {"missed": "missed_appointments (the number of missed appointments)",
          "experience": "experience_positive (whether the person rated their care good)",
          "disengaged": "discharge_outcome (the reason for discharge)",
          "readmitted": "readmitted_90d (whether the person was readmitted within 90 days)"}
_POLARITY = {"missed": "low_is_good", "experience": "high_is_good", "disengaged": "low_is_good",
             "readmitted": "low_is_good", "seen_28": "high_is_good"}
_IMPROVEMENT = {"high_is_good": "increase", "low_is_good": "decrease"}


def improvement_direction(measure: str) -> str:
    """The SPC improvement direction of a service measure, from its definition: "increase" (higher is
    better, as for being seen within 28 days), "decrease" (lower is better, as for missed appointments), or
    "neutral" when the measure states none."""
    return _IMPROVEMENT.get(_POLARITY.get(measure, ""), "neutral")
GROUP_LABELS = {"imd_decile": "national deprivation decile", "age_band": "age band",
                "local_decile": "deprivation decile within the area", "ethnicity": "ethnic group"}
_NOT_CAUSES = "These are differences between groups in this data, not their causes."
SHORT_TABLE = 10  # rows a reader takes in at a glance


def load_service(service_data: str | Path | None, area_code: str, *, mapping: str | Path | None = None,
                 bad_rows: str = "error") -> pd.DataFrame:
    """The team's extract read through :func:`equitylab.loaders.read_service_data` (with its
    ``mapping`` and ``bad_rows``), or, when no path is given, the synthetic teaching extract for
    the area (labelled synthetic)."""
    if service_data:
        return read_service_data(service_data, mapping=mapping or None, bad_rows=bad_rows or "error")
    return synthetic_service_data(area_code)


def service_summary(service: pd.DataFrame, *, audience: str = "team") -> Finding:
    """Rows, dates, missing ethnicity and what was dropped as identifiable. Published, a count of 1 to 7
    with no ethnicity is said as "fewer than 8", not as a percentage that gives it back."""
    check_audience(audience)
    n = len(service)
    sentences = [f"The extract has {n:,} referrals."]
    if "referral_date" in service:
        d = pd.to_datetime(service["referral_date"])
        sentences.append(f"They run from {d.min():%d %B %Y} to {d.max():%d %B %Y}.")
    missing = service.attrs.get("missing_ethnicity_pct")
    if missing is not None:
        sentences.append(f"Ethnicity is not stated for {share_words(round(missing * n / 100), n, audience, decimals=1)}"
                         " of them; they are counted as 'not stated', not left out silently.")
    left_out = provenance.excluded_words(service)  # bad_rows="exclude": how many rows and why
    if left_out:
        sentences.append(left_out)
    dropped = service.attrs.get("dropped_identifiers") or []
    if dropped:
        names = [d[0] if isinstance(d, list | tuple) else str(d.get("column", d)) if isinstance(d, dict) else str(d)
                 for d in dropped]
        sentences.append(f"Columns that could identify a person were removed on loading: {join_words(names)}.")
    else:
        sentences.append("No columns that could identify a person were found.")
    cols = [c for c in ("ethnicity", "sex", "age_band", "imd_decile", "employment", "housing") if c in service]
    if cols:
        sentences.append("It can be grouped by " + join_words([GROUP_LABELS.get(c, c.replace("_", " ")) for c in cols])
                         + ".")
    table = pd.DataFrame({"what the extract holds": [str(c).replace("_", " ") for c in service.columns],
                          "rows filled": service.notna().sum().to_numpy()})
    provenance.carry(table, service)
    return make("Your service's data", " ".join(sentences), data=service, table=table)


def access(service: pd.DataFrame, area_code: str, by="ethnicity", *, audience: str = "team",
           eligible_ages=(18, None)) -> Finding:
    """Each group's share of referrals against its share of the local population (Census 2021), for
    each grouping in ``by`` (a column or a list). A grouping whose population is not held offline is
    named in the text (or, asked for alone, raises :class:`~equitylab.errors.SourceUnavailable`)."""
    bys = [by] if isinstance(by, str) else list(by)
    if len(bys) == 1:
        return _access_one(service, area_code, bys[0], audience, eligible_ages)
    parts, used, missing = [], [], []
    for b in bys:
        try:
            parts.append(_access_one(service, area_code, b, audience, eligible_ages))
            used.append(b)
        except SourceUnavailable:
            missing.append(f"Access by {GROUP_LABELS.get(b, b)} is not shown: its population figures are not "
                           "held offline.")
    if not parts:
        raise SourceUnavailable(" ".join(missing))
    keep = [f.text.replace(_NOT_NEED, "").strip() for f in parts]
    text = " ".join(keep + missing + [_NOT_NEED])
    table = pd.concat([f.table.rename(columns={f.table.columns[0]: "group"})
                       .assign(**{"grouped by": f.title.removeprefix("Access by ")}) for f in parts],
                      ignore_index=True)
    if len(table) > SHORT_TABLE:  # the groups whose share differs most from their share of residents
        low = table["95% interval"].str.extract(r"^([\d.]+) to ([\d.]+)$").astype(float)
        table = table[(low[0] > 1) | (low[1] < 1)]
        table = table.loc[np.log(table["ratio"]).abs().sort_values(ascending=False).index[:SHORT_TABLE]].sort_index()
    provenance.carry(table, parts[0].table)
    export = pd.concat([f.export.assign(grouping=b) for f, b in zip(parts, used)], ignore_index=True)
    provenance.carry(export, parts[0].export)
    # the chart of the first grouping where some group's ratio lies clearly above or below 1
    chart = next((f.chart for f in parts if ((f.export["lower_ci"] > 1) | (f.export["upper_ci"] < 1)).any()), None)
    return make("Access by " + join_words([f.title.removeprefix("Access by ") for f in parts]), text,
                data=export, table=export, readable=table.reset_index(drop=True), chart=chart,
                alt_text=" ".join(f.alt_text for f in parts), audience=audience)


_NOT_NEED = ("This compares shares of the population, not need: a group may need the service more or "
             "less than others.")


def hidden_sizes(service: pd.DataFrame, column: str) -> set[str]:
    """The groups whose size (their number of referrals) every published table hides.

    A group's size appears in several tables of one report: access (referrals of each group) and the
    group comparisons (the people of "missed at least one appointment", which every referral has). Each
    table's own complementary suppression could pick a different group to protect a small one, and a
    size hidden in one table but shown in another protects nothing. So the sizes are protected once,
    here, and every table showing them hides these groups: every size of 1 to 7 and, because the sizes'
    total is known (with the referrals not recorded, said as "fewer than 8" when 1 to 7), the smallest
    group of at least 14 that every such table shows (for age bands, an adult band: access leaves
    children out). With no such group, every group's size is hidden."""
    if column not in service:
        return set()
    labels = service[column].astype("string")
    stated = labels.notna() & ~labels.isin(MISSING_LABELS)
    sizes = labels[stated].value_counts()
    small = sizes[(sizes >= 1) & (sizes <= SUPPRESSION_THRESHOLD)]
    unrecorded = int((~stated).sum())  # said as "fewer than 8" when small: one more hidden cell of the total
    if small.empty and not 1 <= unrecorded <= SUPPRESSION_THRESHOLD:
        return set()
    everywhere = [g for g in sizes.index if column != "age_band" or _lowest_age(g) >= 18]
    big = sizes[sizes.index.isin(everywhere) & (sizes >= 2 * SUPPRESSION_THRESHOLD)]
    if big.empty:
        return {str(g) for g in sizes.index}
    return {str(g) for g in small.index} | {str(big.sort_values(kind="stable").index[0])}


def _lowest_age(band: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in str(band)).split()
    return int(digits[0]) if digits else 0


def _access_one(service, area_code, by, audience, eligible_ages) -> Finding:

    check_audience(audience)
    column = {"age": "age_band", "deprivation": "imd_decile"}.get(by, by)
    dimension = {"age_band": "age", "imd_decile": "deprivation"}.get(column, column)
    pop = population(area_code, dimension)
    name = str(pop["area_name"].iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = access_vs_population(service, pop, dimension=dimension, by=column,
                                   eligible_ages=eligible_ages if dimension == "age" else None)
    cautions = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    res = provenance.carry(res, service, pop)
    table = protect(res, audience, derived=["expected", "share_service", "ratio", "lower_ci", "upper_ci"],
                    hidden_rows=res["group"].astype(str).isin(hidden_sizes(service, column)).to_numpy())
    provenance.carry(table, res)
    shown = table.dropna(subset=["ratio"])
    low = shown[shown["upper_ci"] < 1].sort_values("ratio")
    high = shown[shown["lower_ci"] > 1].sort_values("ratio", ascending=False)
    label = GROUP_LABELS.get(column, column.replace("_", " "))

    def who(g):
        return {"age_band": f"residents aged {g}", "imd_decile": f"residents of national deprivation decile {g}"
                }.get(column, f"{g} residents")

    sentences = []
    if len(low):  # the most under-represented group in full, then the rest by their ratios
        r = low.iloc[0]
        sentences.append(f"{who(r['group'])[0].upper() + who(r['group'])[1:]} make up {r['share_population']:.1f}% "
                         f"of {possessive(name)} population but {r['share_service']:.1f}% of referrals: fewer than their share "
                         f"would suggest (ratio {r['ratio']:.2f}, 95% CI {r['lower_ci']:.2f} to {r['upper_ci']:.2f}).")
    rest = [("also fewer referrals than their share", low.iloc[1:]), ("more than their share", high)]
    parts = [f"{words}: " + join_words([f"{g} (ratio {x:.2f})" for g, x in zip(rows["group"], rows["ratio"])])
             for words, rows in rest if len(rows)]
    if parts:
        sentences.append(f"By {label}, " + "; ".join(parts) + ".")
    if not sentences:
        sentences.append(f"By {label}, no group's share of referrals differs clearly from its share of the "
                         "population.")
    miss = int(res.attrs.get("missing_count") or 0)
    if miss:
        share = share_words(miss, round(100 * miss / res.attrs["missing_percent"]), audience, decimals=1)
        sentences.append(f"{sentence_case(share)} {'of referrals' if share.endswith('%') else 'referrals'} have no "
                         f"{dimension} recorded and are left out of the shares.")
    sentences.append(_NOT_NEED)
    sentences.extend(cautions[:1])
    text = " ".join(sentences)
    alt = f"Chart comparing each {dimension} group's share of referrals with its share of {possessive(name)} population. " \
          + sentences[0]
    chart = access_chart(table.dropna(subset=["share_service"]), by="group",
                         service_share="share_service", population_share="share_population", service="referrals")
    label = GROUP_LABELS.get(column, column.replace("_", " "))
    readable = pd.DataFrame({
        label: table["group"].astype(str),
        "share of referrals (%)": table["share_service"].round(1),
        "share of residents (%)": table["share_population"].round(1),
        "ratio": table["ratio"].round(2),
        "95% interval": [f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) and pd.notna(hi) else ""
                         for lo, hi in zip(table["lower_ci"], table["upper_ci"])],
    })
    provenance.carry(readable, table)
    return make(f"Access by {label}", text, data=res, table=table, readable=readable, chart=chart, alt_text=alt,
                audience=audience)


def _outcome_columns(service: pd.DataFrame) -> dict[str, tuple[str, pd.Series, pd.Series]]:
    out = {}
    if "missed_appointments" in service:
        known = service["missed_appointments"].notna()
        out["missed"] = ("missed at least one appointment",
                         (service["missed_appointments"].fillna(0) > 0) & known, known)
    if "experience_positive" in service:
        known = service["experience_positive"].notna()
        out["experience"] = ("rated their care good or very good (of those who answered)",
                             service["experience_positive"].fillna(False).astype(bool) & known, known)
    if "discharge_outcome" in service:
        known = service["discharge_outcome"].notna()
        out["disengaged"] = ("stopped coming before treatment ended (of those discharged)",
                             (service["discharge_outcome"].astype(str) == "Disengaged") & known, known)
    if "readmitted_90d" in service:
        known = service["readmitted_90d"].notna()
        out["readmitted"] = ("were readmitted within 90 days of discharge",
                             service["readmitted_90d"].fillna(False).astype(bool) & known, known)
    return out



_UNRECORDED = "\x00not recorded"  # a stand-in label no extract holds


def _group_table(service, by, measures, audience):

    cols = _outcome_columns(service)
    labels = service[by].astype("string")
    stated = (labels.notna() & ~labels.isin(MISSING_LABELS)).to_numpy()  # a missing category is no group
    # referrals with no recorded group count in the overall value (as the text says) but are no group:
    # one stand-in group, dropped after. An overall over the recorded groups only would have a
    # denominator of every referral less the unrecorded ones, and its rounding could narrow those down
    grouped = labels.where(stated, _UNRECORDED).reset_index(drop=True)  # once for all the measures
    frames = []
    for key in measures:
        if key not in cols:
            continue
        title, num, den = cols[key]
        data = pd.DataFrame({by: grouped, "numerator": num.to_numpy(dtype=int), "denominator": den.to_numpy(dtype=int)})
        provenance.carry(data, service)
        res = compare(data, by=by, reference="overall", numerator="numerator", denominator="denominator",
                      polarity=_POLARITY[key])
        res = res[res[by].astype(str) != _UNRECORDED].reset_index(drop=True)
        res.insert(0, "measure", title)
        res["measure_key"] = key
        frames.append(res)
    if not frames:
        raise DataError("The service data has none of the columns needed for this view",
                        hint="It needs missed_appointments, experience_positive, discharge_outcome or readmitted_90d")
    table = pd.concat(frames, ignore_index=True)
    provenance.carry(table, service)
    # the people of a measure every referral has are the group's size, hidden alike in every table
    same_size = [key for key, (_, _, known) in cols.items() if key in measures and bool(known.all())]
    sizes = hidden_sizes(service, by)
    protected = protect(table, audience, by=["measure"],
                        derived=["value", "lower_ci", "upper_ci", "difference", "ratio", "label"],
                        hidden_rows=(table["measure_key"].isin(same_size)
                                     & table[by].astype(str).isin(sizes)).to_numpy())
    for (measure,) in protected.attrs.get("hidden_groups", []):  # every group hidden: so is the overall
        protected.loc[protected["measure"] == measure, "reference_value"] = None
    return provenance.carry(protected, table)


def _group_name(by: str, value) -> str:
    """A group as a sentence names it: "people aged 20-24", "national deprivation decile 1 (most deprived)"."""
    if by == "imd_decile":
        extra = " (most deprived)" if str(value) == "1" else " (least deprived)" if str(value) == "10" else ""
        return f"people in national deprivation decile {value}{extra}"
    if by == "age_band":
        return f"people aged {value}"
    return f"the {value} group"


def _sentences(table: pd.DataFrame, by: str) -> list[str]:
    """One sentence per measure on which some group differs from the overall value (95% comparison):
    "By age band, 61.9% of people aged 20-24 and 74.2% of people aged 65-69 missed at least one
    appointment, more than the 52.7% overall; 46.6% of people aged 35-39: less." Hidden groups are never
    named."""
    out = []
    label = GROUP_LABELS.get(by, by.replace("_", " "))
    for measure, part in table.dropna(subset=["value"]).groupby("measure", sort=False):
        words = []
        differs = part[part["label"].astype(str).isin(["better", "worse", "higher", "lower"])]
        for direction in ("more", "less"):
            rows = differs[(differs["value"] > differs["reference_value"]) == (direction == "more")]
            if len(rows):
                who = join_words([f"{r['value']:.1f}% of {_group_name(by, r[by])}" for _, r in rows.iterrows()])
                words.append((direction, who))
        if not words:
            continue
        overall = part["reference_value"].iloc[0]
        first_dir, first = words[0]
        sentence = f"By {label}, {first} {measure}, {first_dir} than the {overall:.1f}% overall"
        if len(words) > 1:
            sentence += f"; {words[1][1]}: {words[1][0]}"
        out.append(sentence + ".")
    return out


def experience(service: pd.DataFrame, by="ethnicity", *, audience: str = "team") -> Finding:
    """Experience by group: missed appointments, rating of care, and dropping out, with 95% intervals,
    for each grouping in ``by`` (a column or a list)."""
    bys = _present(service, by)
    parts = [_by_group(service, b, ["missed", "experience", "disengaged"], "Experience", audience,
                       closing=len(bys) == 1) for b in bys]
    return _combined(parts, bys, "Experience by " + join_words([GROUP_LABELS.get(b, b) for b in bys]),
                     service, audience)


def outcomes(service: pd.DataFrame, by="ethnicity", *, audience: str = "team") -> Finding:
    """Outcomes by group: readmission within 90 days, for each grouping in ``by`` (a column or a list)."""
    bys = _present(service, by)
    if "readmitted_90d" not in service and any(k in _outcome_columns(service) for k in ("missed", "disengaged")):
        return make("Outcomes: readmission within 90 days",
                    "Not shown: the extract has no column saying whether each person was readmitted within 90 days "
                    f"({_NEEDS['readmitted'].split(' ')[0]}). Missed appointments and people who stopped coming "
                    "are shown under experience.", data=service)
    parts = [_by_group(service, b, ["readmitted"], "Outcomes", audience, closing=len(bys) == 1) for b in bys]
    return _combined(parts, bys, "Outcomes: readmission within 90 days by "
                     + join_words([GROUP_LABELS.get(b, b) for b in bys]), service, audience)


def _present(service: pd.DataFrame, by) -> list[str]:
    """The groupings in ``by`` (a column or a list) that the extract has; all of them when none is there,
    so that asking for a missing one alone still says which columns exist."""
    bys = [by] if isinstance(by, str) else list(by)
    bys = ["imd_decile" if b == "deprivation" else b for b in bys]
    return [b for b in bys if b in service] or bys


def unavailable(title: str, needs: list[str], data) -> Finding:
    """A view the extract has no columns for: one plain sentence naming the columns that would enable it."""
    options = needs[0] if len(needs) == 1 else ", ".join(needs[:-1]) + " or " + needs[-1]
    what = "a column" if len(needs) == 1 else "one of these columns"
    return make(title, f"Not shown: this view needs {what}, which the extract does not have: {options}.", data=data)


def _combined_words(parts: list[Finding]) -> str:
    """The sentences naming groups that differ; one sentence for the groupings where none does; one for
    what is not recorded."""
    sentences = [s for f in parts for s in f.extra.get("differs", [])]
    quiet = [f.extra["label"] for f in parts if "label" in f.extra and not f.extra.get("differs")]
    if quiet:
        sentences.append(f"By {join_words(quiet).replace(' and ', ' or ')}, no group differs clearly from the "
                         "overall value (the intervals are wide, or the groups similar).")
    missing = [f"{f.extra['label']} for {f.extra['missing']} "
               + ("of referrals" if f.extra["missing"].endswith("%") else "referrals")
               for f in parts if f.extra.get("missing")]
    if missing:
        sentences.append(f"Not recorded, so counted in the overall value but not as a group: {join_words(missing)}.")
    return " ".join(sentences + [_NOT_CAUSES])


def _combined(parts: list[Finding], bys: list[str], title: str, service, audience) -> Finding:
    """One finding for several groupings: each one's sentences, the charts of the measures where a group
    differs, and one short table of the groups that differ (every row goes to the files)."""
    if len(parts) == 1 or all(f.export is None and f.table is None for f in parts):
        return parts[0]  # one grouping, or a view the extract has no columns for
    text = _combined_words(parts)
    table = pd.concat([f.table.rename(columns={f.table.columns[0]: "group"})
                       .assign(**{"grouped by": GROUP_LABELS.get(b, b)}) for f, b in zip(parts, bys)],
                      ignore_index=True)
    if len(table) > SHORT_TABLE:
        table = table[table["compared with overall"].isin(["better", "worse", "higher", "lower"])]
    provenance.carry(table, parts[0].table)
    export = pd.concat([f.export.assign(grouping=b) for f, b in zip(parts, bys)], ignore_index=True)
    provenance.carry(export, parts[0].export)
    # the charts of the first grouping that has any (the others are in the table): a page, not a gallery
    chart = next((f.charts for f in parts if f.charts), None)
    alt_text = next((f.alt_text for f in parts if f.charts), parts[0].alt_text)
    return make(title, text, data=service, table=export, readable=table.reset_index(drop=True),
                chart=chart, alt_text=alt_text, audience=audience)


def _by_group(service, by, measures, kind, audience, *, closing=True):

    check_audience(audience)
    if by == "deprivation":
        by = "imd_decile"
    if by not in service:
        raise DataError(f"The service data has no '{by}' column to group by",
                        hint="Group by one of: " + ", ".join(c for c in ("ethnicity", "sex", "age_band", "imd_decile")
                                                            if c in service))
    if not any(key in _outcome_columns(service) for key in measures):
        return unavailable(f"{kind} by {GROUP_LABELS.get(by, by)}", [_NEEDS[k] for k in measures], service)
    table = _group_table(service, by, measures, audience)
    label = GROUP_LABELS.get(by, by)
    sentences = _sentences(table, by)
    if not sentences:
        sentences = [f"No {label} differs clearly from the overall value on these measures; the intervals are "
                     "wide or the groups similar."]
    missing = service[by].astype("string").isna() | service[by].astype("string").isin(MISSING_LABELS)
    if missing.any():
        share = share_words(int(missing.sum()), len(missing), audience)
        sentences.append(f"{sentence_case(share)} {'of referrals' if share.endswith('%') else 'referrals'} have no "
                         f"recorded {label}; they count in the overall "
                         "value but not as a group.")
    if closing:
        sentences.append(_NOT_CAUSES)
    text = " ".join(sentences)
    alt = f"Chart of {kind.lower()} measures by {label}, each group with its 95% interval and the overall value. " \
          + sentences[0]
    shown = table.dropna(subset=["value"])
    # one message per chart: a measure gets a chart only when some group differs from the overall value
    charts = [compare_groups(part, by=by, value="value", overall=float(part["reference_value"].iloc[0]),
                             indicator=f"% who {measure}")
              for measure, part in shown.groupby("measure", sort=False)
              if part["label"].astype(str).isin(["better", "worse", "higher", "lower"]).any()]
    chart = charts if len(charts) > 1 else (charts[0] if charts else None)
    return make(f"{kind} by {label}", text, data=table, table=table, readable=_readable(table, by), chart=chart,
                alt_text=alt, audience=audience,
                extra={"differs": _sentences(table, by), "label": label,
                       "missing": share_words(int(missing.sum()), len(missing), audience) if missing.any() else ""})


def _readable(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """The comparison as a reader needs it: the group, the measure, how many people, the %, its 95%
    interval and how it compares with the overall value; every other column goes to the files."""
    hidden = table["value"].isna()
    ci = [f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
          zip(table["lower_ci"], table["upper_ci"])]
    if len(table) > SHORT_TABLE:  # a long table: the groups that differ (every row is in the files)
        table = table[table["label"].astype(str).isin(["better", "worse", "higher", "lower"])]
        hidden = table["value"].isna()
        ci = [f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
              zip(table["lower_ci"], table["upper_ci"])]
    out = pd.DataFrame({
        GROUP_LABELS.get(by, by.replace("_", " ")): table[by].astype(str),
        "measure": table["measure"],
        "people": table["denominator"].round().astype("Int64"),
        "%": table["value"].round(1),
        "95% interval (%)": ci,
        "compared with overall": table["label"].where(~hidden, "not shown: small numbers"),
    })
    return provenance.carry(out, table)


def outcomes_by_deprivation(service: pd.DataFrame, area_code: str, *, audience: str = "team",
                            measure: str = "readmitted", n: int = 5) -> Finding:
    """An outcome by deprivation groups drawn within the area (local quintiles by default), with the SII.

    Local groups rank the area's own LSOAs, so every group has residents even where the area
    covers few national deciles (Fingertips' "deprivation deciles within area").
    """

    check_audience(audience)
    title_words = "Outcomes by deprivation within the area"
    if "lsoa_code" not in service:
        return unavailable(title_words, ["lsoa_code (the LSOA 2011 code of each person's home)"], service)
    cols = _outcome_columns(service)
    if measure not in cols:  # the first outcome the extract has, readmission first
        measure = next((k for k in ("readmitted", "missed", "disengaged", "experience") if k in cols), None)
        if measure is None:
            return unavailable(title_words, list(_NEEDS.values()), service)
    national = lsoa_deciles(area_code, scheme="national")
    if len(national) < 2 * n:  # a tiny area (the Isles of Scilly has one small area) has no groups to compare
        name = area_info(area_code)["name"]
        areas = "1 small area (LSOA)" if len(national) == 1 else f"{len(national)} small areas (LSOAs)"
        text = (f"{name} has {areas}, too few to split into {n} deprivation groups "
                "of its own, so outcomes are not compared by deprivation within it.")
        return make(f"Outcomes by deprivation within {name}", text, data=service)
    local = lsoa_deciles(area_code, scheme="local", n=n)
    groups = dict(zip(local["lsoa11_code"], local["quantile"]))
    title, num, den = cols[measure]
    q = service["lsoa_code"].astype("string").map(groups)
    data = pd.DataFrame({"quantile": q, "numerator": num.astype(int), "denominator": den.astype(int)}).dropna()
    data["quantile"] = data["quantile"].astype(int)
    provenance.carry(data, service)
    props = proportion(data, "numerator", "denominator", by="quantile", multiplier=100)
    pop = local.groupby("quantile")["population"].sum()
    props["population"] = props["quantile"].map(pop)
    props["value01"] = props["value"] / 100
    props["lower01"] = props["lower_ci"] / 100
    props["upper01"] = props["upper_ci"] / 100
    result = sii(props.dropna(subset=["value01"]), quantile="quantile", value="value01", population="population",
                 lower_ci="lower01", upper_ci="upper01", value_type=2, multiplier=100, seed=2024)
    provenance.carry(result, service)
    word = {5: "quintile", 10: "decile"}.get(n, "group")
    name = str(local["note"].iloc[0]).split("'s own")[0].replace("Local groups: ", "")
    r = result.iloc[0]
    table = protect(props.drop(columns=["value01", "lower01", "upper01"]), audience,
                     derived=["value", "lower_ci", "upper_ci"])
    provenance.carry(table, props)
    first, last = table.iloc[0], table.iloc[-1]  # the published values: a hidden group is never quoted
    hidden = table["value"].isna().any()
    if pd.notna(first["value"]) and pd.notna(last["value"]):
        text = (f"{first['value']:.1f}% of people from the most deprived {word} of {possessive(name)} neighbourhoods "
                f"{title}, against {last['value']:.1f}% from the least deprived {word}.")
    else:
        text = f"The most or least deprived {word} of {possessive(name)} neighbourhoods is too small to show."
    if not hidden:
        text += (f" Across all {n} {word}s the slope index of inequality is {r['sii']:.1f} percentage points (95% CI "
                 f"{r['sii_lower_ci']:.1f} to {r['sii_upper_ci']:.1f}); a negative value means the figure is higher "
                 "in more deprived neighbourhoods.")
    else:  # the slope index rests on every group, so with the hidden ones it could help work them out
        text += " Some groups are hidden because their numbers are small, so the slope index is not shown."
    text += f" These {word}s are drawn within {name}, not national ones."
    alt = (f"Dot chart of the share who {title} by deprivation {word} within {name}, 1 = most deprived, with 95% "
           f"intervals and the slope index line. " + text.split(". ")[0] + ".")
    shown = table.dropna(subset=["value"])
    chart = deprivation_gradient(shown,
                   sii=result if len(shown) == len(table) else None, quantile="quantile", value="value",
                   national_or_local="within-area", multiplier=100,
                   indicator=f"% who {title}, {name}") if len(shown) >= 2 else None
    readable = pd.DataFrame({
        f"deprivation {word} (1 = most deprived)": table["quantile"],
        "people": table["denominator"].round().astype("Int64"),
        f"% who {title}": table["value"].round(1),
        "95% interval (%)": [f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) and pd.notna(hi) else ""
                             for lo, hi in zip(table["lower_ci"], table["upper_ci"])],
    })
    provenance.carry(readable, table)
    return make(f"Outcomes by deprivation within {name}", text, data=service, table=table, readable=readable,
                chart=chart, alt_text=alt, audience=audience, extra={"sii": result})



