"""The shared shape of every exercise form: a VBox view over a project file.

The view only moves values between controls and the :class:`~equitylab.workbook.Project`;
saving is the store's job (:class:`~equitylab.workbook.store.AutoSaver`: after a pause, on blur,
or at once for an explicit "Add" button). The status label says "Saved 14:02".
"""
from __future__ import annotations

import threading
from html import escape
from pathlib import Path

import anywidget
import ipywidgets as w

from ..errors import EquityLabError
from ..workbook import Project
from ..workbook.autosave import AutoSaver
from ._style import FORM_CLASS, style_html

# JupyterLab's command-mode shortcuts (arrow keys move between cells, "r" makes a raw cell) would
# otherwise act on keys pressed in a form's drop-down lists. Lumino ignores shortcuts inside an
# element marked data-lm-suppress-shortcuts; ipywidgets cannot set attributes, so this tiny widget
# marks the form it sits in once the browser has drawn it (and names each group of radio buttons).
_KEY_GUARD_ESM = """
const ATTR = 'data-lm-suppress-shortcuts';
// Lumino checks the attribute from the focused element upwards and stops at the first element a
// shortcut's selector matches (e.g. ':focus'), so the controls themselves must carry it.
function markAll(form) {
  form.setAttribute(ATTR, 'true');
  form.querySelectorAll('select, input, textarea, button').forEach((c) => c.setAttribute(ATTR, 'true'));
  // a set of radio buttons is one group, named by its label (WCAG 1.3.1): one Tab stop, and the
  // arrow keys choose within it, as in any web form (ipywidgets gives its radios no shared name)
  form.querySelectorAll('.widget-radio').forEach((group) => {
    const label = group.querySelector(':scope > .widget-label');
    const box = group.querySelector(':scope > .widget-radio-box');
    if (!box) { return; }
    if (!box.dataset.group) { box.dataset.group = 'equitylab-radio-' + Math.random().toString(36).slice(2); }
    box.querySelectorAll('input[type=radio]').forEach((r) => {
      if (r.name !== box.dataset.group) { r.name = box.dataset.group; }
    });
    if (label && label.textContent.trim()) {
      box.setAttribute('role', 'radiogroup');
      box.setAttribute('aria-label', label.textContent.trim());
    }
  });
}
function mark(el, tries) {
  const form = el.closest('.__FORM__');
  if (form) {
    markAll(form);
    new MutationObserver(() => markAll(form)).observe(form, { childList: true, subtree: true });
    return;
  }
  if (tries > 0) { setTimeout(() => mark(el, tries - 1), 100); }
}
export default { render({ el }) { el.style.display = 'none'; mark(el, 100); } };
""".replace("__FORM__", FORM_CLASS)


class KeyGuard(anywidget.AnyWidget):
    """Invisible: marks the form around it so JupyterLab's shortcuts leave its keys alone."""

    _esm = _KEY_GUARD_ESM


def _key_guard() -> KeyGuard:
    return KeyGuard()


WIDE = w.Layout(width="100%")
# each label sits above its box (see _style.py), so no description width is set here
STYLE: dict = {}


def text(description: str, *, placeholder: str = "", multiline: bool = False, live: bool = False,
         rows: int = 3, tooltip: str = "") -> w.Widget:
    """A labelled text box; ``live`` updates the model on each keystroke (saving still waits)."""
    cls = w.Textarea if multiline else w.Text
    kwargs = {"rows": rows} if multiline else {}
    return cls(value="", description=description, placeholder=placeholder, continuous_update=live,
               layout=WIDE, style=STYLE, tooltip=tooltip or description, **kwargs)


def dropdown(description: str, options, value=None) -> w.Dropdown:
    options = list(options)
    first = options[0][1] if options and isinstance(options[0], tuple) else (options[0] if options else None)
    return w.Dropdown(options=options, value=value if value is not None else first, description=description,
                      layout=WIDE, style=STYLE)


def button(description: str, fn, *, style: str = "") -> w.Button:
    b = w.Button(description=description, button_style=style, tooltip=description,
                 layout=w.Layout(width="auto"))
    b.on_click(lambda _b: fn())
    return b


def lines(value: str) -> list[str]:
    return [x.strip() for x in value.splitlines() if x.strip()]


def number(value: str) -> float | None:
    value = (value or "").strip().replace(",", "").rstrip("%")
    if not value:
        return None
    return float(value)


def fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


class ProjectForm(w.VBox):
    """Base class: loads the project file, builds controls, saves through an AutoSaver.

    Parameters
    ----------
    project_path : path of the team's project file (created if it does not exist)
    wait : seconds of quiet before an automatic save (0 saves at once)
    """

    heading = "Project"
    intro = ""

    def __init__(self, project_path, *, wait: float = 1.5, timer=threading.Timer, **kwargs):
        self.path = Path(project_path)
        if self.path.exists():
            self.project = Project.load(self.path)
        else:
            self.project = Project.new(title=self.path.stem.replace("_", " "))
            self.project.save(self.path)
        self.controls: dict[str, w.Widget] = {}
        self._filling = False
        self.saver = AutoSaver(self.project, self.path, wait=wait, timer=timer,
                               on_saved=self._saved, on_error=self._failed)
        self.status = w.Label(value="Not saved yet")
        self.message = w.HTML(value="")
        self.save_button = button("Save now", self.save)
        body = self.build()
        self.refresh()
        header = [w.HTML(style_html()), w.HTML(f"<h2>{self.heading}</h2>")]
        if self.intro:
            header.append(w.HTML(f"<p>{self.intro}</p>"))
        footer = w.HBox([self.save_button, self.status])
        super().__init__(children=[*header, *body, self.message, footer, _key_guard()], **kwargs)
        self.add_class(FORM_CLASS)

    # subclasses: build() returns the controls; fill() copies the project into them
    def build(self) -> list[w.Widget]:
        raise NotImplementedError

    def fill(self) -> None:
        """Copy the project into the controls (without triggering saves)."""

    def refresh(self) -> None:
        """Show the project's current values (after a load or a merge) without saving."""
        before, self._filling = self._filling, True
        try:
            self.fill()
        finally:
            self._filling = before

    def bind(self, name: str, control: w.Widget, setter) -> w.Widget:
        """Register ``control`` and call ``setter(value)`` on the project whenever it changes."""
        self.controls[name] = control

        def changed(change):
            if self._filling:
                return
            try:
                with self.saver.lock:
                    setter(change["new"])
            except (ValueError, EquityLabError) as exc:
                self.say(str(exc), error=True)
                return
            self.after_change()
            self.saver.changed()
            self.show_status()

        control.observe(changed, names="value")
        return control

    def after_change(self) -> None:
        """Hook for live feedback (aim checker, team mix)."""

    def edit(self, fn) -> bool:
        """Run an explicit action (an "Add" button) on the project and save at once."""
        try:
            with self.saver.lock:
                fn()
        except (ValueError, KeyError, EquityLabError) as exc:
            self.say(str(exc).strip("'\""), error=True)
            return False
        self.say("")
        self.saver.changed()
        self.saver.flush()
        self.refresh()
        self.after_change()
        return True

    def save(self) -> None:
        """Save now if anything is waiting (also bound to the "Save now" button)."""
        if self.saver.debouncer.pending:
            self.saver.flush()
        elif self.saver.last is None or self.saver.error is not None:
            self.saver.save_now()  # the first save, or another try after one that failed
        self.show_status()

    def show_status(self) -> None:
        """The label beside "Save now": "Saved 14:02", "Saving…", or "Not saved" when the reason is
        already written out in words above it (not twice)."""
        self.status.value = "Not saved: see the message above" if self.saver.error else self.saver.status()

    def say(self, message: str, *, error: bool = False) -> None:
        """Show ``message`` in the form; an error is announced at once to screen readers (role=alert)."""
        if not message:
            self.message.value = ""
        elif error:
            self.message.value = f'<div class="equitylab-message error" role="alert">{escape(message)}</div>'
        else:
            self.message.value = f'<div class="equitylab-message" role="status">{escape(message)}</div>'

    def _saved(self, result) -> None:
        self.show_status()
        # a save that went through clears the last one's failure; its notes (a team-mate's answer, a
        # backup not kept) are said instead
        notes = result.notes() if result is not None else []
        self.say(" ".join(notes), error=bool(result and result.backup_problem))
        self.refresh()

    def _failed(self, exc) -> None:
        self.show_status()
        self.say(str(exc), error=True)

