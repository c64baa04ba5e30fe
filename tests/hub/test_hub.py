"""A live cohort on JupyterHub: two team-mates answer one breakout at once, another team answers,
and the facilitator's view shows both teams. Real hub, proxy, servers, kernels and Chromium."""
from __future__ import annotations

import re
import time
from urllib.parse import quote

import psutil
import pytest

from equitylab import cohort
from equitylab.workbook import Project

from hub_fixtures import hub, hub_browser, person  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def login(page, hub, name: str, notebook: str) -> None:
    """Log in; the hub starts the learner's server and then opens ``notebook`` from their copy."""
    target = quote(f"/hub/user-redirect/lab/tree/equitylab/{notebook}?reset", safe="")
    page.goto(f"{hub.url}/hub/login?next={target}")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")


def run_all(page, hub, name: str, notebook: str) -> None:
    """Wait for the learner's JupyterLab to show ``notebook`` (opened by the login's redirect),
    then run every cell."""
    try:
        page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=150_000, wait_until="commit")
    except Exception as exc:
        log = hub.server.log.read_text(errors="replace")[-4000:]
        raise AssertionError(f"{name}'s server did not open; the page is at {page.url}\nhub log:\n{log}") from exc
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=notebook)
    try:
        tab.wait_for(timeout=30_000)
    except Exception:  # Lab sometimes opens only the folder: open the notebook by its address
        page.goto(f"{hub.url}/user/{name}/lab/tree/equitylab/{notebook}")
        tab.wait_for(timeout=60_000)
    tab.click()
    page.wait_for_selector(".jp-StatusBar-TextItem >> text=/Idle/", timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()


def join(page, team: str) -> None:
    box = page.locator('.jp-OutputArea-output input[placeholder="e.g. Hackney CMHT"]')
    box.wait_for(timeout=120_000)
    box.fill(team)
    page.get_by_role("button", name="Join team").click()
    page.wait_for_selector(f".jp-OutputArea-output >> text=You joined {team}")


def answer(page, label: str):
    area = page.locator(".widget-textarea", has_text=label).locator("textarea")
    area.wait_for()
    return area


def test_team_mates_answer_together_and_the_facilitator_sees_every_team(hub, person):
    people = {name: person() for name in ("alice", "bob", "carol", "fran")}
    notebooks = {"alice": "team_breakout.ipynb", "bob": "team_breakout.ipynb", "carol": "team_breakout.ipynb",
                 "fran": "facilitator.ipynb"}
    for name, page in people.items():
        login(page, hub, name, notebooks[name])  # the four servers start side by side
    alice, bob, carol, fran = people.values()
    for name in ("alice", "bob", "carol"):
        run_all(people[name], hub, name, notebooks[name])
        # the hub gave each learner the curriculum and a work folder of their own
        assert (hub.homes / name / "equitylab" / "00_start_here.ipynb").exists()
        assert (hub.homes / name / "equitylab" / "my-work").is_dir()

    join(alice, "Team Alpha")
    join(bob, "Team Alpha")
    join(carol, "Team Beta")

    # both team-mates have the form open on the same version of the file, then answer at once
    topic, why = answer(alice, "Topic"), answer(bob, "Why it matters")
    topic.fill("Access to talking therapies for older Bangladeshi women")
    why.fill("They are referred half as often as their share of the population")
    topic.press("Tab")
    why.press("Tab")
    answer(carol, "Topic").fill("Waits for an interpreter at the memory clinic")
    answer(carol, "Topic").press("Tab")
    for page in (alice, bob, carol):
        page.wait_for_selector(".jp-OutputArea-output >> text=/Saved \\d\\d:\\d\\d/")

    alpha = cohort.team_project_path(hub.cohort, "Team Alpha")
    deadline = time.monotonic() + 30
    while True:
        saved = Project.load(alpha)
        if (saved.topic and saved.why_it_matters) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert saved.topic == "Access to talking therapies for older Bangladeshi women"
    assert saved.why_it_matters == "They are referred half as often as their share of the population"
    assert {t.name: t.learners for t in cohort.teams(hub.cohort)} == {
        "Team Alpha": ["alice", "bob"], "Team Beta": ["carol"]}
    # the learners' own folders hold no team answers
    assert not list((hub.homes / "alice" / "equitylab" / "my-work").glob("*.yaml"))

    run_all(fran, hub, "fran", "facilitator.ipynb")
    table = fran.locator(".jp-OutputArea-output table.equitylab-cohort")
    table.wait_for(timeout=120_000)
    text = table.inner_text()
    assert "Team Alpha" in text and "Team Beta" in text and "alice, bob" in text
    assert "Access to talking therapies for older Bangladeshi women" in text
    assert "Waits for an interpreter at the memory clinic" in text

    fran.get_by_role("button", name="Export summary").click()
    fran.wait_for_selector(".jp-OutputArea-output >> text=Summary written to")
    summary = (hub.cohort / "cohort_summary.html").read_text(encoding="utf-8")
    assert "Team Alpha" in summary and "Waits for an interpreter at the memory clinic" in summary
    for page in people.values():
        assert page.guard.blocked == []  # nothing left this machine


def test_stopping_the_hub_stops_every_process_it_started(hub):
    started = [p for p in hub.server.children() if p.is_running()]
    names = " ".join(" ".join(p.cmdline()) for p in started)
    assert "configurable-http-proxy" in names and "jupyterhub.singleuser" in names and "ipykernel" in names
    hub.server.proc.terminate()  # as an administrator would: the hub must stop what it started
    hub.server.proc.wait(60)
    _gone, alive = psutil.wait_procs(started, timeout=20)
    assert not alive, f"still running after the hub stopped: {[' '.join(p.cmdline())[:80] for p in alive]}"
