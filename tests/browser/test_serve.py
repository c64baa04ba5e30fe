"""``equitylab forms``: the command line and the page widget, without a browser (fast)."""
from __future__ import annotations

import pytest

from equitylab.errors import DataError, ProjectFileError
from equitylab.widgets import FORM_NAMES, FORM_TITLES, serve

pytestmark = pytest.mark.browser


def test_forms_page_shows_every_form_over_one_project_file(tmp_path):
    path = tmp_path / "p.yaml"
    page = serve.forms_page(path, wait=0)
    assert list(page.forms) == list(FORM_NAMES)
    assert {f.path for f in page.forms.values()} == {path}
    html = "".join(getattr(c, "value", "") for c in page.children if hasattr(c, "value"))
    assert "<h1>" in html and all(FORM_TITLES[n] in html for n in FORM_NAMES)
    assert path.exists()


def test_form_chosen_by_address_or_argument(tmp_path, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "form=team")
    assert list(serve.forms_page(tmp_path / "p.yaml", wait=0).forms) == ["team"]
    assert list(serve.forms_page(tmp_path / "p.yaml", form="aim", wait=0).forms) == ["aim"]
    assert serve.chosen_form("form=heard&x=1") == "heard"
    monkeypatch.delenv(serve.ENV_FORM, raising=False)
    assert serve.chosen_form("") is None


def test_unknown_form_is_a_plain_error(tmp_path):
    with pytest.raises(DataError, match="no form called 'nope'"):
        serve.forms_page(tmp_path / "p.yaml", form="nope")


def test_command_line_rejects_an_unknown_form(capsys):
    with pytest.raises(SystemExit) as stop:
        serve.main(["p.yaml", "--form", "nope"])
    assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_broken_project_file_is_reported_before_serving(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProjectFileError):
        serve.prepare(bad)


def test_new_project_file_is_created(tmp_path, capsys):
    path = serve.prepare(tmp_path / "sub" / "new_project.yaml")
    assert path.exists() and "created" in capsys.readouterr().out


def test_voila_is_told_to_listen_locally_with_the_offline_template():
    args = serve.voila_args(port=8870, no_browser=True, ip="127.0.0.1")
    assert str(serve.APP) == args[0] and serve.APP.exists()
    assert "--Voila.ip=127.0.0.1" in args and "--template=equitylab" in args and "--no-browser" in args
    assert "--token" not in args
    assert "--token" in serve.voila_args(port=8870, no_browser=True, ip="0.0.0.0")
    template = serve.TEMPLATES / "voila" / "templates" / "equitylab" / "index.html.j2"
    text = template.read_text()
    assert "https://" not in text and "http://" not in text  # nothing fetched from the internet
