"""The aim checker: IHI aim fields, Berwick's "some is not a number; soon is not a time", equity gap."""
import re
from datetime import date

import pytest

from equitylab.workbook import Aim, aim_template, check_aim, equity_aim_template

TODAY = date(2026, 12, 2)  # fixed, so the tests do not age
GOOD = ("Reduce the gap in did-not-attend rates at first appointment between Black African and White British "
        "service users in the Riverside community team from 12% to 4% by 31 March 2027.")


def test_a_good_equity_aim_has_no_problems():
    assert check_aim(GOOD, today=TODAY) == []
    assert check_aim(equity_aim_template("DNA rates", "Black African adults", "White British adults", "12%", "4%",
                                         date(2027, 3, 31)), today=TODAY) == []


@pytest.mark.parametrize("aim,expected", [
    ("Improve access for everyone.", ["no number", "no date", "everyone", "vague"]),
    ("Look at why Somali women miss appointments.", ["no number", "no date", "vague"]),
    ("Raise awareness of the service among carers by March 2027.", ["no number", "vague"]),
    ("Increase attendance to 80% by June 2027 for all patients.", ["baseline", "everyone"]),
    ("Increase attendance from 60% to 80% by June 2027 in Hackney.", ["group"]),
])
def test_bad_aims_get_each_problem_named(aim, expected):
    problems = " ".join(check_aim(aim, today=TODAY)).lower()
    for word in expected:
        assert word in problems, (word, problems)
    assert len(check_aim(aim, today=TODAY)) == len(expected)


def test_aim_fields_are_checked_one_by_one():
    aim = Aim(what="DNA rate", group="Black African adults", comparison_group="White British adults", baseline=12,
              target=4, unit="%", by_when=date(2027, 3, 31), where="Riverside CMHT")
    assert check_aim(aim, today=date(2026, 1, 1)) == []
    empty = " ".join(check_aim(Aim(what="DNA rate"), today=date(2026, 1, 1)))
    for word in ("group", "baseline", "number", "date", "where"):
        assert word in empty
    late = check_aim(aim, today=date(2028, 1, 1))
    assert late == ["The date (31 March 2027) has passed: set a new one."]
    same = Aim(what="x", group="carers", baseline=4, target=4, by_when=date(2027, 1, 1), where="ward 3")
    assert check_aim(same, today=date(2026, 1, 1)) == ["The target is the same as the baseline: say how much it will change."]


def test_aim_with_only_a_statement_is_checked_as_a_sentence():
    assert check_aim(Aim(statement=GOOD), today=TODAY) == []
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
    assert check_aim(template, today=TODAY) == []
    assert equity_aim_template() == "Reduce the gap in [X] between [group A] and [group B] from [Y] to [Z] by [date]."


# Aims that read their numbers. Each expected sentence follows from the aim's own words and numbers:
# "reduce"/"narrow"/"close"/"lower"/"cut"/"halve" mean the target is below the baseline,
# "increase"/"raise"/"double" above it; an aim about a gap makes the gap smaller (IHI's "how much"
# must agree with the "what"); "by <date>" must be after today (2 December 2026 here).
DIRECTION_UP = 'The aim says "{w}" but the target ({t}) is higher than where you are now ({b}): check the numbers or the word.'
DIRECTION_DOWN = 'The aim says "{w}" but the target ({t}) is lower than where you are now ({b}): check the numbers or the word.'
WIDER = "The target gap ({t}) is wider than the gap now ({b}): an equity aim makes the gap smaller."
SAME = "The target is the same as the baseline: say how much it will change."
PAST = "The date ({d}) has passed: set a new one."
GROUPS = "between Black African and White British adults in the Riverside team"

NUMBER_AIMS = [
    # good aims: the words and the numbers agree, and the date is ahead
    (f"Reduce the gap in did-not-attend rates {GROUPS} from 12% to 4% by 31 March 2027.", []),
    (f"Narrow the gap in waiting times {GROUPS} from 10 weeks to 2 weeks by March 2027.", []),
    (f"Close the gap in uptake {GROUPS} from 15 percentage points to 0 by 2028.", []),
    ("Increase uptake of talking therapies among Somali women in Hackney from 20% to 35% by 30 June 2027.", []),
    (("Raise the proportion of Bangladeshi carers offered an assessment in Tower Hamlets from 1 in 5 to 1 in 2 "
     "by December 2027."), []),
    ("Lower the wait for older Polish adults in the memory service from 14 weeks to 6 weeks by 31/03/2027.", []),
    (("Halve the gap in DNA rates between the most and least deprived quintiles in our clinic from 8% to 4% "
     "by April 2027."), []),
    (("Increase the proportion of Black women screened in Lambeth from 40% to 60%, closing the gap with White "
     "women, by 31 March 2027."), []),
    ("Cut missed appointments for people who need an interpreter in Newham from 30% to 15% by 1 January 2027.", []),
    # the direction word disagrees with the numbers
    ("Reduce the did-not-attend rate for Black African adults in Riverside from 12% to 14% by March 2027.",
     [DIRECTION_UP.format(w="reduce", t="14%", b="12%")]),
    ("Increase attendance for Somali women in Hackney from 60% to 50% by June 2027.",
     [DIRECTION_DOWN.format(w="increase", t="50%", b="60%")]),
    ("Lower the wait for Roma families in Leeds from 10 weeks to 12 weeks by 2027.",
     [DIRECTION_UP.format(w="lower", t="12 weeks", b="10 weeks")]),
    ("Raise the proportion of carers of disabled children assessed in Hull from 1 in 2 to 1 in 5 by May 2027.",
     [DIRECTION_DOWN.format(w="raise", t="1 in 5", b="1 in 2")]),
    # the gap would get wider (the issue's own example among them)
    (f"Reduce the gap in did-not-attend rates {GROUPS} from 37 % to 45 % by 31 March 2027.",
     [WIDER.format(t="45 %", b="37 %")]),
    (f"Narrow the difference in waiting times {GROUPS} from 3 weeks to 5 weeks by 2027.",
     [WIDER.format(t="5 weeks", b="3 weeks")]),
    (f"Close the gap in referral rates {GROUPS} from 2 per 1,000 to 3 per 1,000 by 2027.",
     [WIDER.format(t="3 per 1,000", b="2 per 1,000")]),
    # a target that does not move
    ("Reduce waiting times for Black African men in Riverside from 12 weeks to 12 weeks by March 2027.", [SAME]),
    (f"Reduce the gap in DNA rates {GROUPS} from 6% to 6% by March 2027.", [SAME]),
    # a date already past (end of the month or year the aim names)
    ("Reduce DNA rates for Black African adults in Riverside from 12% to 4% by 31 March 2026.",
     [PAST.format(d="31 March 2026")]),
    ("Increase uptake among Somali women in Hackney from 20% to 35% by June 2026.", [PAST.format(d="30 June 2026")]),
    ("Increase uptake among Somali women in Hackney from 20% to 35% by 2025.", [PAST.format(d="31 December 2025")]),
    ("Reduce DNA rates for Black African adults in Riverside from 12% to 4% by 30/11/2026.",
     [PAST.format(d="30 November 2026")]),
    # two things wrong at once: each gets its own sentence
    ("Reduce the DNA rate for Black African adults in Riverside from 12% to 20% by March 2025.",
     [DIRECTION_UP.format(w="reduce", t="20%", b="12%"), PAST.format(d="31 March 2025")]),
]


@pytest.mark.parametrize("aim,expected", NUMBER_AIMS)
def test_the_aim_checker_reads_the_numbers(aim, expected):
    assert check_aim(aim, today=TODAY) == expected


def test_an_aim_due_this_month_has_not_passed():
    # "by December 2026" allows the whole month
    assert check_aim("Increase uptake among Somali women in Hackney from 20% to 35% by December 2026.",
                     today=TODAY) == []


def _fields(**kw):
    base = {"what": "DNA rate", "group": "Black African adults", "comparison_group": "White British adults",
            "baseline": 12, "target": 4, "unit": "%", "by_when": date(2027, 3, 31), "where": "Riverside CMHT"}
    return Aim(**(base | kw))


@pytest.mark.parametrize("aim,expected", [
    (_fields(), []),
    # the form composes "Reduce the gap in DNA rate ... from 37% to 45%": the example
    (_fields(baseline=37, target=45), [WIDER.format(t="45%", b="37%")]),
    (_fields(baseline=6, target=6), [SAME]),
    (_fields(by_when=date(2026, 12, 1)), [PAST.format(d="1 December 2026")]),
    (_fields(what="increase attendance", comparison_group="", baseline=60, target=50),
     [DIRECTION_DOWN.format(w="increase", t="50%", b="60%")]),
    (_fields(what="reduce waiting time", comparison_group="", baseline=10, target=12, unit="weeks"),
     [DIRECTION_UP.format(w="reduce", t="12 weeks", b="10 weeks")]),
    (_fields(what="increase attendance", comparison_group="", baseline=60, target=80), []),
    (_fields(statement="Increase uptake among Black African adults to close the gap with White British adults",
             baseline=40, target=60), []),
])
def test_aim_fields_are_read_as_numbers(aim, expected):
    assert check_aim(aim, today=TODAY) == expected


def test_the_sentence_the_form_composes_is_checked_the_same_as_its_fields():
    aim = _fields(baseline=37, target=45)
    assert aim.sentence().startswith("Reduce the gap in DNA rate")
    assert check_aim(aim.sentence() + ".", today=TODAY) == [WIDER.format(t="45 %", b="37 %")]
