"""PDF beside the HTML: the page printed as a reader's own browser prints it.

The equity report and the project on a page are HTML with print CSS (A4 portrait, margins, page
breaks, tables that wrap); a browser is the one engine that lays that out as the reader who prints
it sees it. (resvg, in vl-convert, draws SVG only; WeasyPrint needs Pango, which a Windows laptop
lacks.) Playwright drives a Chromium already installed (``EQUITYLAB_CHROMIUM``, one on the PATH, or
Chrome or Edge) over a pipe: nothing is downloaded, and the page may fetch nothing but itself.

This module sits beside ``errors`` at the bottom of the layers, so the report runner and the
project on a page (findings) can share it. Playwright is optional (``pip install equitylab[pdf]``).
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import EquityLabError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "microsoft-edge", "msedge")
CHANNELS = ("chrome", "msedge")  # Playwright finds these where Windows and macOS install them
SANDBOX = ["--no-sandbox"] if getattr(os, "geteuid", lambda: 1)() == 0 else []  # root (CI) cannot sandbox


class PdfUnavailable(EquityLabError):
    """No browser to print with: the HTML is written, the PDF is not."""


def _print(sync_playwright, html: Path, pdf: Path) -> None:
    found = [os.environ.get("EQUITYLAB_CHROMIUM")] + [shutil.which(name) for name in BROWSERS]
    options = [{"executable_path": p} for p in found if p and Path(p).exists()] + [{"channel": c} for c in CHANNELS]
    with sync_playwright() as pw:
        for option in options:
            try:
                browser = pw.chromium.launch(args=SANDBOX, **option)
                break
            except Exception:  # noqa: BLE001, S112 - not this browser; try the next
                continue
        else:
            raise PdfUnavailable("no Chrome, Edge or Chromium browser was found")
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)


def html_to_pdf(html_path, pdf_path) -> Path:
    """Print ``html_path`` to ``pdf_path``; :class:`PdfUnavailable` says why not, and what to do instead."""
    html, pdf = Path(html_path), Path(pdf_path)
    pdf.unlink(missing_ok=True)  # never an earlier run's PDF beside a newer page
    try:
        from playwright.sync_api import sync_playwright  # optional, and heavy: only a PDF needs it

        with ThreadPoolExecutor(1) as pool:  # its own thread: Playwright's sync API fails under a notebook's loop
            pool.submit(_print, sync_playwright, html, pdf).result()
    except Exception as exc:  # noqa: BLE001 - no Playwright, no browser, or one that failed: words, not a traceback
        why = ("the Python package playwright is not installed" if isinstance(exc, ImportError) else str(exc)
               if isinstance(exc, PdfUnavailable) else f"the browser could not print the page ({type(exc).__name__})")
        raise PdfUnavailable(f"No PDF was written: {why}. Open the HTML file in a browser and print it to PDF (A4, "
                             "portrait), or install the Python package playwright and Chrome, Edge or Chromium.") from None
    return pdf
