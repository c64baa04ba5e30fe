"""Reading YAML that someone else may have written: bounded in size, aliases and nesting.

``yaml.safe_load`` builds no Python objects it should not, but it will happily read a
"billion laughs" file: a 1 KB document whose aliases expand to billions of items, which then
takes minutes and all the memory of whatever walks it. On a hub, the facilitator's view reads
every team's file, so one bad file must not stop it. :func:`check` walks the parser's
events (libyaml when installed, no objects built) and refuses a document that is too big, has
more aliases than a person would write, or nests deeper than a project file ever does; then
:func:`load` builds it with the safe loader.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ProjectFileError

MAX_BYTES = 4_000_000  # a project file with years of weekly data points is well under 1 MB
MAX_ALIASES = 20  # equitylab writes none; a person might reuse a block or two
MAX_DEPTH = 32  # a project file nests six deep

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ten times faster when present

_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def check(text: str, *, file: str | None = None, what: str = "The file", max_bytes: int = MAX_BYTES,
          max_aliases: int = MAX_ALIASES, max_depth: int = MAX_DEPTH) -> None:
    """Refuse, with a :class:`ProjectFileError` in words, YAML too big, with too many aliases or too deep.

    A syntax error is left to the caller (it is raised as ``yaml.YAMLError`` with its line).
    """
    if len(text) > max_bytes:
        raise too_big(len(text), file=file, what=what, max_bytes=max_bytes)
    aliases = depth = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > max_depth:
                raise ProjectFileError(f"{what} nests more than {max_depth} levels deep, so it is not read",
                                       file=file, line=event.start_mark.line + 1,
                                       hint="Restore a backup; equitylab never writes a file like this")
        elif isinstance(event, _CLOSE):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise ProjectFileError(f"{what} repeats blocks by reference (YAML aliases, '*name') more "
                                       f"than {max_aliases} times, so it is not read", file=file,
                                       line=event.start_mark.line + 1,
                                       hint="Restore a backup; equitylab never writes aliases")


def too_big(size: int, *, file: str | None, what: str, max_bytes: int = MAX_BYTES) -> ProjectFileError:
    return ProjectFileError(f"{what} is too big to be read safely ({size:,} bytes; the limit is {max_bytes:,})",
                            file=file, hint="Restore a backup, or split the data into a separate file")


def load(text: str, *, file: str | None = None, what: str = "The file", **limits):
    """:func:`check` the text, then parse it with the safe loader."""
    check(text, file=file, what=what, **limits)
    return yaml.load(text, Loader=LOADER)


def read(path, *, what: str = "The file", max_bytes: int = MAX_BYTES, **limits):
    """Read and :func:`load` a YAML file, refusing one over ``max_bytes`` before reading it all."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise too_big(size, file=str(path), what=what, max_bytes=max_bytes)
    return load(path.read_text(encoding="utf-8"), file=str(path), what=what, max_bytes=max_bytes, **limits)
