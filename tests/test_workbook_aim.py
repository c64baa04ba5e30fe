"""The aim checker: IHI aim fields, Berwick's "some is not a number; soon is not a time", equity gap."""
import re
from datetime import date

import pytest

from equitylab.workbook import Aim, aim_template, check_aim, equity_aim_template

GOOD = ("Reduce the gap in did-not-attend rates at first appointment between Black African and White British "
        "service users in the Riverside community team from 12% to 4% by 31 March 2027.")


def test_a_good_equity_aim_has_no_problems():
    assert check_aim(GOOD) == []
    assert check_aim(equity_aim_template("DNA rates", "Black African adults", "White British adults", "12%", "4%",
                                         date(2027, 3, 31))) == []


@pytest.mark.parametrize("aim,expected", [
    ("Improve access for everyone.", ["no number", "no date", "everyone", "vague"]),
    ("Look at why Somali women miss appointments.", ["no number", "no date", "vague"]),
    ("Raise awareness of the service among carers by March 2026.", ["no number", "vague"]),
    ("Increase attendance to 80% by June 2026 for all patients.", ["baseline", "everyone"]),
    ("Increase attendance from 60% to 80% by June 2026 in Hackney.", ["group"]),
])
def test_bad_aims_get_each_problem_named(aim, expected):
    problems = " ".join(check_aim(aim)).lower()
    for word in expected:
        assert word in problems, (word, problems)
    assert len(check_aim(aim)) == len(expected)


def test_aim_fields_are_checked_one_by_one():
    aim = Aim(what="DNA rate", group="Black African adults", comparison_group="White British adults", baseline=12,
              target=4, unit="%", by_when=date(2027, 3, 31), where="Riverside CMHT")
    assert check_aim(aim, today=date(2026, 1, 1)) == []
    empty = " ".join(check_aim(Aim(what="DNA rate"), today=date(2026, 1, 1)))
    for word in ("group", "baseline", "number", "date", "where"):
        assert word in empty
    late = check_aim(aim, today=date(2028, 1, 1))
    assert late == ["The date (2027-03-31) has passed: set a new one."]
    same = Aim(what="x", group="carers", baseline=4, target=4, by_when=date(2027, 1, 1), where="ward 3")
    assert check_aim(same, today=date(2026, 1, 1)) == ["The target is the same as the baseline: say how much it will change."]


def test_aim_with_only_a_statement_is_checked_as_a_sentence():
    assert check_aim(Aim(statement=GOOD)) == []
    problems = check_aim(Aim(statement="Improve things"))
    assert problems == check_aim("Improve things")  # the sentence checks, not the field checks
    text = " ".join(problems).lower()
    assert len(problems) == 4 and all(w in text for w in ("no number", "no date", "no group", '"improve" is vague'))


def test_the_aim_template_filled_in_is_a_good_aim():
    # the template asks for everything the checker looks for: fill each blank and nothing is missing
    blanks = {"[change what]": "reduce did-not-attend rates", "[which group]": "Black African women aged 18 to 35",
              "[where]": "the Riverside community team", "[baseline]": "12%", "[target]": "4%",
              "[date]": "31 March 2027"}
    template = aim_template()
    assert sorted(re.findall(r"\[[^]]+\]", template)) == sorted(blanks)
    for blank, words in blanks.items():
        template = template.replace(blank, words)
    assert check_aim(template) == []
    assert equity_aim_template() == "Reduce the gap in [X] between [group A] and [group B] from [Y] to [Z] by [date]."
