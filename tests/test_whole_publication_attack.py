"""The attacker reads a report whole (issue 16): every number of its service sections (CSV tables, text,
alt text, chart data, the MAIHDA strata and the SPC points) in one integer programme, with one variable
for each count however many places state it (tests/publication_reader.py). No count hidden for being 1
to 7 may be left fewer than six possible values."""
from __future__ import annotations

import numpy as np
import pytest

from equitylab.findings import load_service
from equitylab.findings import service as service_findings
from equitylab.synthetic import service_data

import publication_reader as read
import whole_publication as whole
from joint import Joint, too_narrow

EXTRACTS = {
    "300 referrals": lambda: service_data(whole.HACKNEY, n=300, seed=7),
    "600 referrals": lambda: service_data(whole.HACKNEY, n=600, seed=7),
    # the teaching extract with its small groups made smaller, and a waiting time for everyone, so the
    # MAIHDA strata add up to the groups' referrals
    # the teaching extract (3,000 referrals) with its small groups made smaller: its gap over time is shown
    "teaching extract, small groups smaller": lambda: whole.smaller(
        load_service(None, whole.HACKNEY), {"ethnicity": {"Mixed": 6, "Other": 20}, "sex": {"Indeterminate": 2}}),
    "600, small groups smaller": lambda: whole.smaller(
        service_data(whole.HACKNEY, n=600, seed=7),
        {"ethnicity": {"Mixed": 5, "Asian": 12, "Other": 3}, "age_band": {"60-64": 9}}, every_wait=True),
}


def _exact_margins():
    """Every waiting time recorded and every sex recorded (and no Indeterminate), so the strata add up
    exactly to the groups' published sizes, and only 9 Mixed."""
    service = service_data(whole.HACKNEY, n=600, seed=7)
    service = service[~service["sex"].astype(str).isin(["Not known", "Indeterminate"])]
    return whole.smaller(service, {"ethnicity": {"Mixed": 9}}, every_wait=True)


EXTRACTS["600, exact strata margins"] = _exact_margins
# readers who know from elsewhere which combinations of groups have anyone in them
KNOWS_STRATA = {"600, exact strata margins"}


@pytest.fixture(scope="module", params=list(EXTRACTS))
def attacked(request):
    service = EXTRACTS[request.param]()
    publication = whole.build(service)
    joint, ranges = whole.attack(publication, service, knows_strata=request.param in KNOWS_STRATA)
    return publication, joint, ranges


def test_strata_resist_a_reader_who_knows_which_exist_under_the_old_rule_they_did_not(monkeypatch):
    """Control for the strata: under the one-complement rule alone (before issue 16), with exact margins
    and a reader who knows which combinations exist, small strata of the third deprivation quintile are
    pinned to 1-5."""
    from equitylab.measures import maihda

    def one_complement(table, by, binary):
        n = table["n"].to_numpy()
        small = (n >= 1) & (n <= 7)
        hidden = small.copy()
        slices = [np.flatnonzero((table[c] == v).to_numpy()) for c in by for v in table[c].unique()]
        changed = True
        while changed:
            changed = False
            for rows in slices:
                if hidden[rows].sum() == 1 and len(rows) > 1:
                    visible = rows[~hidden[rows]]
                    hidden[visible[np.argmin(n[visible])]] = True
                    changed = True
        return small, hidden

    monkeypatch.setattr(maihda, "hide_small", one_complement)
    service = _exact_margins()
    _, ranges = whole.attack(whole.build(service), service, over_time=False, knows_strata=True)
    assert any(key[0] == "stratum" for key, _, _ in too_narrow(ranges))


def test_every_part_of_the_publication_has_hidden_small_counts_to_attack(attacked):
    _, joint, ranges = attacked
    kinds = {key[0] for key, _, _ in ranges}
    assert {"referrals", "events", "people", "stratum"} <= kinds, kinds
    assert any(k.startswith("month") for k in kinds), "no hidden point of the SPC chart was attacked"
    assert len(joint.index) > 500  # counts the reader tracks across the publication


def test_no_hidden_small_count_is_pinned_by_the_whole_publication(attacked):
    _, joint, ranges = attacked
    assert too_narrow(ranges) == [], [joint.primary[k] for k, _, _ in too_narrow(ranges)]


def test_every_number_in_the_words_is_read_or_is_no_count(attacked):
    """Each number of a finding's text and alt text is a cell of its published table, a number drawn in
    its chart, or one the readers take from the words ("fewer than 8", "9% of referrals") or that counts
    no one (dates, "within 28 days", the share of variation): a new number in the words fails here until
    the attacker reads it."""
    publication, _, _ = attacked
    unread = {name: read.unread_numbers(f) for name, f in publication.items()}
    assert {name: n for name, n in unread.items() if n} == {}


def test_the_gap_over_time_is_not_built_on_hidden_points(attacked):
    publication, _, _ = attacked
    gap = publication["gap"]
    result = gap.extra.get("result")
    if result is None:  # withheld: nothing but words
        assert gap.table is None and gap.chart is None and "not shown" in gap.text
    else:
        assert not result.points["small_number"].any() and not result.gap.points["small_number"].any()


def test_the_joint_programme_pins_what_tables_hide_differently():
    """Safe alone, unsafe together: one table hides three groups of 4, 1 and 1 referrals and, to protect
    them, the 25 of another; a second table shows that 25. Alone, each small count can be 1 to 7;
    together their sum is 6, so each is 1 to 4."""
    sizes = {"A": 25, "B": 4, "C": 1, "D": 1, "E": 60, "F": 200}

    def first_table(j):
        j.shown(("referrals", "all"), sum(sizes.values()))
        for g in "EF":
            j.shown(("referrals", g), sizes[g])
        for g in "BCD":
            j.hidden_small(("referrals", g))
        j.hidden_other(("referrals", "A"))
        j.total(("referrals", "all"), [("referrals", g) for g in sizes])

    alone = Joint()
    first_table(alone)
    assert too_narrow(alone.ranges()) == []
    together = Joint()
    first_table(together)
    together.shown(("referrals", "A"), 25)  # the second table
    assert sorted(too_narrow(together.ranges())) == [(("referrals", g), 1, 4) for g in "BCD"]


def test_the_attacker_pins_sizes_when_tables_protect_them_differently(monkeypatch):
    """The real report without one size protection across tables (each table choosing its own
    complement, as before issue 16): access hides the 25 people aged 60-64 to protect 4, 1 and 1,
    while the group comparisons show them. The joint attack pins those to 1-4; each table alone passes
    (tests/test_disclosure_attack.py)."""
    monkeypatch.setattr(service_findings, "hidden_sizes", lambda service, column: set())
    service = EXTRACTS["600 referrals"]()
    _, ranges = whole.attack(whole.build(service), service, strata=False, over_time=False)
    pinned = {key for key, _, _ in too_narrow(ranges)}
    assert ("referrals", "age_band", "85+") in pinned
