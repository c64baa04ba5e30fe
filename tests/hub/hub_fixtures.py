"""Fixtures for the JupyterHub test (imported by the test module; not a conftest.py, so it cannot
shadow the browser tests' conftest when the whole suite is collected): a hub on 127.0.0.1 with the dummy authenticator and
per-user homes under a temporary folder, and Debian's Chromium driven by Playwright.

Reuses the browser tests' helpers (servers on 127.0.0.1, the network guard). When ``CI`` is
set, anything missing fails the test (run ``deploy/install-hub-test-deps.sh``); elsewhere the
test is skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from browser_helpers import CHROMIUM, Server, free_port, unavailable  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CONFIG = REPO / "deploy" / "jupyterhub_config.py"
PASSWORD = "cohort-test-password"
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": False},
}
# a small notebook for the breakout: join a team, then the breakout form over the team's file
BREAKOUT_CELLS = [
    "from IPython.display import display\n"
    "import ipywidgets as w\n"
    "from equitylab.widgets import form\n"
    "from equitylab.widgets.cohort import join_team_form",
    "out = w.Output()\n"
    "def joined(path):\n"
    "    with out:\n"
    "        out.clear_output()\n"
    "        display(form('breakout', path, wait=0))\n"
    "display(join_team_form('', on_joined=joined), out)",
]


def chp_command() -> str | None:
    local = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else shutil.which("configurable-http-proxy")


def _missing() -> str:
    problems = []
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        problems.append("JupyterHub is not installed (pip install -e '.[hub]')")
    if chp_command() is None:
        problems.append("configurable-http-proxy is missing (deploy/install-hub-test-deps.sh)")
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (.ci/install-browser.sh)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is not installed")
    return "; ".join(problems)


def _notebook(cells: list[str]) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    return nbformat.writes(nb)


class Hub:
    def __init__(self, server: Server, url: str, root: Path):
        self.server, self.url, self.root = server, url, root
        self.password = PASSWORD
        self.cohort = root / "cohort"
        self.homes = root / "homes"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    problem = _missing()
    if problem:
        unavailable(f"the hub test cannot run: {problem}")
    root = tmp_path_factory.mktemp("hub")
    for name in ("state", "homes", "cohort", "curriculum", "lab-settings", "jupyter-runtime", "cache", "jcfg"):
        (root / name).mkdir()
    # the learners' servers load only what the session needs: quicker to start on a busy machine
    (root / "jcfg" / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {
        "voila.server_extension": False, "jupyter_lsp": False, "jupyterlab_jupytext": False}}}), encoding="utf-8")
    shutil.copy(REPO / "notebooks" / "facilitator.ipynb", root / "curriculum")
    shutil.copy(REPO / "notebooks" / "00_start_here.ipynb", root / "curriculum")
    (root / "curriculum" / "team_breakout.ipynb").write_text(_notebook(BREAKOUT_CELLS), encoding="utf-8")
    (root / "lab-settings" / "overrides.json").write_text(json.dumps(LAB_SETTINGS), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "EQUITYLAB_"))}
    env.update({
        "EQUITYLAB_AUTH": "dummy", "EQUITYLAB_DUMMY_PASSWORD": PASSWORD, "EQUITYLAB_SPAWNER": "simple",
        "EQUITYLAB_HUB_HOMES": str(root / "homes"), "EQUITYLAB_COHORT_DIR": str(root / "cohort"),
        "EQUITYLAB_CURRICULUM": str(root / "curriculum"), "EQUITYLAB_FACILITATORS": "fran",
        "EQUITYLAB_ALLOWED_USERS": "alice,bob,carol",
        "EQUITYLAB_LAB_SETTINGS": str(root / "lab-settings"), "EQUITYLAB_HUB_IP": "127.0.0.1",
        "EQUITYLAB_HUB_PORT": str(port), "EQUITYLAB_HUB_API_PORT": str(free_port()),
        "EQUITYLAB_PROXY_API_PORT": str(free_port()), "EQUITYLAB_PROXY_COMMAND": chp_command(),
        "EQUITYLAB_HUB_STATE": str(root / "state"), "EQUITYLAB_CACHE_DIR": str(root / "cache"),
        "JUPYTER_RUNTIME_DIR": str(root / "jupyter-runtime"),
        "JUPYTER_CONFIG_DIR": str(root / "jcfg"), "EQUITYLAB_STRICT": "1",
    })
    url = f"http://127.0.0.1:{port}"
    server = Server([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], env=env, cwd=root / "state",
                    log=root / "hub.log", ready_url=f"{url}/hub/api/", timeout=90)
    yield Hub(server, url, root)
    server.stop(grace=30)
    artifacts = REPO / "test-artifacts" / "hub"  # the hub's log, kept for reading after a failure
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "hub.log", artifacts / "hub.log")


@pytest.fixture(scope="module")
def hub_browser(hub, chromium):
    """The run's shared Chromium (tests/conftest.py), once the hub is up."""
    return chromium


@pytest.fixture
def person(hub_browser, new_page):
    """A separate browser context per person (their own hub cookie), only 127.0.0.1 reachable."""
    return lambda: new_page(timeout=90_000)
