"""``equitylab cohort ...``: put learners in teams on a hub, as root; each team is a POSIX group.

  sudo equitylab cohort add /srv/equitylab/cohort --team "Hackney CMHT" --user jupyter-alice
  sudo equitylab cohort add /srv/equitylab/cohort --facilitator --user jupyter-fran
  sudo equitylab cohort move /srv/equitylab/cohort --team "Tower Hamlets IAPT" --user jupyter-alice
  sudo equitylab cohort remove /srv/equitylab/cohort --user jupyter-alice
  sudo equitylab cohort repair /srv/equitylab/cohort
  equitylab cohort list /srv/equitylab/cohort

LOGIN is the system user name (on The Littlest JupyterHub, ``jupyter-<hub name>``). A learner's
new groups take effect when their server starts; ``--restart`` asks the hub to stop a running
server (needs ``JUPYTERHUB_API_URL`` and a ``JUPYTERHUB_API_TOKEN`` allowed to stop servers).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

from ..cohort_admin import Cohort, read_registry
from ..errors import DataError, EquityLabError

HUB_USER_PREFIX = "jupyter-"  # TLJH names a hub user's system account jupyter-<name>


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equitylab cohort", description=__doc__.split("\n\n")[0].split(":", 1)[1].strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="put a learner in a team (creating it), or make them a facilitator")
    move = sub.add_parser("move", help="move a learner to another team")
    remove = sub.add_parser("remove", help="take a learner out of the cohort")
    repair = sub.add_parser("repair", help="set every team folder's group, mode and ACL again")
    show = sub.add_parser("list", help="show the teams and who is in each")
    for p in (add, move, remove, repair, show):
        p.add_argument("dir", help="the cohort folder, e.g. /srv/equitylab/cohort")
    for p in (add, move, remove, repair):
        p.add_argument("--prefix", default=None, help="start of the group names (default equitylab, or "
                                                      "EQUITYLAB_GROUP_PREFIX)")
    for p in (add, move, remove):
        p.add_argument("--user", required=True, help="the system user name (TLJH: jupyter-<hub name>)")
        p.add_argument("--restart", action="store_true", help="ask the hub to stop the user's running server")
    add.add_argument("--team", help="the team's name, as people say it")
    add.add_argument("--facilitator", action="store_true", help="reads every team's file and writes none")
    move.add_argument("--team", required=True, help="the team to move to")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except EquityLabError as exc:
        print(f"equitylab cohort: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    if args.action == "list":
        registry = read_registry(args.dir)
        for key, team in sorted(registry.teams.items(), key=lambda kv: kv[1]["name"].lower()):
            print(f"{team['name']}  (teams/{key}, group {team['group'] or '-'}): {', '.join(team['learners']) or '-'}")
        print(f"Facilitators: {', '.join(registry.facilitators) or '-'}")
        return 0
    cohort = Cohort(args.dir, args.prefix)
    if args.action == "repair":
        print(cohort.repair().text())
        return 0
    if args.action == "add":
        if bool(args.team) == bool(args.facilitator):
            raise DataError("Give either --team NAME or --facilitator")
        change = cohort.add(args.user, args.team, facilitator=args.facilitator)
    elif args.action == "move":
        change = cohort.move(args.user, args.team)
    else:
        change = cohort.remove(args.user)
    if args.restart and change.restart:
        for login in change.restart:
            print(stop_server(login))
        change.restart = []
    print(change.text())
    return 0


def stop_server(login: str) -> str:
    """Ask the hub to stop ``login``'s server, so their next start has their new groups; returns what happened."""
    url, token = os.environ.get("JUPYTERHUB_API_URL", ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not (url and token):
        return (f"{login}: not restarted (set JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN to let this command stop "
                "servers); restart it from the hub's Control Panel.")
    name = login.removeprefix(HUB_USER_PREFIX)
    request = urllib.request.Request(f"{url.rstrip('/')}/users/{quote(name)}/server", method="DELETE",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # the hub's own API
            status = response.status
    except urllib.error.HTTPError as exc:
        if exc.code == 400:  # not running
            return f"{login}: their server is not running; the change applies when it starts."
        detail = json.loads(exc.read() or b"{}").get("message", "") if exc.code else ""
        return f"{login}: the hub refused to stop their server ({exc.code} {detail}); restart it from the Control Panel."
    except OSError as exc:
        return f"{login}: the hub could not be reached ({exc}); restart their server from the Control Panel."
    return f"{login}: their server was stopped (hub answered {status}); the change applies when they start it again."


if __name__ == "__main__":
    raise SystemExit(main())
