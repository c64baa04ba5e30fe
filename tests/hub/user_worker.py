"""One learner's process on a shared server, run as that system user by tests/hub/real_users.py.

Reads one JSON action a line on stdin, does it with the user's own uid and groups, and writes one
JSON answer a line on stdout. Run as a script (under ``setpriv``) or called in a forked child.
"""
from __future__ import annotations

import errno
import getpass
import json
import os
import sys
from pathlib import Path

from equitylab import cohort
from equitylab.errors import EquityLabError
from equitylab.workbook import Project, store
from equitylab.workbook.autosave import AutoSaver


def _set(project, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    target = project
    for name in parents:
        target = getattr(target, name)
    setattr(target, last, value)


def _os_error(exc: OSError) -> dict:
    return {"ok": False, "errno": errno.errorcode.get(exc.errno, str(exc.errno))}


def do(state: dict, action: list):
    kind, args = action[0], action[1:]
    if kind == "whoami":
        return {"uid": os.getuid(), "user": getpass.getuser(), "groups": sorted(os.getgroups())}
    if kind in ("read", "write", "create", "list", "open_lock"):
        path = Path(args[0])
        try:
            if kind == "read":
                path.read_bytes()
            elif kind == "write":
                with open(path, "ab"):
                    pass
            elif kind == "create":
                path.write_text("x", encoding="utf-8")
            elif kind == "list":
                os.listdir(path)
            else:
                os.close(os.open(path, os.O_RDWR))
        except OSError as exc:
            return _os_error(exc)
        return {"ok": True}
    if kind == "mkdir":
        Path(args[0]).mkdir()
        os.chmod(args[0], int(args[1], 8))
        return {"ok": True}
    if kind == "load":
        try:
            state["project"] = Project.load(args[0])
        except EquityLabError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True}
    if kind == "set":
        _set(state["project"], args[0], args[1])
        return {"ok": True}
    if kind == "save":
        saver = state.setdefault("saver", {}).get(args[0])
        if saver is None:
            errors = state.setdefault("errors", [])
            saver = AutoSaver(state["project"], args[0], wait=0, lock_timeout=float(args[1]),
                              on_error=lambda exc: errors.append(str(exc)))
            state["saver"][args[0]] = saver
        result = saver.save_now()
        return {"ok": result is not None, "status": saver.status(), "errors": list(state["errors"]),
                "conflicts": result.conflicts if result else [], "replaced": result.replaced if result else [],
                "backup_problem": result.backup_problem if result else "", "notes": result.notes() if result else []}
    if kind == "loop":
        path, field, prefix, n = args
        errors = []
        for i in range(int(n)):
            try:
                project = Project.load(path)
                _set(project, field, f"{prefix} {i}")
                result = store.save(project, path, lock_timeout=60)
                if result.backup_problem:
                    errors.append(result.backup_problem)
            except EquityLabError as exc:
                errors.append(str(exc))
        return {"ok": not errors, "errors": errors[:3]}
    if kind == "get":
        project = Project.load(args[0])
        value = project
        for name in args[1].split("."):
            value = getattr(value, name)
        return {"ok": True, "value": value}
    if kind == "gather":
        try:
            df = cohort.gather(args[0])
        except EquityLabError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "teams": {r.team: {"topic": r.topic, "problem": r.problem} for r in df.itertuples()}}
    if kind == "summary":
        try:
            return {"ok": True, "path": str(cohort.summary_html(args[0], cohort.summary_folder(args[0]) / "s.html"))}
        except OSError as exc:
            return _os_error(exc)
    if kind == "project_for":
        found = cohort.project_for(cohort_dir=args[0])
        return {"ok": True, "path": str(found) if found else None}
    raise ValueError(f"unknown action {kind}")


def serve(inp, out) -> None:
    state: dict = {}
    for line in inp:
        action = json.loads(line)
        if action[0] == "exit":
            break
        try:
            answer = do(state, action)
        except Exception as exc:  # noqa: BLE001  (the test reads it: a bare exception is a failure to report)
            answer = {"ok": False, "exception": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
