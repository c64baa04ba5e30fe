"""The hub configuration file: each authenticator choice, and the pre-spawn hook that gives a learner
the curriculum (fast; no hub is started)."""
from __future__ import annotations

import asyncio
import logging
import os
import re
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from traitlets.config import Config, PyFileConfigLoader

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub_config.py"


def load(monkeypatch, **env) -> Config:
    for key in [k for k in os.environ if k.startswith("EQUITYLAB_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    loader = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent))
    return loader.load_config()


def test_a_trust_signs_in_with_entra_id_and_its_group(monkeypatch):
    c = load(monkeypatch, AAD_TENANT_ID="tenant", AAD_CLIENT_ID="app", AAD_CLIENT_SECRET="secret",
             EQUITYLAB_AAD_GROUP="equity-cohort-2026", EQUITYLAB_FACILITATORS="fran@nhs.net, sam@nhs.net")
    assert c.JupyterHub.authenticator_class == "azuread"
    assert c.AzureAdOAuthenticator.allowed_groups == {"equity-cohort-2026"}
    assert c.AzureAdOAuthenticator.allow_all is False and c.Authenticator.allow_all is False
    assert c.Spawner.default_url == "/lab/tree/equitylab/00_start_here.ipynb"
    assert c.Spawner.environment.get_value({})["EQUITYLAB_COHORT_DIR"] == "/srv/equitylab/cohort"


def test_user_names_are_the_whole_address_so_three_people_stay_three(monkeypatch):
    c = load(monkeypatch, AAD_TENANT_ID="tenant")
    name = c.AzureAdOAuthenticator.username_claim
    people = ["A.Smith@nhs.net", "a.smith@elft.nhs.uk", "a.smith@trust.onmicrosoft.com"]
    names = [name({"preferred_username": p, "oid": "x"}) for p in people]
    assert names == ["a.smith_nhs.net", "a.smith_elft.nhs.uk", "a.smith_trust.onmicrosoft.com"]
    assert name({"preferred_username": "A.SMITH@NHS.NET", "oid": "y"}) == "a.smith_nhs.net"  # one person
    odd = name({"preferred_username": "o'neil+qi@nhs.net", "oid": "z"})
    assert odd.startswith("o-neil-qi_nhs.net-") and odd != name({"preferred_username": "o-neil-qi@nhs.net"})
    assert name({"oid": "1234-ABCD"}) == "oid-1234-abcd"
    for n in [*names, odd]:  # valid system user names, as TLJH makes them (jupyter-<name>, at most 32)
        assert re.fullmatch(r"[a-z_][a-z0-9_.-]*", n)


def test_nobody_signs_in_unless_users_or_a_group_are_allowed(monkeypatch):
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    def signs_in(config, name):
        auth = SharedPasswordAuthenticator(config=config)
        login = auth.get_authenticated_user(None, {"username": name, "password": "a-long-password"})
        with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever else in this process runs one
            return pool.submit(asyncio.run, login).result() is not None

    c = load(monkeypatch, EQUITYLAB_AUTH="shared-password", EQUITYLAB_SHARED_PASSWORD="a-long-password")
    assert not signs_in(c, "alice") and not signs_in(c, "mallory")
    c = load(monkeypatch, EQUITYLAB_AUTH="shared-password", EQUITYLAB_SHARED_PASSWORD="a-long-password",
             EQUITYLAB_ALLOWED_USERS="alice,bob", EQUITYLAB_FACILITATORS="fran")
    assert signs_in(c, "alice") and signs_in(c, "fran") and not signs_in(c, "mallory")
    c = load(monkeypatch)  # Entra ID without a group or users
    assert c.AzureAdOAuthenticator.allow_all is False and "allowed_groups" not in c.AzureAdOAuthenticator
    assert "allowed_users" not in c.Authenticator
    c = load(monkeypatch, EQUITYLAB_AUTH="ldap", LDAP_SERVER="ldaps.trust.nhs.uk")
    assert c.LDAPAuthenticator.server_address == "ldaps.trust.nhs.uk" and c.LDAPAuthenticator.allow_all is False
    assert load(monkeypatch, EQUITYLAB_AUTH="dummy").JupyterHub.authenticator_class == "dummy"
    with pytest.raises(ValueError, match="EQUITYLAB_AUTH"):
        load(monkeypatch, EQUITYLAB_AUTH="passwordless")


def test_facilitators_get_a_role_to_see_the_room_not_admin_or_learners_servers(monkeypatch):
    c = load(monkeypatch, EQUITYLAB_FACILITATORS="fran,sam")
    (role,) = c.JupyterHub.load_roles
    assert role["users"] == ["fran", "sam"] and "self" in role["scopes"]
    assert not {s for s in role["scopes"] if s.split("!")[0] in ("admin:users", "admin:servers", "access:servers",
                                                                 "servers", "admin-ui", "admin:auth_state")}
    assert "admin_users" not in c.Authenticator
    assert "team_forms.ipynb" in c.JupyterHub.template_vars["announcement_home"]


def test_pre_spawn_hook_copies_the_curriculum_and_sets_the_learners_work_folder(monkeypatch, tmp_path):
    source = tmp_path / "curriculum"
    source.mkdir()
    (source / "00_start_here.ipynb").write_text("{}", encoding="utf-8")
    c = load(monkeypatch, EQUITYLAB_AUTH="dummy", EQUITYLAB_SPAWNER="simple", EQUITYLAB_CURRICULUM=str(source),
             EQUITYLAB_HUB_HOMES=str(tmp_path / "homes"))
    assert c.JupyterHub.spawner_class == "simple"
    spawner = types.SimpleNamespace(home_dir=str(tmp_path / "homes" / "alice"), environment={}, log=None,
                                    user=types.SimpleNamespace(name="alice"))
    c.Spawner.pre_spawn_hook(spawner)
    assert (tmp_path / "homes" / "alice" / "equitylab" / "00_start_here.ipynb").exists()
    assert spawner.environment["EQUITYLAB_HOME"] == str(tmp_path / "homes" / "alice" / "equitylab" / "my-work")


def test_pre_spawn_hook_keeps_a_learners_edited_notebook(monkeypatch, tmp_path):
    source = tmp_path / "curriculum"
    source.mkdir()
    (source / "00_start_here.ipynb").write_text("new version", encoding="utf-8")
    home = tmp_path / "homes" / "alice"
    (home / "equitylab").mkdir(parents=True)
    (home / "equitylab" / "00_start_here.ipynb").write_text("alice's answers", encoding="utf-8")
    c = load(monkeypatch, EQUITYLAB_AUTH="dummy", EQUITYLAB_SPAWNER="simple", EQUITYLAB_CURRICULUM=str(source))
    spawner = types.SimpleNamespace(home_dir=str(home), environment={}, log=None,
                                    user=types.SimpleNamespace(name="alice"))
    c.Spawner.pre_spawn_hook(spawner)
    assert (home / "equitylab" / "00_start_here.ipynb").read_text(encoding="utf-8") == "alice's answers"
    assert (home / "equitylab" / "my-work").is_dir()


VALUES = CONFIG.parent / "z2jh-values.yaml"


def _fake_spawner(name, **extra):
    return types.SimpleNamespace(user=types.SimpleNamespace(name=name), environment={}, log=logging.getLogger("t"),
                                 default_url="", **extra)


def _registry(folder, *, managed=False, facilitators=(), **teams):
    from equitylab.cohort_admin import Registry, slug, team_group, write_registry

    folder.mkdir(parents=True, exist_ok=True)
    reg = Registry(managed=managed, facilitators=list(facilitators))
    for name, learners in teams.items():
        reg.teams[slug(name)] = {"name": name, "learners": list(learners), "group": team_group(slug(name))}
    write_registry(folder, reg, mode=0o640)
    return reg


def test_kubernetes_mounts_a_learners_team_folder_alone_and_the_cohort_read_only_for_a_facilitator(
        monkeypatch, tmp_path):
    import yaml

    from equitylab.cohort_admin import slug

    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    claim = values["hub"]["extraEnv"]["EQUITYLAB_COHORT_CLAIM"]
    assert values["hub"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"] == claim
    assert "extraVolumeMounts" not in values["singleuser"]["storage"]  # no pod gets every team by default
    _registry(tmp_path, facilitators=["fran"], **{"Team A": ["alice"], "Team B": ["bob"]})
    c = load(monkeypatch, EQUITYLAB_AUTH="keep", EQUITYLAB_COHORT_CLAIM=claim, EQUITYLAB_COHORT_DIR=str(tmp_path),
             EQUITYLAB_FACILITATORS="fran")
    pods = {name: _fake_spawner(name, volumes=[], volume_mounts=[]) for name in ("alice", "bob", "fran", "olga")}
    for spawner in pods.values():
        c.Spawner.pre_spawn_hook(spawner)
    volume = {"name": "equitylab-cohort", "persistentVolumeClaim": {"claimName": claim}}
    assert pods["alice"].volumes == [volume] and pods["alice"].volume_mounts == [
        {"name": "equitylab-cohort", "mountPath": "/srv/team", "subPath": f"teams/{slug('Team A')}"}]
    assert pods["alice"].environment["EQUITYLAB_TEAM_FILE"] == "/srv/team/project.yaml"
    assert pods["bob"].volume_mounts[0]["subPath"] == f"teams/{slug('Team B')}"
    assert pods["fran"].volume_mounts == [{"name": "equitylab-cohort", "mountPath": "/srv/cohort", "readOnly": True}]
    assert pods["olga"].volumes == [] and pods["olga"].volume_mounts == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the hub sets groups as root (TLJH)")
def test_on_tljh_the_hook_gives_a_new_learner_their_teams_group_as_their_server_starts(monkeypatch, tmp_path):
    from equitylab.cohort_admin import slug, team_group

    _registry(tmp_path, managed=True, **{"Team A": ["jupyter-zed-nobody-here"]})
    c = load(monkeypatch, EQUITYLAB_AUTH="dummy", EQUITYLAB_COHORT_DIR=str(tmp_path), EQUITYLAB_SERVICE_USERS="zed-nobody-here")
    spawner = _fake_spawner("zed-nobody-here", user_groups={})
    c.Spawner.pre_spawn_hook(spawner)  # TLJH's spawner creates the user in start() and adds these groups
    assert spawner.user_groups == {"equitylab-cohort": ["zed-nobody-here"],
                                   team_group(slug("Team A")): ["zed-nobody-here"]}
    team_file = str(tmp_path / "teams" / slug("Team A") / "project.yaml")
    assert spawner.environment["EQUITYLAB_TEAM_FILE"] == spawner.environment["EQUITYLAB_FORMS_PROJECT"] == team_file
    assert spawner.default_url == "/voila/render/equitylab/team_forms.ipynb"  # a service user: forms, no code
