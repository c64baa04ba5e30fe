"""Turning the project file's YAML into dataclasses and back, with errors that name the line.

The file is plain YAML a person can read and edit. When a hand edit breaks it, the error
names the line and the field (``measures[1].data[0].numerator``), never a silent reset.
Old files are brought up to date by the functions in ``MIGRATIONS``.
"""
from __future__ import annotations

import dataclasses
import functools
import types
import typing
from datetime import date, datetime

import yaml

from .. import safe_yaml
from ..errors import ProjectFileError
from . import model  # model imports this module too: its names are read at call time, as model.X

_LOADER = safe_yaml.LOADER
_DUMPER_BASE = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# schema_version n -> function turning a version-n dict into a version-(n+1) dict
MIGRATIONS: dict[int, typing.Callable[[dict], dict]] = {}


def migrate(data: dict, *, file: str | None = None) -> dict:
    """Bring a raw project dict up to the current schema version."""
    version = data.get("schema_version", model.SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectFileError("schema_version must be a whole number", file=file, field="schema_version",
                               hint=f"Use schema_version: {model.SCHEMA_VERSION}")
    if version > model.SCHEMA_VERSION:
        raise ProjectFileError(f"This project file was written by a newer equitylab (schema version {version}; "
                               f"this one reads up to {model.SCHEMA_VERSION})", file=file, field="schema_version",
                               hint="Update equitylab with pip install --upgrade equitylab")
    while version < model.SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ProjectFileError(f"No way to update a schema version {version} file", file=file,
                                   field="schema_version")
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    return data


def to_data(obj):
    """Dataclasses to plain dicts/lists in field order (dates stay dates, private fields dropped)."""
    if dataclasses.is_dataclass(obj):
        names = [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
        # ids and the schema version read best at the top of their block
        names.sort(key=lambda n: n not in ("id", "schema_version"))
        return {n: to_data(getattr(obj, n)) for n in names}
    if isinstance(obj, list):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    return obj


def line_map(text: str) -> dict[tuple, int]:
    """Map each key path in a YAML document to its 1-based line number."""
    lines: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return lines

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = key.value
                lines[path + (k,)] = key.start_mark.line + 1
                walk(value, path + (k,))
                lines[path + (k,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return lines


class LazyLines(dict):
    """A line map built only when an error needs it (composing the YAML twice costs time)."""

    def __init__(self, text: str):
        super().__init__()
        self.text, self.built = text, False

    def _build(self):
        if not self.built:
            self.update(line_map(self.text))
            self.built = True

    def __contains__(self, key):
        self._build()
        return super().__contains__(key)

    def __getitem__(self, key):
        self._build()
        return super().__getitem__(key)


def parse_text(text: str, *, file: str | None = None) -> tuple[dict, dict]:
    """Parse YAML text into (raw dict, line map); syntax errors name the line."""
    try:
        data = safe_yaml.load(text, file=file, what="The project file")  # bounded: size, aliases, depth
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if line is not None:  # an unclosed bracket is reported at the end of the file: name the last line
            line = max(1, min(line, len(text.splitlines())))
        field = _key_above(text, line)
        raise ProjectFileError(
            f"The project file is not valid YAML: {exc.problem or 'it cannot be read'}",
            file=file, line=line, field=field,
            hint="Check the indentation and that text containing a colon is in quotes, "
                 "or restore the last good version with 'equitylab project restore'") from None
    except yaml.YAMLError as exc:
        raise ProjectFileError(f"The project file is not valid YAML: {exc}", file=file) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProjectFileError("The project file should be a list of 'field: value' lines", file=file, line=1,
                               hint="Start again from 'equitylab project new' or restore a backup")
    return data, LazyLines(text)


def _key_above(text: str, line: int | None) -> str | None:
    """The nearest 'key:' at or above a broken line, to name the field a person was editing."""
    if not line:
        return None
    rows = text.splitlines()
    for row in reversed(rows[: min(line, len(rows))]):
        stripped = row.strip().lstrip("- ")
        if ":" in stripped and not stripped.startswith("#"):
            return stripped.split(":", 1)[0].strip() or None
    return None


def project_from_data(data: dict, *, file: str | None = None, lines: dict | None = None) -> model.Project:
    """Build a :class:`Project` from a raw dict, checking every field's type."""
    data = migrate(data, file=file)
    return _Builder(file, lines if lines is not None else {}).build(model.Project, data, ())


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top)"


@functools.cache
def _fields_of(cls):
    hints = typing.get_type_hints(cls, vars(model))
    return hints, {f.name: f for f in dataclasses.fields(cls) if not f.name.startswith("_")}


class _Builder:
    def __init__(self, file, lines):
        self.file, self.lines = file, lines

    def fail(self, problem, path, hint=None):
        line = None
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                line = self.lines[path[:cut]]
                break
        raise ProjectFileError(problem, file=self.file, line=line, field=_dotted(path), hint=hint)

    def build(self, cls, data, path):
        if not isinstance(data, dict):
            self.fail(f"Expected a group of 'field: value' lines here, found {_kind(data)}", path)
        hints, known = _fields_of(cls)
        unknown = [k for k in data if k not in known]
        if unknown:
            self.fail(f"'{unknown[0]}' is not a field equitylab knows here", path + (unknown[0],),
                      hint="Known fields: " + ", ".join(known))
        kwargs = {}
        for name, f in known.items():
            if name not in data:
                continue
            value = self.convert(hints[name], data[name], path + (name,))
            choices = f.metadata.get("choices")
            if choices is not None and value not in choices:
                shown = ", ".join(repr(c) if c is not None else "blank" for c in choices)
                self.fail(f"{value!r} is not one of the allowed values", path + (name,), hint=f"Use one of {shown}")
            kwargs[name] = value
        return cls(**kwargs)

    def convert(self, tp, value, path):
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if value is None:
                return None
            return self.convert(args[0] if len(args) == 1 else float, value, path)
        if origin is list:
            (item_tp,) = typing.get_args(tp)
            if value is None:
                return []
            if not isinstance(value, list):
                if item_tp is str and isinstance(value, str):
                    return [value] if value else []
                self.fail(f"Expected a list (lines starting with '- '), found {_kind(value)}", path)
            return [self.convert(item_tp, v, path + (i,)) for i, v in enumerate(value)]
        if dataclasses.is_dataclass(tp):
            if value is None:
                return tp()
            return self.build(tp, value, path)
        if tp is str:
            if value is None:
                return ""
            if isinstance(value, bool):
                self.fail("Expected text, found yes/no", path, hint="Put the text in quotes")
            if isinstance(value, (date, datetime)):
                return value.isoformat()
            if isinstance(value, (int, float)):
                return str(value)
            if not isinstance(value, str):
                self.fail(f"Expected text, found {_kind(value)}", path)
            return value
        if tp is bool:
            if not isinstance(value, bool):
                self.fail(f"Expected true or false, found {_kind(value)}", path, hint="Write true or false")
            return value
        if tp in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                if isinstance(value, str):
                    try:
                        return tp(value.replace(",", ""))
                    except ValueError:
                        pass
                self.fail(f"Expected a number, found {_kind(value)}", path, hint="Write digits only, e.g. 42 or 3.5")
            if tp is int and float(value) != int(value):
                self.fail("Expected a whole number", path)
            return tp(value)
        if tp is date:
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value.strip())
                except ValueError:
                    pass
            self.fail(f"Expected a date written as YYYY-MM-DD, found {_kind(value)}", path,
                      hint="For example 2025-03-31")
        raise TypeError(f"unsupported field type {tp!r}")  # a bug in the model, not the file


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text" if value else "empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


class _Dumper(_DUMPER_BASE):
    def ignore_aliases(self, data):  # never write '&anchor'/'*alias': the reader refuses files full of them
        return True


def _str_presenter(dumper, value):
    style = "|" if "\n" in value and value == value.strip("\n") + ("\n" if value.endswith("\n") else "") \
        and all(c.isprintable() or c == "\n" for c in value) and not any(
            line != line.rstrip() for line in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


HEADER = ("# equitylab project file: one team's improvement project.\n"
          "# You can edit this by hand; keep the indentation. Backups are in the folder beside it.\n")


def dump_text(data: dict) -> str:
    """The YAML text of a raw project dict (field order kept, multi-line text as blocks)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=100)
    return HEADER + body
