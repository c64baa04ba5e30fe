"""Fixtures for the browser tests: JupyterLab and the code-free forms on 127.0.0.1, driven by
Debian's Chromium through Playwright, with every request off this machine blocked.

Nothing here downloads a browser. When ``CI`` is set, a missing Chromium, Playwright or
axe-core fails the tests (run ``.ci/install-browser.sh``); elsewhere the tests are skipped.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from browser_helpers import ARTIFACTS, REPO, Server, free_port

NOTEBOOKS = REPO / "notebooks"
SETTINGS = REPO / ".jupyter" / "lab-settings"


def _isolated_env(work: Path) -> dict:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (work / name.lower()).mkdir(parents=True, exist_ok=True)
        env[name] = str(work / name.lower())
    env["EQUITYLAB_HOME"] = str(work / "home")
    env.pop("JUPYTER_PATH", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _set_project_file(nb_path: Path, project: Path) -> None:
    """Point the notebook's parameters cell (its first code cell) at ``project``."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in cell.metadata.get("tags", []), f"{nb_path.name}: first code cell is not 'parameters'"
    lines = cell.source.splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith("project_file")]
    assert hits, f"{nb_path.name}: no project_file parameter"
    lines[hits[0]] = f'project_file: str = "{project}"  # set by the browser tests'
    cell.source = "\n".join(lines)
    nbformat.write(nb, nb_path)


def seed_driver_diagram(path: Path) -> None:
    """A small project with an aim and a driver diagram, so notebook 04 has a diagram to draw."""
    from equitylab.workbook import Project

    p = Project.new(title="Browser test project", area_code="E09000012")
    p.aim.statement = ("Reduce the gap in waiting times between Black African and White British people "
                       "referred to our memory service from 10 weeks to 2 weeks by March 2027")
    d = p.drivers
    first = d.add("primary", "People know the service exists")
    d.add("secondary", "GP practices refer early", linked_to=first.id)
    second = d.add("primary", "Assessments fit people's lives")
    d.add("change_idea", "Offer appointments in community venues", linked_to=second.id)
    p.save(path)


class Lab:
    def __init__(self, url: str, root: Path, projects: Path, server: Server):
        self.url, self.root, self.projects, self.server = url, root, projects, server

    def project(self, notebook_stem: str) -> Path:
        return self.projects / f"{notebook_stem[:2]}.yaml"


@pytest.fixture(scope="session")
def lab(browser_ready, tmp_path_factory):
    """JupyterLab over a temporary copy of notebooks/, each notebook with its own project file."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("src", ".ipynb_checkpoints", "__pycache__"))
    projects = work / "projects"
    projects.mkdir()
    for nb in sorted(root.glob("0*.ipynb")):
        _set_project_file(nb, projects / f"{nb.name[:2]}.yaml")
    seed_driver_diagram(projects / "04.yaml")
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
           "--ServerApp.port_retries=0", "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           f"--LabApp.app_settings_dir={SETTINGS}"]
    url = f"http://127.0.0.1:{port}"
    server = Server(cmd, env=_isolated_env(work), cwd=root, log=work / "lab.log", ready_url=url + "/api/status")
    yield Lab(url, root, projects, server)
    server.stop()
    shutil.copy(work / "lab.log", ARTIFACTS / "lab.log")


class Forms:
    def __init__(self, url: str, project: Path, server: Server):
        self.url, self.project, self.server = url, project, server


@pytest.fixture(scope="session")
def forms(browser_ready, tmp_path_factory):
    """``equitylab forms PROJECT.yaml`` (Voilà) over a fresh project file."""
    work = tmp_path_factory.mktemp("forms")
    project = work / "team_project.yaml"
    port = free_port()
    cmd = [sys.executable, "-m", "equitylab", "forms", str(project), f"--port={port}", "--no-browser"]
    url = f"http://127.0.0.1:{port}"
    server = Server(cmd, env=_isolated_env(work), cwd=work, log=work / "forms.log",
                    ready_url=url + "/voila/static/voila.js", timeout=120)
    yield Forms(url, project, server)
    server.stop()
    shutil.copy(work / "forms.log", ARTIFACTS / "forms.log")


class Report:
    """The Hackney report as the runner wrote it: its HTML, its PDF and the runner's result."""

    def __init__(self, result):
        self.result = result
        self.html = Path(result.html)
        self.pdf = Path(result.pdf) if result.pdf else None


def _report(tmp_path_factory, project: bool) -> Report:
    from equitylab.reports import run

    work = tmp_path_factory.mktemp("report")
    project_file = work / "project.yaml"
    if project:
        seed_driver_diagram(project_file)
    result = run("E09000012", out=work / "out", project_file=str(project_file) if project else "", name="hackney")
    assert result.status == "ok", f"report failed: {result.reason} (log {result.log})"
    return Report(result)


@pytest.fixture(scope="session")
def hackney_report(browser_ready, tmp_path_factory):
    """The Hackney report with a project and its driver diagram (synthetic service data), built once a
    session for the accessibility and the print tests."""
    return _report(tmp_path_factory, project=True)


@pytest.fixture(scope="session")
def hackney_default_report(browser_ready, tmp_path_factory):
    """The Hackney report as ``equitylab report --area E09000012`` makes it: the one issue 18 counts pages of."""
    return _report(tmp_path_factory, project=False)


@pytest.fixture
def report(hackney_report):
    return hackney_report.html
