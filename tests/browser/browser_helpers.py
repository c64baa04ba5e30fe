"""Helpers for the browser tests: servers on 127.0.0.1, a network guard, axe-core and focus checks."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("EQUITYLAB_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# hosts that would mean a chart or page needs the internet
CDN_WORDS = ("jsdelivr", "unpkg", "cdnjs", "googleapis", "fontawesome", "cloudflare", "vega.github.io")


def unavailable(message: str) -> None:
    """A missing browser or hub tool: a failure in CI (which installs them), a skip elsewhere."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"server at {url} not ready after {timeout:.0f} s; log:\n{log.read_text()[-3000:]}")


class Server:
    """A child process serving HTTP on 127.0.0.1, stopped with TERM and then KILL."""

    def __init__(self, cmd: list[str], *, env: dict, cwd: Path, log: Path, ready_url: str, timeout=90.0):
        self.log = log
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_for_http(ready_url, self.proc, log, timeout)
        except Exception:
            self.stop()
            raise

    def children(self) -> list:
        try:
            import psutil

            return psutil.Process(self.proc.pid).children(recursive=True)
        except Exception:
            return []

    def stop(self, grace: float = 10.0) -> None:
        """TERM the server (it shuts its kernels down), then KILL it and any child still running."""
        kids = self.children()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for kid in kids:
            try:
                kid.wait(2)
            except Exception:
                try:
                    kid.kill()
                except Exception:
                    pass
        self._log.close()


class NetworkGuard:
    """Let only 127.0.0.1 (and data:, blob:, file:) through; remember every other request the page tried."""

    def __init__(self):
        self.blocked: list[str] = []

    def __call__(self, route):
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about", "file") or parsed.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def cdn_requests(self) -> list[str]:
        return [u for u in self.blocked if any(w in u for w in CDN_WORDS)]


def run_axe(page, context: str | None = None, *, exclude: list[str] | None = None) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page (or inside the ``context`` selector)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    ctx = {"include": [[context]] if context else [["html"]]}
    if exclude:
        ctx["exclude"] = [[e] for e in exclude]
    result = page.evaluate(
        """async ([ctx, tags]) => {
            const r = await axe.run(ctx, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, tags: v.tags,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, html: n.html.slice(0, 200),
                                                     summary: n.failureSummary}))}));
        }""",
        [ctx, AA_TAGS],
    )
    return result


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)[:6000]


FOCUS_STYLE_JS = """(el) => {
    const s = getComputedStyle(el);
    return {outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
            outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
            boxShadow: s.boxShadow, border: s.borderTopColor + ' ' + s.borderTopWidth,
            background: s.backgroundColor};
}"""


def focus_indicator(page, handle) -> dict:
    """How a control looks with and without focus; ``visible`` when focus changes how it is drawn."""
    focused = page.evaluate(FOCUS_STYLE_JS, handle)
    page.evaluate("(el) => el.blur()", handle)
    blurred = page.evaluate(FOCUS_STYLE_JS, handle)
    page.evaluate("(el) => el.focus()", handle)
    ring = (focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0) or focused["boxShadow"] != "none"
    changed = any(focused[k] != blurred[k] for k in ("outline", "boxShadow", "border", "background"))
    return {"focused": focused, "blurred": blurred, "ring": ring, "visible": changed and (
        ring or focused["border"] != blurred["border"] or focused["background"] != blurred["background"])}


def no_horizontal_scroll(page) -> tuple[bool, int, int]:
    sw, cw = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return sw <= cw, sw, cw


def wait_for_file_text(path: Path, *texts: str, timeout: float = 30.0) -> str:
    """Poll the project file until it holds every one of ``texts``; return its content."""
    deadline = time.monotonic() + timeout
    content = ""
    while time.monotonic() < deadline:
        content = path.read_text(encoding="utf-8") if path.exists() else ""
        if all(t in content for t in texts):
            return content
        time.sleep(0.25)
    missing = [t for t in texts if t not in content]
    raise AssertionError(f"{path} did not get {missing} within {timeout:.0f} s; it holds:\n{content[:3000]}")
