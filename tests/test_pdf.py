"""The PDF beside a report: with no browser, or no Playwright, a message that says what to do and
no PDF (never a traceback). Printing itself is checked in Chromium by tests/browser/test_report_pdf.py."""
import sys

import pytest

from equitylab import pdf
from equitylab.errors import EquityLabError


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("<!DOCTYPE html><html><body><h1>Report</h1></body></html>", encoding="utf-8")
    stale = tmp_path / "report.pdf"
    stale.write_bytes(b"%PDF- an earlier run's")
    return path, stale


def test_no_browser_is_a_plain_message_and_no_pdf(page, monkeypatch):
    pytest.importorskip("playwright")
    html, target = page
    monkeypatch.delenv("EQUITYLAB_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf, "BROWSERS", ())
    monkeypatch.setattr(pdf, "CHANNELS", ())
    with pytest.raises(pdf.PdfUnavailable) as caught:
        pdf.html_to_pdf(html, target)
    assert isinstance(caught.value, EquityLabError)
    assert "no Chrome, Edge or Chromium browser was found" in str(caught.value)
    assert "print it to PDF" in str(caught.value)
    assert not target.exists(), "an earlier run's PDF was left beside the new page"


def test_no_playwright_is_a_plain_message(page, monkeypatch):
    html, target = page
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(pdf.PdfUnavailable, match="playwright is not installed"):
        pdf.html_to_pdf(html, target)
    assert not target.exists()
