"""``equitylab forms PROJECT.yaml``: the exercise forms in a web page, with no code to see or run.

Service users, carers and anyone else who would rather not meet a notebook fill in the same
forms the notebooks show (:mod:`equitylab.widgets`), saved into the same project file by the
same store. Voilà serves a small notebook shipped in the package (``forms_app.ipynb``) with its
code hidden; the page template (``_jupyter/voila/templates/equitylab``) loads nothing from the internet.

Each browser tab gets its own kernel, so several people can fill in forms at once: the store
merges their answers field by field under a file lock.
"""
from __future__ import annotations

import argparse
import os
import sys
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as w

from ..errors import DataError
from ..workbook import Project
from . import FORM_NAMES, FORM_TITLES
from . import form as make_form

HERE = Path(__file__).resolve().parent
APP = HERE / "forms_app.ipynb"
TEMPLATES = HERE / "_jupyter"  # a JUPYTER_PATH entry holding voila/templates/equitylab/
TEMPLATE = "equitylab"
ENV_PROJECT = "EQUITYLAB_FORMS_PROJECT"
ENV_FORM = "EQUITYLAB_FORMS_FORM"
DEFAULT_PORT = 8866
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def anchor(name: str) -> str:
    """The id of a form's place on the page (for the contents links)."""
    return f"equitylab-form-{name}"


def chosen_form(query_string: str | None = None, default: str | None = None) -> str | None:
    """The form asked for by ``?form=NAME`` in the page address, else ``default`` (None: all forms)."""
    query = parse_qs(query_string if query_string is not None else os.environ.get("QUERY_STRING", ""))
    return (query.get("form") or [default or os.environ.get(ENV_FORM) or None])[0]


def forms_page(project_path=None, form: str | None = None, *, wait: float = 1.5):
    """The whole page as one widget: a heading, how saving works, a contents list and the forms.

    Parameters
    ----------
    project_path : the team's project file; default ``$EQUITYLAB_FORMS_PROJECT`` (set by ``main``)
    form : show only this form (one of ``FORM_NAMES``); default ``?form=`` in the address or all
    wait : seconds of quiet before an automatic save
    """
    path = Path(project_path or os.environ.get(ENV_PROJECT) or "")
    if not str(path) or str(path) == ".":
        raise DataError("No project file was given to the forms page",
                        hint="Start it with: equitylab forms PROJECT.yaml")
    name = form if form is not None else chosen_form()
    names = [name] if name else list(FORM_NAMES)
    if name and name not in FORM_NAMES:
        raise DataError(f"There is no form called '{name}'", hint="Use one of: " + ", ".join(FORM_NAMES))
    forms = [make_form(n, path, wait=wait) for n in names]
    title = forms[0].project.title or "your project"

    head = [w.HTML(f"<h1>Forms for {escape(title)}</h1>"),
            w.HTML("<p>Type your answers in the boxes. You do not need to write any code. Your answers "
                   "are saved in the project file <code>" + escape(path.name) + "</code> a moment after "
                   "you stop typing, or straight away when you press <b>Save now</b>. Several people can "
                   "use these forms at the same time: everyone's answers are kept.</p>")]
    if len(names) > 1:
        items = "".join(f'<li><a href="#{anchor(n)}">{escape(FORM_TITLES[n])}</a></li>' for n in names)
        head.append(w.HTML(f'<nav aria-label="Forms on this page"><p>The forms on this page:</p>'
                           f"<ol>{items}</ol></nav>"))
    body = []
    for n, f in zip(names, forms):
        f.add_class("equitylab-form")
        body += [w.HTML(f'<hr id="{anchor(n)}">'), f]
    page = w.VBox(head + body, layout=w.Layout(max_width="60rem", width="100%"))
    page.forms = dict(zip(names, forms))
    return page


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="equitylab forms",
        description="Open the exercise forms in your web browser, with no code, saving to PROJECT.yaml.")
    p.add_argument("project", metavar="PROJECT.yaml", help="the team's project file (created if missing)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--form", choices=FORM_NAMES, metavar="NAME",
                   help="show only this form: " + ", ".join(FORM_NAMES))
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only; another address asks "
                        "for the printed token, so only people you give the link to can open it)")
    return p


def voila_args(*, port: int, no_browser: bool, ip: str) -> list[str]:
    """Voilà's command line for the forms page (exposed for tests)."""
    args = [str(APP), f"--port={port}", f"--Voila.ip={ip}", f"--template={TEMPLATE}", "--theme=light",
            "--strip_sources=True", "--show_tracebacks=False", "--Voila.port_retries=0"]
    if no_browser:
        args.append("--no-browser")
    if ip not in LOOPBACK:
        args.append("--token")
    return args


def prepare(project: str | os.PathLike) -> Path:
    """Check (or create) the project file before serving, so a broken file is reported at once."""
    path = Path(project).expanduser().resolve()
    if path.exists():
        Project.load(path)  # raises ProjectFileError with the line and a fix
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        Project.new(title=path.stem.replace("_", " ")).save(path)
        print(f"equitylab forms: created a new project file {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    """Serve the forms until stopped (Ctrl+C)."""
    args = _parser().parse_args(argv)
    try:
        from voila.app import Voila  # optional (the forms extra) and heavy: only serving needs it
    except ImportError:
        print("equitylab forms: the forms server needs Voilà. Install it with: pip install 'equitylab[forms]'",
              file=sys.stderr)
        return 2
    path = prepare(args.project)
    # the kernels Voilà starts inherit these, and find the project file and template through them
    os.environ[ENV_PROJECT] = str(path)
    if args.form:
        os.environ[ENV_FORM] = args.form
    else:
        os.environ.pop(ENV_FORM, None)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        x for x in (str(TEMPLATES), os.environ.get("JUPYTER_PATH", "")) if x)
    print(f"equitylab forms: saving to {path}\nOpen http://{args.ip}:{args.port}/ (Ctrl+C stops the server).",
          flush=True)
    Voila.launch_instance(argv=voila_args(port=args.port, no_browser=args.no_browser, ip=args.ip))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
