"""Real system users for the cohort tests: made with ``useradd``, removed afterwards, run with their own uid.

CI runs as root, so these tests create users (and the cohort's groups) under a prefix unique to
this run and delete them at the end. A user's process is started with
``setpriv --reuid U --regid G --init-groups python user_worker.py`` when that user can run this
Python; when they cannot (the interpreter lives under a folder only root may enter, as with pyenv in
/root), a forked child makes the same calls setpriv makes (initgroups, setresgid, setresuid)
before it does anything. Either way the kernel checks every read and write against that user.
"""
from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORKER = HERE / "user_worker.py"
PREFIX = f"elt{os.getpid() % 100000}"  # users and groups of this run only; everything under it is removed


def why_not() -> str:
    """Why real-user tests cannot run here ('' if they can)."""
    if sys.platform != "linux":
        return "real-user tests need Linux (POSIX groups, ACLs, setpriv)"
    if os.geteuid() != 0:
        return "real-user tests need root to create users with useradd (CI runs as root: .ci/run)"
    missing = [c for c in ("useradd", "userdel", "groupadd", "groupdel", "gpasswd", "setpriv") if not shutil.which(c)]
    if missing:
        return f"real-user tests need {', '.join(missing)} (the passwd and util-linux packages)"
    return ""


def _setpriv_works(login: str) -> bool:
    """Can ``login`` run this Python with equitylab? (Not if it is under a folder only root may enter.)"""
    entry = pwd.getpwnam(login)
    done = subprocess.run(
        ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", sys.executable, "-c",
         "import yaml, filelock, pandas, equitylab.cohort"], env=_env(login), cwd="/", capture_output=True, check=False)
    return done.returncode == 0


def _env(login: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EQUITYLAB_", "JUPYTERHUB_"))}
    env.update({"USER": login, "LOGNAME": login, "HOME": "/", "PYTHONPATH": os.pathsep.join(
        [str(REPO), str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])})
    return env


class Person:
    """A process running as one system user, answering actions (see user_worker.do)."""

    def __init__(self, login: str, use_setpriv: bool):
        self.login = login
        entry = pwd.getpwnam(login)
        if use_setpriv:
            self.proc = subprocess.Popen(
                ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
                 sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                env=_env(login), cwd="/")
            self.inp, self.out, self.pid = self.proc.stdout, self.proc.stdin, None
            return
        import user_worker  # imported before the fork: the child may not read this folder

        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: become the user, then serve
            code = 1
            try:
                os.close(from_parent)
                os.close(to_parent)
                os.setgroups(os.getgrouplist(login, entry.pw_gid))
                os.setresgid(entry.pw_gid, entry.pw_gid, entry.pw_gid)
                os.setresuid(entry.pw_uid, entry.pw_uid, entry.pw_uid)
                os.umask(0o022)
                os.environ.clear()
                os.environ.update(_env(login))
                os.chdir("/")
                user_worker.serve(os.fdopen(to_child, "r"), os.fdopen(from_child, "w"))
                code = 0
            finally:
                os._exit(code)
        os.close(to_child)
        os.close(from_child)
        self.proc, self.pid = None, pid
        self.inp, self.out = os.fdopen(to_parent, "r"), os.fdopen(from_parent, "w")

    def send(self, *action) -> None:
        self.out.write(json.dumps(list(action)) + "\n")
        self.out.flush()

    def receive(self) -> dict:
        line = self.inp.readline()
        assert line, f"{self.login}'s process ended without answering"
        return json.loads(line)

    def __call__(self, *action) -> dict:
        self.send(*action)
        return self.receive()

    def close(self) -> None:
        try:
            self.send("exit")
        except (BrokenPipeError, ValueError):
            pass
        if self.proc is not None:
            self.proc.wait(60)
        else:
            os.waitpid(self.pid, 0)


class Users:
    """Creates system users named <prefix>-<name>; ``as_(name)`` starts a process as one of them."""

    def __init__(self):
        self.made: list[str] = []
        self.people: list[Person] = []
        self.use_setpriv: bool | None = None

    def login(self, name: str) -> str:
        return f"{PREFIX}-{name}"

    def make(self, *names: str) -> None:
        for name in names:
            login = self.login(name)
            subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", login],
                           check=True, capture_output=True)
            self.made.append(login)

    def as_(self, name: str) -> Person:
        login = self.login(name)
        if self.use_setpriv is None:
            self.use_setpriv = _setpriv_works(login)
        person = Person(login, self.use_setpriv)
        self.people.append(person)
        return person

    def clean(self) -> None:
        for person in self.people:
            person.close()
        for login in self.made:
            subprocess.run(["userdel", login], capture_output=True, check=False)
        for group in grp.getgrall():
            if group.gr_name.startswith(PREFIX + "-"):
                subprocess.run(["groupdel", group.gr_name], capture_output=True, check=False)


@pytest.fixture(scope="module")
def users():
    reason = why_not()
    if reason:
        pytest.skip(reason)
    made = Users()
    try:
        yield made
    finally:
        made.clean()


@pytest.fixture
def cohort_dir():
    """A cohort folder under /tmp whose parent any user may pass through (pytest's own tmp folders are 0700)."""
    base = Path(tempfile.mkdtemp(prefix="equitylab-cohort-", dir="/tmp"))
    os.chmod(base, 0o711)
    try:
        yield base / "cohort"
    finally:
        shutil.rmtree(base, ignore_errors=True)
