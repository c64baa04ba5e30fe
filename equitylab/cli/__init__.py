"""The ``equitylab`` command.

Each sub-command lives beside the layer it serves and is imported only when used, so
``equitylab --help`` stays fast:

- ``equitylab data ...``      loaders (snapshot, live refresh)
- ``equitylab project ...``   the team's project file
- ``equitylab cohort ...``    teams on a hub, each a POSIX group (root)
- ``equitylab report ...``    papermill reports, one or a batch
- ``equitylab forms FILE``    the code-free forms
- ``equitylab curriculum``    run every curriculum notebook headless into a folder
- ``equitylab check``         is this machine ready for a session?
"""
from __future__ import annotations

import importlib
import sys

from .. import __version__
from ..errors import EquityLabError

COMMANDS = {
    "data": ("equitylab.loaders.refresh", "fetch, list or check population data"),
    "project": ("equitylab.cli.project", "create, show, export or restore a team's project file"),
    "cohort": ("equitylab.cli.cohort", "put learners in teams on a hub (root): add, move, remove, repair, list"),
    "report": ("equitylab.reports.cli", "build equity reports for an area or a batch"),
    "forms": ("equitylab.widgets.serve", "serve the exercise forms without code"),
    "curriculum": ("equitylab.curriculum", "run the curriculum notebooks headless into a folder"),
    "check": ("equitylab.check", "check that this machine has what a session needs"),
}

USAGE = "usage: equitylab COMMAND [options]\n\ncommands:\n" + "\n".join(
    f"  {name:<11} {text}" for name, (_, text) in COMMANDS.items()
) + "\n\nRun 'equitylab COMMAND --help' for a command's options."


def main(argv: list[str] | None = None) -> int:
    """Entry point: dispatch to a sub-command; turn equitylab errors into plain messages."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv[0] == "--version":
        print(__version__)
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"equitylab: unknown command '{name}'.\n\n{USAGE}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except EquityLabError as exc:
        print(f"equitylab {name}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("equitylab: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
