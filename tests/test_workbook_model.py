"""The project model: round trip through its YAML file, equality, team mix, naming consent, privacy."""
import dataclasses
import typing
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitylab import DataError, ProjectFileError
from equitylab.workbook import Aim, Measure, Project, model, schema
from equitylab.workbook.model import identifier_kinds
from equitylab.workbook.schema import MIGRATIONS

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"

TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=25) | \
    st.lists(st.text(alphabet="abc xyz:#-'\"", max_size=12), min_size=1, max_size=3).map("\n".join)


def strategy(tp, meta=None):
    if meta and meta.get("choices") is not None:
        return st.sampled_from(meta["choices"])
    origin = typing.get_origin(tp)
    if origin in (typing.Union, __import__("types").UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return st.none() | strategy(inner)
    if origin is list:
        return st.lists(strategy(typing.get_args(tp)[0]), max_size=3)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, vars(model))
        kwargs = {f.name: strategy(hints[f.name], f.metadata) for f in dataclasses.fields(tp)
                  if not f.name.startswith("_") and f.name != "schema_version"}
        return st.builds(tp, **kwargs)
    return {str: TEXT, bool: st.booleans(), int: st.integers(-10**6, 10**6),
            float: st.floats(allow_nan=False, allow_infinity=False, width=64), date: st.dates()}[tp]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(project=strategy(Project))
def test_any_project_round_trips_through_its_file_without_loss(tmp_path, project):
    path = tmp_path / "p.yaml"
    path.unlink(missing_ok=True)
    saved = dataclasses.replace(project)
    project.save(path)
    again = Project.load(path)
    assert again == saved
    assert again.to_dict() == saved.to_dict()


def test_equality_is_by_content_not_identity_or_load_state(tmp_path):
    a = Project.load(EXAMPLE)
    b = Project.load(EXAMPLE)
    assert a == b and a is not b
    b.aim.target = 2.0
    assert a != b
    c = Project.new(title="x")
    c._base = {"anything": 1}
    assert c == Project.new(title="x")


def test_file_is_human_readable_yaml_with_schema_version_first():
    text = EXAMPLE.read_text()
    data = yaml.safe_load(text)
    assert list(data)[0] == "schema_version" and data["schema_version"] == 1
    assert "title: Equal access to talking therapies" in text
    assert data["aim"]["by_when"] == date(2027, 3, 31)


def test_team_mix_names_each_missing_role():
    p = Project.new(title="t")
    p.add_member("clinician", "A")
    p.add_member("nurse", "B")
    mix = p.team_mix()
    assert not mix.ok and not mix.lived_experience and not mix.decision_maker
    text = " ".join(mix.problems)
    assert "lived experience" in text and "decision-maker" in text and "QI coach" in text and "sponsor" in text
    assert "2 member(s)" in text
    full = Project.load(EXAMPLE).team_mix()
    assert full.ok and full.size == 8


def test_lived_experience_name_is_shown_only_with_consent():
    p = Project.new(title="t")
    no = p.add_member("service user", "Amara", consent_to_name=False)
    yes = p.add_member("carer", "Joseph", consent_to_name=True)
    staff = p.add_member("clinician", "Dr Lee")
    assert "Amara" not in no.display() and no.display() == "Service user"
    assert yes.display() == "Joseph (carer)"
    assert staff.display() == "Dr Lee (clinician)"


def test_unknown_role_is_refused_with_the_list():
    with pytest.raises(DataError, match="not a role we know"):
        Project.new(title="t").add_member("wizard")


@pytest.mark.parametrize("text,kind", [
    ("my NHS number is 943 476 5919", "an NHS number"),
    ("call 9434765919 please", "an NHS number"),
    ("email me at jo.bloggs@example.org", "an email address"),
    ("ring 07700 900123 after six", "a phone number"),
    ("I live at E1 6AN near the park", "a full postcode"),
    ("Hello, my name is Fatima and I waited months", "a person's name"),
])
def test_quotes_that_identify_someone_are_refused_without_echoing_them(text, kind):
    assert kind in identifier_kinds(text)
    p = Project.new(title="t")
    with pytest.raises(DataError) as err:
        p.add_quote(text, "service user", consent=True)
    assert kind in str(err.value)
    for secret in ("943 476 5919", "jo.bloggs", "07700", "E1 6AN", "Fatima"):
        assert secret not in str(err.value)
    assert p.heard == []


def test_ordinary_quotes_are_kept_and_hand_added_identifiers_are_flagged():
    p = Project.new(title="t")
    p.add_quote("I waited 12 weeks for a letter in 2024 and nobody called", "carer", consent=True)
    assert identifier_kinds("Only 3 of 10 people came back; the E1 area is busy") == []
    p.heard[0].text = "write to me at a@b.com"  # as if typed into the file by hand
    assert p.privacy_problems() == ["What we heard, quote 1: contains an email address; remove it before sharing."]


def test_add_period_replaces_the_same_period_and_group_and_checks_numbers():
    m = Measure(name="DNA rate")
    m.add_period(date(2025, 5, 1), "Black African", numerator=3, denominator=10)
    m.add_period(date(2025, 4, 1), "Black African", numerator=2, denominator=10)
    m.add_period(date(2025, 5, 1), "Black African", numerator=4, denominator=10)
    assert [(p.period.month, p.numerator) for p in m.data] == [(4, 2), (5, 4)]
    assert m.data[1].result() == pytest.approx(40.0)
    with pytest.raises(DataError, match="between zero and the denominator"):
        m.add_period(date(2025, 6, 1), numerator=11, denominator=10)
    with pytest.raises(DataError, match="more than zero"):
        m.add_period(date(2025, 6, 1), numerator=0, denominator=0)


def test_progress_score_has_ihi_stage_names():
    p = Project.new(title="t", progress_score=2.5)
    assert p.progress_stage == "Changes tested, but no improvement"
    assert Project.new(title="t").progress_stage == ""


def test_aim_sentence_builds_the_equity_shape():
    aim = Aim(what="DNA rate", group="Black African adults", comparison_group="White British adults",
              baseline=12, target=4, unit="%", by_when=date(2026, 3, 31), where="Riverside CMHT")
    assert aim.sentence() == ("Reduce the gap in DNA rate between Black African adults and White British adults "
                              "from 12 % to 4 % in Riverside CMHT by 31 March 2026")


def test_driver_links_are_many_to_many_and_checked():
    p = Project.new(title="t")
    a = p.drivers.add("primary", "A")
    b = p.drivers.add("primary", "B")
    s = p.drivers.add("secondary", "S", linked_to=[a.id, b.id])
    p.drivers.link(b.id, s.id, "weak")
    pairs = {(lk.source, lk.target, lk.strength) for lk in p.drivers.links}
    assert pairs == {("aim", a.id, "strong"), ("aim", b.id, "strong"), (a.id, s.id, "strong"), (b.id, s.id, "weak")}
    with pytest.raises(DataError, match="no box with id"):
        p.drivers.link("nope", s.id)
    p.drivers.remove(a.id)
    assert all(a.id not in (lk.source, lk.target) for lk in p.drivers.links)


def test_migration_hook_runs_on_old_files(monkeypatch):
    def v0_to_v1(data):
        data["title"] = data.pop("name")
        return data

    monkeypatch.setitem(MIGRATIONS, 0, v0_to_v1)
    p = Project.from_dict({"schema_version": 0, "name": "Old project"})
    assert p.title == "Old project" and p.schema_version == 1


def test_newer_schema_version_is_refused_plainly():
    with pytest.raises(ProjectFileError, match="newer equitylab"):
        Project.from_dict({"schema_version": 99})


def test_choices_and_types_are_checked_with_field_path():
    with pytest.raises(ProjectFileError) as err:
        Project.from_dict({"coproduction": {"current_rung": "top"}})
    assert err.value.field == "coproduction.current_rung" and "co-production" in str(err.value)
    with pytest.raises(ProjectFileError) as err:
        Project.from_dict({"measures": [{"name": "x", "data": [{"numerator": "lots"}]}]})
    assert err.value.field == "measures[0].data[0].numerator"
    assert schema.to_data(Project.new(title="t"))["title"] == "t"


def test_workbook_imports_without_ui_or_heavy_libraries():
    # the forms load it; pandas is imported only for measure templates
    import subprocess
    import sys

    code = ("import sys, equitylab.workbook; "
            "print(','.join(m for m in ('ipywidgets', 'pandas', 'altair', 'vl_convert') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=strategy(Project), other=strategy(Project))
def test_merge_takes_whichever_side_changed(base, other):
    from equitylab.workbook.store import merge

    b, o = base.to_dict(), other.to_dict()
    assert merge(b, b, o) == (o, [])
    assert merge(b, o, b) == (o, [])
    assert merge(b, o, o) == (o, [])
