"""The hub configuration file: each authenticator choice, and the pre-spawn hook that gives a learner
the curriculum (fast; no hub is started)."""
from __future__ import annotations

import os
import types
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


def test_a_trust_signs_in_with_entra_id_and_short_user_names(monkeypatch):
    pytest.importorskip("oauthenticator")
    from oauthenticator.azuread import AzureAdOAuthenticator

    c = load(monkeypatch, AAD_TENANT_ID="tenant", AAD_CLIENT_ID="app", AAD_CLIENT_SECRET="secret",
             EQUITYLAB_AAD_GROUP="equity-cohort-2026", EQUITYLAB_FACILITATORS="fran, sam")
    assert c.JupyterHub.authenticator_class == "azuread"
    auth = AzureAdOAuthenticator(config=c)
    assert (auth.tenant_id, auth.client_id, auth.allowed_groups) == ("tenant", "app", {"equity-cohort-2026"})
    assert auth.username_claim({"preferred_username": "A.Smith@nhs.net", "oid": "x"}) == "a.smith"
    assert c.Authenticator.admin_users == {"fran", "sam"}
    assert c.Spawner.default_url == "/lab/tree/equitylab/00_start_here.ipynb"
    assert c.Spawner.environment.get_value({})["EQUITYLAB_COHORT_DIR"] == "/srv/equitylab/cohort"


def test_workshop_and_test_authenticators(monkeypatch):
    c = load(monkeypatch, EQUITYLAB_AUTH="shared-password", EQUITYLAB_SHARED_PASSWORD="a-long-password")
    assert (c.JupyterHub.authenticator_class, c.SharedPasswordAuthenticator.user_password) == (
        "shared-password", "a-long-password")
    c = load(monkeypatch, EQUITYLAB_AUTH="dummy")
    assert c.JupyterHub.authenticator_class == "dummy"
    c = load(monkeypatch, EQUITYLAB_AUTH="ldap", LDAP_SERVER="ldaps.trust.nhs.uk")
    assert c.LDAPAuthenticator.server_address == "ldaps.trust.nhs.uk" and c.LDAPAuthenticator.allow_all
    with pytest.raises(ValueError, match="EQUITYLAB_AUTH"):
        load(monkeypatch, EQUITYLAB_AUTH="passwordless")


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
