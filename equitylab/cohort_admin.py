"""The boundary between teams on one server: a POSIX group per team, set by the hub (root), never by learners.

A managed cohort folder (made by ``equitylab cohort add``, run as root)::

    <cohort>/                   root:<prefix>-cohort        2750  members of the cohort may enter
    <cohort>/cohort.yaml        root:<prefix>-cohort        0640  who is in which team; only root writes it
    <cohort>/teams/             root:<prefix>-cohort        2750
    <cohort>/teams/<slug>/      root:<team group>           2770  the team reads and writes; nobody else
        project.yaml            <saver>:<team group>        0660
        project.yaml.backups/   <creator>:<team group>      2770
    <cohort>/facilitator/       root:<prefix>-facilitators  2770  the facilitator's exports

The facilitators' group reads every team's folder through a POSIX ACL (``group:<prefix>-facilitators:r-x``,
inherited by new files as read-only) and writes none. A user outside the cohort cannot enter the
folder at all. Nothing in it is readable or writable by "other".

Group membership takes effect when a learner's server (their processes) starts: after ``add`` or
``move`` that learner's server must restart, and the command says so. This module needs only the
standard library, PyYAML, filelock and the workbook (no pandas), so the hub's own environment can import it.
"""
from __future__ import annotations

import grp
import hashlib
import os
import pwd
import re
import struct
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from filelock import FileLock, Timeout

from . import safe_yaml
from .errors import DataError, ProjectFileError
from .workbook.model import Project
from .workbook.store import atomic_write

REGISTRY = "cohort.yaml"
TEAMS = "teams"
PROJECT = "project.yaml"
FACILITATOR_FOLDER = "facilitator"
DEFAULT_PREFIX = "equitylab"
LOCK_TIMEOUT = 30.0

# POSIX ACL as Linux stores it in the system.posix_acl_* extended attributes (see acl(5), xattr(7))
_ACL_VERSION = 2
_USER_OBJ, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x04, 0x08, 0x10, 0x20
_UNDEFINED_ID = 0xFFFFFFFF


def normalise(team_name: str) -> str:
    """The identity of a team name: Unicode NFKC, case-folded, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", str(team_name)).casefold().split())


def slug(team_name: str) -> str:
    """The folder of a team: a readable part (Unicode letters kept) plus a short hash of the name.

    "Team A" -> "team-a-1b2c3d"; "team-a" and "TEAM_A!!" get other hashes, so different names never
    share a folder; "Ünïcødé" keeps its letters. Names differing only in case or spacing are one team.
    """
    key = normalise(team_name)
    readable = re.sub(r"[\W_]+", "-", key).strip("-")[:40].strip("-")
    if not readable:
        raise DataError("A team name needs at least one letter or digit",
                        hint="Type your team's name, for example 'Hackney CMHT'")
    return f"{readable}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:6]}"


def team_group(team_slug: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The POSIX group of a team (at most 32 characters, ASCII, as groupadd needs)."""
    digest = team_slug.rsplit("-", 1)[-1]
    ascii_part = re.sub(r"[^a-z0-9]+", "-", team_slug.rsplit("-", 1)[0].encode("ascii", "ignore").decode())
    ascii_part = ascii_part.strip("-")[: 31 - len(prefix) - len(digest) - 2].strip("-")
    return f"{prefix}-{ascii_part}-{digest}" if ascii_part else f"{prefix}-{digest}"


@dataclass
class Registry:
    """Who is in which team (``cohort.yaml``). ``managed`` cohorts are changed only by ``equitylab cohort``."""

    teams: dict = field(default_factory=dict)  # slug -> {"name", "learners", "group"}
    facilitators: list = field(default_factory=list)
    managed: bool = False
    prefix: str = DEFAULT_PREFIX

    def team_of(self, learner: str) -> str | None:
        return next((key for key, t in self.teams.items() if learner in t["learners"]), None)


def read_registry(folder: Path) -> Registry:
    """Read ``cohort.yaml`` (bounded: size, aliases, depth); a missing file is an empty cohort."""
    path = Path(folder) / REGISTRY
    try:
        data = safe_yaml.read(path, what="The cohort's list of teams") or {}
    except FileNotFoundError:
        return Registry()
    except PermissionError:
        raise ProjectFileError("You may not read the cohort's list of teams", file=str(path),
                               hint="Ask your facilitator to add you to the cohort, then restart your server") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProjectFileError("The cohort's list of teams cannot be read", file=str(path),
                               line=None if mark is None else mark.line + 1,
                               hint="Fix that line, or delete the file and add the teams again") from None
    teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(teams, dict):
        raise ProjectFileError("The cohort's list of teams has no 'teams:' section", file=str(path),
                               hint="Delete the file and add the teams again")
    out = Registry(managed=bool(data.get("managed")), prefix=str(data.get("prefix") or DEFAULT_PREFIX),
                   facilitators=[str(x) for x in (data.get("facilitators") or [])])
    for key, entry in teams.items():
        entry = entry if isinstance(entry, dict) else {}
        out.teams[str(key)] = {"name": str(entry.get("name") or key),
                               "learners": [str(x) for x in (entry.get("learners") or [])],
                               "group": str(entry.get("group") or "")}
    return out


def write_registry(folder: Path, registry: Registry, *, mode: int) -> None:
    data = {"managed": registry.managed, "prefix": registry.prefix, "facilitators": sorted(registry.facilitators),
            "teams": registry.teams}
    text = ("# equitylab cohort: which learner is in which team. Written by equitylab under a lock"
            + (" by 'equitylab cohort' (root) only" if registry.managed else "") + ".\n"
            + yaml.safe_dump(data, sort_keys=True, allow_unicode=True))
    atomic_write(folder / REGISTRY, text)
    os.chmod(folder / REGISTRY, mode)


def registry_lock(folder: Path, timeout: float = LOCK_TIMEOUT) -> FileLock:
    shared = folder.stat().st_mode & 0o020 if folder.exists() else 0
    return FileLock(str(folder / ".cohort.lock"), timeout=timeout, mode=0o660 if shared else 0o600)


# -- POSIX groups and ACLs (root) -------------------------------------------------------------

def _need_root(what: str) -> None:
    if os.geteuid() != 0:
        raise DataError(f"{what} needs root: it creates groups and sets who may read each team's folder",
                        hint="Run it with sudo on the hub's server (TLJH), or from the hub's own hook")


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DataError(f"'{' '.join(cmd)}' failed: {(done.stderr or done.stdout).strip()}",
                        hint="Check the user name (on TLJH it is jupyter-<hub name>)")


def ensure_group(name: str) -> int:
    """The gid of group ``name``, creating it (a system group) if it does not exist."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", "--system", name])
        return grp.getgrnam(name).gr_gid


def user_exists(login: str) -> bool:
    try:
        pwd.getpwnam(login)
    except KeyError:
        return False
    return True


def set_membership(login: str, group: str, member: bool) -> bool:
    """Put ``login`` in ``group`` or take them out; True if anything changed."""
    try:
        members = grp.getgrnam(group).gr_mem
    except KeyError:
        return False
    if member == (login in members):
        return False
    _run(["gpasswd", "--add" if member else "--delete", login, group])
    return True


def _acl(owner: int, group: int, other: int, named: dict[int, int]) -> bytes:
    entries = [(_USER_OBJ, owner, _UNDEFINED_ID), (_GROUP_OBJ, group, _UNDEFINED_ID)]
    entries += [(_GROUP, perm, gid) for gid, perm in sorted(named.items())]
    if named:
        entries.append((_MASK, group | max(named.values()), _UNDEFINED_ID))
    entries.append((_OTHER, other, _UNDEFINED_ID))
    return struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *e) for e in entries)


def grant_read(path: Path, gid: int) -> None:
    """Let group ``gid`` read ``path`` (and, for a folder, enter it and read what is made in it later)."""
    is_dir = path.is_dir()
    perm = 5 if is_dir else 4
    mode = path.stat().st_mode & 0o7777
    access = _acl((mode >> 6) & 7, (mode >> 3) & 7, mode & 7, {gid: perm})
    try:
        os.setxattr(path, "system.posix_acl_access", access)
        if is_dir:
            os.setxattr(path, "system.posix_acl_default", _acl(7, 7, 0, {gid: 5}))
    except OSError as exc:
        raise DataError(f"Could not let the facilitators read {path} ({exc.strerror})",
                        hint="The cohort folder must be on a file system with POSIX ACLs (ext4, xfs; "
                             "NFS v4.2 with ACLs)") from None
    os.chmod(path, mode)  # the mode bits stay as set (setting an ACL may touch them)


def set_owner_mode(path: Path, gid: int, mode: int) -> None:
    os.chown(path, -1, gid)
    os.chmod(path, mode)


# -- the cohort folder --------------------------------------------------------------------------

@dataclass
class Change:
    """What a command did, in words, and whose server must restart for it to take effect."""

    said: list[str] = field(default_factory=list)
    restart: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = list(self.said)
        for login in self.restart:
            lines.append(f"{login}: the change takes effect when their server starts. If it is running, restart it "
                         "(hub Control Panel: Stop My Server, then Start My Server), or run this command with "
                         "--restart.")
        return "\n".join(lines)


class Cohort:
    """A managed cohort folder and its groups (every method needs root)."""

    def __init__(self, folder, prefix: str | None = None, *, lock_timeout: float = LOCK_TIMEOUT):
        self.folder = Path(folder).expanduser().resolve()
        self.lock_timeout = lock_timeout
        existing = read_registry(self.folder) if (self.folder / REGISTRY).exists() else None
        self.prefix = prefix or (existing.prefix if existing else None) or os.environ.get(
            "EQUITYLAB_GROUP_PREFIX", DEFAULT_PREFIX)
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,11}", self.prefix):
            raise DataError(f"'{self.prefix}' cannot start a group name",
                            hint="Use up to 12 lower-case letters, digits and hyphens, starting with a letter")
        self.cohort_group = f"{self.prefix}-cohort"
        self.facilitator_group = f"{self.prefix}-facilitators"

    def _change(self, fn) -> Change:
        _need_root("Changing a cohort's teams")
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            with registry_lock(self.folder, self.lock_timeout):
                registry = read_registry(self.folder)
                registry.managed, registry.prefix = True, self.prefix
                change = Change()
                fn(registry, change)
                self._lay_out(registry)
                write_registry(self.folder, registry, mode=0o640)
                os.chown(self.folder / REGISTRY, 0, grp.getgrnam(self.cohort_group).gr_gid)
        except Timeout:
            raise ProjectFileError("Another change to the cohort has held its list of teams for too long",
                                   file=str(self.folder / REGISTRY), hint="Wait a moment and try again") from None
        return change

    def _lay_out(self, registry: Registry) -> None:
        """Make every folder, group and permission the registry implies (safe to repeat)."""
        cohort_gid = ensure_group(self.cohort_group)
        fac_gid = ensure_group(self.facilitator_group)
        set_owner_mode(self.folder, cohort_gid, 0o2750)
        teams = self.folder / TEAMS
        teams.mkdir(exist_ok=True)
        set_owner_mode(teams, cohort_gid, 0o2750)
        exports = self.folder / FACILITATOR_FOLDER
        exports.mkdir(exist_ok=True)
        set_owner_mode(exports, fac_gid, 0o2770)
        lock = self.folder / ".cohort.lock"
        if lock.exists():
            set_owner_mode(lock, 0, 0o600)
        for key, team in registry.teams.items():
            team["group"] = team["group"] or team_group(key, self.prefix)
            gid = ensure_group(team["group"])
            self._lay_out_team(teams / key, team["name"], gid, fac_gid)

    def _lay_out_team(self, folder: Path, name: str, gid: int, fac_gid: int) -> None:
        folder.mkdir(exist_ok=True)
        set_owner_mode(folder, gid, 0o2770)
        grant_read(folder, fac_gid)
        project = folder / PROJECT
        if not project.exists():
            Project.new(title=name, team=name).save(project)
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                continue
            os.chown(path, -1, gid)
            os.chmod(path, 0o2770 if path.is_dir() else 0o660)
            grant_read(path, fac_gid)

    def add(self, login: str, team: str | None = None, *, facilitator: bool = False) -> Change:
        """Put ``login`` in ``team`` (creating the team), or make them a facilitator."""
        def change(registry: Registry, out: Change) -> None:
            if facilitator:
                if login not in registry.facilitators:
                    registry.facilitators.append(login)
                out.said.append(f"{login} is a facilitator: reads every team's file, writes none.")
                return
            if not team:
                raise DataError("Say which team with --team NAME (or --facilitator)")
            key = slug(team)
            current = registry.team_of(login)
            if current and current != key:
                raise DataError(f"{login} is already in team {registry.teams[current]['name']}",
                                hint="Use 'equitylab cohort move' to change their team")
            entry = registry.teams.setdefault(key, {"name": " ".join(str(team).split()), "learners": [],
                                                    "group": team_group(key, self.prefix)})
            if login not in entry["learners"]:
                entry["learners"].append(login)
            out.said.append(f"{login} is in team {entry['name']} (folder teams/{key}, group {entry['group']}).")

        out = self._change(change)
        out.restart += self.sync(login, out)
        return out

    def remove(self, login: str) -> Change:
        """Take ``login`` out of their team and out of the facilitators."""
        def change(registry: Registry, out: Change) -> None:
            for entry in registry.teams.values():
                if login in entry["learners"]:
                    entry["learners"].remove(login)
                    out.said.append(f"{login} left team {entry['name']}; the team's file is kept.")
            if login in registry.facilitators:
                registry.facilitators.remove(login)
                out.said.append(f"{login} is no longer a facilitator.")
            if not out.said:
                out.said.append(f"{login} was not in this cohort.")

        out = self._change(change)
        out.restart += self.sync(login, out)
        return out

    def move(self, login: str, team: str) -> Change:
        """Move ``login`` to ``team``: out of their old team's group, into the new one's."""
        def change(registry: Registry, out: Change) -> None:
            for entry in registry.teams.values():
                if login in entry["learners"]:
                    entry["learners"].remove(login)
            key = slug(team)
            entry = registry.teams.setdefault(key, {"name": " ".join(str(team).split()), "learners": [],
                                                    "group": team_group(key, self.prefix)})
            entry["learners"].append(login)
            out.said.append(f"{login} moved to team {entry['name']}; their old team's file stays with that team.")

        out = self._change(change)
        out.restart += self.sync(login, out)
        return out

    def sync(self, login: str, out: Change | None = None) -> list[str]:
        """Make ``login``'s groups match the registry; returns [login] if they changed (a restart is due)."""
        _need_root("Changing a learner's groups")
        registry = read_registry(self.folder)
        if not user_exists(login):
            if out is not None:
                out.said.append(f"There is no system user {login} yet: they join their groups when their server "
                                "first starts (the hub's hook does it).")
            return []
        mine = registry.team_of(login)
        changed = False
        for key, entry in registry.teams.items():
            changed |= set_membership(login, entry["group"] or team_group(key, registry.prefix), key == mine)
        is_facilitator = login in registry.facilitators
        changed |= set_membership(login, self.facilitator_group, is_facilitator)
        changed |= set_membership(login, self.cohort_group, bool(mine) or is_facilitator)
        return [login] if changed else []

    def groups_of(self, login: str) -> list[str]:
        """The groups the registry gives ``login`` (for a spawner that adds groups itself, as TLJH's does)."""
        registry = read_registry(self.folder)
        key = registry.team_of(login)
        out = []
        if key:
            out += [self.cohort_group, registry.teams[key]["group"] or team_group(key, registry.prefix)]
        if login in registry.facilitators:
            out += [self.cohort_group, self.facilitator_group]
        return sorted(set(out))

    def repair(self) -> Change:
        """Set every folder's and file's group, mode and ACL again (after a copy, or an old version's files)."""
        return self._change(lambda registry, out: out.said.append(
            f"Permissions set again for {len(registry.teams)} team(s) in {self.folder}."))


def check_no_world_access(folder) -> list[Path]:
    """Paths under ``folder`` (and itself) that anyone outside the cohort could read or write."""
    folder = Path(folder)
    bad = []
    for path in [folder, *folder.rglob("*")]:
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if not path.is_symlink() and mode & 0o006:
            bad.append(path)
    return bad


__all__ = ["Change", "Cohort", "Registry", "check_no_world_access", "normalise", "read_registry", "slug",
           "team_group"]
