"""PDF beside the HTML: the page printed by a Chromium browser (Chrome, Edge or Chromium).

The report and the project on a page are HTML with print CSS (A4 portrait, page breaks, tables
that wrap); a browser is the one engine that lays them out as a reader who prints them sees them.
Playwright drives the browser over a pipe: Debian's ``/usr/bin/chromium``, Chrome or Edge as
installed, or ``EQUITYLAB_CHROMIUM``. Nothing is downloaded, and the page may not fetch anything
but itself. With no browser, :class:`PdfUnavailable` says so in words and no PDF is written.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import EquityLabError

# Chromium will not start as root (a container, CI) inside its sandbox; the page it opens is ours, offline
SANDBOX = ["--no-sandbox"] if getattr(os, "geteuid", lambda: 1)() == 0 else []
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge", "msedge")
CHANNELS = ("chrome", "msedge")  # Playwright finds these where Windows and macOS install them


class PdfUnavailable(EquityLabError):
    """No browser to print with: the HTML is written, the PDF is not."""


def _why_not(reason: str) -> PdfUnavailable:
    return PdfUnavailable(f"No PDF was written: {reason}. Open the HTML file in a browser and print it to PDF "
                          "(A4, portrait), or install the Python package playwright and Chrome, Edge or Chromium.")


def _launch(pw):
    """The first browser found: EQUITYLAB_CHROMIUM, one on the PATH, then Chrome or Edge where installed."""
    found = [os.environ.get("EQUITYLAB_CHROMIUM")] + [shutil.which(name) for name in BROWSERS]
    for option in [{"executable_path": p} for p in found if p and Path(p).exists()] + [{"channel": c} for c in CHANNELS]:
        try:
            return pw.chromium.launch(headless=True, args=SANDBOX, **option)
        except Exception:  # noqa: BLE001, S112 - not this browser; try the next
            continue
    raise _why_not("no Chrome, Edge or Chromium browser was found")


def _print(sync_playwright, html_path: Path, pdf_path: Path) -> None:
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page()  # that may fetch nothing but the page itself
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()


def html_to_pdf(html_path, pdf_path) -> Path:
    """Print ``html_path`` to ``pdf_path`` as the browser prints it (its ``@page`` size and margins).

    Raises :class:`PdfUnavailable`, with what to do instead, when Playwright or a browser is missing.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    pdf_path.unlink(missing_ok=True)  # never leave an earlier run's PDF beside a newer page
    try:
        from playwright.sync_api import sync_playwright  # optional, and heavy: only printing a PDF needs it
    except ImportError:
        raise _why_not("the Python package playwright is not installed") from None
    # in its own thread: Playwright's synchronous API cannot run where an event loop runs (a notebook)
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(_print, sync_playwright, html_path, pdf_path).result()
        except PdfUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - a browser that crashed or timed out: say so, no traceback
            raise _why_not(f"the browser could not print the page ({type(exc).__name__})") from None
    return pdf_path
