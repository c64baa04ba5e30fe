"""How the forms look, in JupyterLab and on the code-free forms page alike.

ipywidgets draws a description beside its box in a fixed 28-pixel row, cuts long labels off
with "…", squeezes radio buttons into a box sized for fewer options, and draws buttons as
flat grey text. These rules, scoped to the forms, put each label above its box and let it
wrap (WCAG 1.4.4 resize text, 1.4.10 reflow), show every option whole, and draw buttons as
buttons with a visible focus ring (WCAG 2.4.7, 2.4.11), in colours of at least 4.5:1 (text)
and 3:1 (edges) on white. Each form carries the rules in a ``<style>`` element, since
ipywidgets offers no other way to style a widget in both places.
"""
from __future__ import annotations

FORM_CLASS = "equitylab-form"

_CSS = """
.F { box-sizing: border-box; max-width: 100%; min-width: 0; font-size: 1rem; line-height: 1.45;
     color: #1a1a1a; overflow: visible; }
.F * { box-sizing: border-box; }
.F .widget-html-content, .F .widget-label, .F label, .F .widget-html { font-size: 1rem !important; }
.F h2 { font-size: 1.4rem; margin: 0.4em 0 0.3em; line-height: 1.25; }
.F h3 { font-size: 1.1rem; margin: 1em 0 0.3em; line-height: 1.3; }
.F p, .F li { max-width: 70ch; }
/* a label above its box, wrapping onto as many lines as it needs */
.F .widget-inline-hbox { flex-wrap: wrap; height: auto !important; min-height: 0; min-width: 0 !important;
    align-items: flex-start; margin: 0.3em 0 0.6em; max-width: 100%; }
.F .widget-inline-hbox > .widget-label, .F .widget-radio > .widget-label { flex: 0 0 100%; width: 100% !important; max-width: 100%;
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
    height: auto !important; line-height: 1.35 !important; text-align: left !important;
    margin: 0 0 0.25em 0 !important; padding: 0; font-weight: 600; color: #1a1a1a; }
.F .widget-inline-hbox > input, .F .widget-inline-hbox > select, .F .widget-inline-hbox > textarea {
    flex: 1 1 100%; width: 100%; max-width: 100%; min-width: 0; font: inherit; font-size: 1rem;
    height: auto !important; min-height: 2.5em; padding: 0.35em 0.5em; color: #1a1a1a;
    background-color: #fff; border: 2px solid #6b6b6b; border-radius: 4px; }
.F .widget-inline-hbox > textarea { line-height: 1.4; }
.F .widget-inline-hbox > select { text-overflow: ellipsis; padding-right: 2em; cursor: pointer; }
.F input[type="date"] { flex: 0 1 13em !important; width: 13em !important; }
.F input[type="number"] { flex: 0 1 8em !important; width: 8em !important; }
/* radio buttons: every option shown whole, one a line, the text wrapping beside its circle */
.F .widget-radio { height: auto !important; width: 100% !important; display: flex; flex-wrap: wrap;
    margin: 0.3em 0 0.6em; }
.F .widget-radio-box { height: auto !important; margin: 0 !important; padding: 0 !important;
    flex: 1 1 100%; display: flex; flex-direction: column; gap: 0.35em; }
.F .widget-radio-box label { display: flex !important; align-items: flex-start; gap: 0.5em;
    height: auto !important; line-height: 1.35 !important; white-space: normal !important;
    overflow: visible !important; padding: 0.15em 0; font-size: 1rem; }
.F .widget-radio-box label input { order: -1; }
.F input[type="radio"], .F input[type="checkbox"] { flex: 0 0 auto; width: 1.25em; height: 1.25em;
    min-height: 0; margin: 0.05em 0 0 0 !important; accent-color: #1d4ed8; }
.F .widget-checkbox { height: auto !important; width: 100% !important; margin: 0.3em 0 0.6em; }
.F .widget-checkbox label { display: flex !important; align-items: flex-start; gap: 0.5em;
    white-space: normal !important; overflow: visible !important; height: auto !important;
    line-height: 1.35 !important; width: auto !important; }
/* buttons that look and behave like buttons (a real <button>: Enter and Space press it) */
.F .widget-button.jupyter-button { font: inherit; font-size: 1rem; font-weight: 600; line-height: 1.25;
    height: auto !important; min-height: 2.75em; width: auto; max-width: 100%; white-space: normal;
    align-self: flex-start; margin: 0.4em 0.75em 0.6em 0; padding: 0.45em 1.1em; cursor: pointer; color: #1a1a1a;
    background: #ffffff; border: 2px solid #1a1a1a !important; border-radius: 6px;
    box-shadow: 0 2px 0 #1a1a1a; }
.F .widget-button.jupyter-button:hover:enabled { background: #e8e8e8; }
.F .widget-button.jupyter-button.mod-primary { color: #ffffff; background: #1d4ed8;
    border-color: #1e3a8a !important; box-shadow: 0 2px 0 #1e3a8a; }
.F .widget-button.jupyter-button.mod-primary:hover:enabled { background: #1e40af; }
.F .widget-button.jupyter-button:active:enabled { transform: translateY(2px); box-shadow: none; }
.F .widget-button.jupyter-button:disabled { opacity: 0.55; cursor: not-allowed; }
/* a ring on whatever has the keyboard's focus */
.F :is(input, select, textarea, button, summary, a):focus,
.F .widget-button.jupyter-button:focus:enabled {
    outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.F :is(input, select, textarea):focus { border-color: #1a1a1a; }
.F .widget-hbox { flex-wrap: wrap; align-items: center; gap: 0 1em; height: auto; max-width: 100%; }
.F .widget-hbox > .widget-inline-hbox { flex: 1 1 16em; }
.F .widget-html, .F .widget-html-content { height: auto; max-width: 100%; min-width: 0;
    white-space: normal; overflow-wrap: anywhere; line-height: 1.45; }
.F .widget-html-content svg { display: block; max-width: 100%; height: auto; }
.F .equitylab-diagram { overflow-x: auto; max-width: 100%; }
.F .equitylab-diagram svg { min-width: 40rem; }
.F .widget-html-content table { border-collapse: collapse; display: block; max-width: 100%; overflow-x: auto; }
.F .widget-html-content :is(td, th) { border: 1px solid #9a9a9a; padding: 0.2em 0.5em; text-align: left; }
.F .equitylab-message { margin: 0.5em 0; padding: 0.5em 0.75em; border-left: 6px solid #1b5e20;
    background: #eef6ee; color: #1a1a1a; }
.F .equitylab-message.error { border-left-color: #b00020; background: #fdecee; }
.F .widget-label:not(.widget-inline-hbox > .widget-label) { white-space: normal; overflow: visible;
    height: auto; line-height: 1.35; }
"""

FORM_CSS = _CSS.replace(".F", "." + FORM_CLASS)


def style_html() -> str:
    """The forms' rules as a ``<style>`` element for an HTML widget."""
    return f"<style>{FORM_CSS}</style>"
