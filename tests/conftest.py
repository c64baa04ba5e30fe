"""Fixtures shared by the browser tests (tests/browser) and the JupyterHub tests (tests/hub).

One Playwright driver and one headless Chromium serve the whole run: Playwright's sync API
cannot be started twice in one thread, so the two suites must not each start their own.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "browser"))

from browser_helpers import ARTIFACTS, AXE, CHROMIUM, NetworkGuard, unavailable  # noqa: E402


def _missing() -> str:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is not installed")
    if not AXE.exists():
        problems.append(f"axe-core is missing ({AXE})")
    return "; ".join(problems)


@pytest.fixture(scope="session")
def browser_ready():
    problem = _missing()
    if problem:
        unavailable(f"browser tests cannot run: {problem}. Run .ci/install-browser.sh and pip install -e '.[test]'.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return True


@pytest.fixture(scope="session")
def chromium(browser_ready):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
              "--disable-component-update", "--no-first-run"])
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh browser contexts (one per person), each behind a network guard."""
    contexts = []

    def make(timeout: int = 60_000, **context_options):
        options = {"viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce", **context_options}
        context = chromium.new_context(**options)
        guard = NetworkGuard()
        context.route("**/*", guard)
        context.set_default_timeout(timeout)
        contexts.append(context)
        page = context.new_page()
        page.guard = guard
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session", params=["E08000003", "E09000012"])
def curriculum_run(request, tmp_path_factory):
    """(area, folder, records): every curriculum notebook executed headless for the area, in order,
    once a session for Manchester and Hackney (about a minute each)."""
    from equitylab.curriculum import run_curriculum

    out = tmp_path_factory.mktemp(f"curriculum-{request.param}")
    records = run_curriculum(out, area_code=request.param, log=lambda *_: None)
    return request.param, out, records
