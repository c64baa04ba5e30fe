"""JupyterHub configuration for an equitylab cohort: every learner gets the curriculum and the library.

Use it as it is (``jupyterhub -f deploy/jupyterhub_config.py``), drop it into The Littlest
JupyterHub's ``/opt/tljh/config/jupyterhub_config.d/``, or paste it into Zero to JupyterHub's
``hub.extraConfig``. Everything it sets is chosen by environment variables, so one file serves a
trust's server and the tests (see ``deploy/README.md``):

EQUITYLAB_AUTH            ``azuread`` (Entra ID; a trust's default), ``ldap``, ``shared-password``
                          (one workshop password), ``dummy`` (tests only), or ``keep`` to leave the
                          authenticator TLJH or Z2JH already set.
EQUITYLAB_ALLOWED_USERS   comma-separated hub user names who may sign in (with or instead of a group).
                          Safe by default: with neither allowed users nor a group, nobody can sign in.
EQUITYLAB_COHORT_DIR      the shared cohort folder (teams' project files); default /srv/equitylab/cohort
EQUITYLAB_COHORT_CLAIM    Kubernetes only: the ReadWriteMany claim holding the cohort folder; the hook
                          mounts a learner's team folder alone, and the whole cohort read-only for a facilitator
EQUITYLAB_CURRICULUM      the notebooks to give each learner; default: the installed equitylab's
EQUITYLAB_FACILITATORS    comma-separated hub user names who facilitate: they may sign in and get the
                          facilitator role (read users' names and activity), never admin or access:servers
EQUITYLAB_ADMINS          comma-separated hub admins (the hub's operators, not facilitators); default none
EQUITYLAB_SERVICE_USERS   comma-separated hub user names whose server opens on their team's code-free forms
EQUITYLAB_SPAWNER         ``simple`` runs every learner as the hub's own user with homes under
                          EQUITYLAB_HUB_HOMES (tests only); empty keeps the spawner already set
EQUITYLAB_HUB_IP, EQUITYLAB_HUB_PORT, EQUITYLAB_HUB_STATE    where the hub listens and keeps its
                          database and cookie secret (set by the tests; TLJH and Z2JH set their own)
"""
import hashlib
import json
import os
import re
import shutil
import sys
import unicodedata
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it loads this file)

FOLDER = "equitylab"  # the learner's copy of the curriculum, in their home
AUTH = os.environ.get("EQUITYLAB_AUTH", "azuread").strip().lower()
COHORT_DIR = os.environ.get("EQUITYLAB_COHORT_DIR", "/srv/equitylab/cohort")
CLAIM = os.environ.get("EQUITYLAB_COHORT_CLAIM", "")  # Kubernetes: the cohort's ReadWriteMany volume claim
K8S_COHORT, K8S_TEAM = "/srv/cohort", "/srv/team"  # where the hook mounts them in a pod
CURRICULUM = os.environ.get("EQUITYLAB_CURRICULUM", "")
SPAWNER = os.environ.get("EQUITYLAB_SPAWNER", "").strip().lower()

# -- who may log in --------------------------------------------------------------------------
def _names(variable):
    return {hub_username(u) if "@" in u else u.strip().lower()
            for u in os.environ.get(variable, "").split(",") if u.strip()}


def hub_username(value):
    """A person's hub user name from their sign-in email: unique per person and a valid system user name.

    The whole address counts, so A.Smith@nhs.net, a.smith@elft.nhs.uk and a.smith@trust.onmicrosoft.com
    are three people: lower case (Unicode NFKC), then the last "@" becomes "_" (a domain never holds
    "_", so two addresses never meet): "a.smith_nhs.net". Characters a system user name cannot hold
    become "-" and a short hash of the address is added ("o'neil@nhs.net" -> "o-neil_nhs.net-1a2b3c").
    TLJH's system user is then "jupyter-" + this (shortened with a hash beyond 26 characters).
    """
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    local, at, domain = text.rpartition("@")
    if not (at and local and domain):
        raise ValueError(f"not an email address: {value!r}")
    name = f"{local}_{domain}"
    clean = re.sub(r"[^a-z0-9._-]", "-", local) + "_" + re.sub(r"[^a-z0-9.-]", "-", domain)
    if clean != name:
        clean += "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return clean


def username_from_claims(claims):
    """Entra ID: the person's sign-in address (preferred_username, else email, else upn) as :func:`hub_username`."""
    for key in ("preferred_username", "email", "upn"):
        if claims.get(key) and "@" in str(claims[key]):
            return hub_username(claims[key])
    return "oid-" + str(claims["oid"]).lower()  # no address: the directory's object id, unique per person


ALLOWED_USERS = _names("EQUITYLAB_ALLOWED_USERS")
FACILITATORS = _names("EQUITYLAB_FACILITATORS")
SERVICE_USERS = _names("EQUITYLAB_SERVICE_USERS")
# who may sign in: the named users and facilitators, and members of a group if one is set; never everyone
c.Authenticator.allow_all = False
if ALLOWED_USERS | FACILITATORS | SERVICE_USERS:
    c.Authenticator.allowed_users = ALLOWED_USERS | FACILITATORS | SERVICE_USERS

if AUTH == "azuread":
    # NHS trusts sign in with Entra ID (Azure AD). Register an app in the tenant with the
    # redirect URI https://<hub>/hub/oauth_callback and give the hub its id and secret.
    c.JupyterHub.authenticator_class = "azuread"
    c.AzureAdOAuthenticator.tenant_id = os.environ.get("AAD_TENANT_ID", "")
    c.AzureAdOAuthenticator.client_id = os.environ.get("AAD_CLIENT_ID", "")
    c.AzureAdOAuthenticator.client_secret = os.environ.get("AAD_CLIENT_SECRET", "")
    c.AzureAdOAuthenticator.oauth_callback_url = os.environ.get("OAUTH_CALLBACK_URL", "")
    c.AzureAdOAuthenticator.scope = ["openid", "profile", "email"]
    c.AzureAdOAuthenticator.username_claim = username_from_claims
    c.AzureAdOAuthenticator.allow_all = False
    group = os.environ.get("EQUITYLAB_AAD_GROUP", "")  # the Entra group of people in the cohort
    if group:
        c.AzureAdOAuthenticator.manage_groups = True
        c.AzureAdOAuthenticator.allowed_groups = {group}
elif AUTH == "ldap":
    # user names are the directory's logins (unique within the trust's Active Directory)
    c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
    c.LDAPAuthenticator.server_address = os.environ.get("LDAP_SERVER", "")
    c.LDAPAuthenticator.tls_strategy = "before_bind"
    c.LDAPAuthenticator.lookup_dn = True
    c.LDAPAuthenticator.user_search_base = os.environ.get("LDAP_USER_BASE", "")
    c.LDAPAuthenticator.user_attribute = os.environ.get("LDAP_USER_ATTRIBUTE", "sAMAccountName")
    c.LDAPAuthenticator.lookup_dn_search_user = os.environ.get("LDAP_BIND_USER", "")
    c.LDAPAuthenticator.lookup_dn_search_password = os.environ.get("LDAP_BIND_PASSWORD", "")
    c.LDAPAuthenticator.allow_all = False
    group_dn = os.environ.get("LDAP_ALLOWED_GROUP", "")
    if group_dn:
        c.LDAPAuthenticator.allowed_groups = [group_dn]
elif AUTH == "shared-password":
    # one password for a workshop; only the names in EQUITYLAB_ALLOWED_USERS may use it
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["EQUITYLAB_SHARED_PASSWORD"]
    c.SharedPasswordAuthenticator.allow_all = False
elif AUTH == "dummy":
    # tests only: the names in EQUITYLAB_ALLOWED_USERS, and the password EQUITYLAB_DUMMY_PASSWORD if set
    c.JupyterHub.authenticator_class = "dummy"
    if os.environ.get("EQUITYLAB_DUMMY_PASSWORD"):
        c.DummyAuthenticator.password = os.environ["EQUITYLAB_DUMMY_PASSWORD"]
elif AUTH != "keep":
    raise ValueError(f"EQUITYLAB_AUTH={AUTH!r}: use azuread, ldap, shared-password, dummy or keep")

# facilitators read the teams' files in their own server (the cohort folder's ACL does that); on the
# hub they may see who is signed in, and nothing more: no admin, no access to learners' servers
FACILITATOR_SCOPES = ["self", "list:users", "read:users:name", "read:users:activity"]
if FACILITATORS:
    c.JupyterHub.load_roles = [{"name": "equitylab-facilitator", "description": "Facilitates a cohort session",
                                "scopes": FACILITATOR_SCOPES, "users": sorted(FACILITATORS)}]
admins = _names("EQUITYLAB_ADMINS")
if admins:
    c.Authenticator.admin_users = admins

# the hub's home page links every learner, and service users above all, to their team's code-free forms
FORMS_PAGE = f"/voila/render/{FOLDER}/team_forms.ipynb"
c.JupyterHub.template_vars = {"announcement_home": (
    f'<a href="/hub/user-redirect{FORMS_PAGE}">Open your team\'s forms</a>: no notebook and no code, '
    "for everyone on the team (service users and carers too).")}

# -- each learner's server ---------------------------------------------------------------------
c.Spawner.default_url = f"/lab/tree/{FOLDER}/00_start_here.ipynb"
c.Spawner.notebook_dir = "~"
c.Spawner.environment.update({
    "EQUITYLAB_COHORT_DIR": COHORT_DIR,
    "EQUITYLAB_HUB": "1",
})
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60


def _learner_home(spawner):
    """The learner's home on this machine and the owner to give copied files, or (None, None)."""
    if getattr(spawner, "home_dir", ""):  # SimpleLocalProcessSpawner: homes under a folder, hub's own user
        return Path(spawner.home_dir), None
    try:
        import pwd

        name = getattr(spawner, "unix_username", None) or spawner.user.name  # TLJH: jupyter-<name>
        entry = pwd.getpwnam(name)
    except (ImportError, KeyError):
        return None, None  # e.g. Kubernetes: the home is in the learner's volume (see z2jh-values.yaml)
    return Path(entry.pw_dir), (entry.pw_uid, entry.pw_gid)


def _curriculum_source():
    """The notebooks to hand out. The hub often runs in its own environment without equitylab
    (TLJH's /opt/tljh/hub, Z2JH's hub image), so EQUITYLAB_CURRICULUM can point at a checkout."""
    if CURRICULUM:
        return Path(CURRICULUM)
    try:
        from equitylab._paths import notebooks_dir
    except ImportError:
        return None
    return notebooks_dir()


def _copy_curriculum(source, target, owner):
    """Copy notebooks the learner does not have yet; never overwrite their own copies."""
    target.mkdir(parents=True, exist_ok=True)
    made = [target]
    for nb in sorted(source.glob("*.ipynb")):
        dest = target / nb.name
        if not dest.exists():
            shutil.copy2(nb, dest)
            made.append(dest)
    work = target / "my-work"
    if not work.exists():
        work.mkdir()
        made.append(work)
    if owner:
        for p in made:
            os.chown(p, *owner)


FORMS_NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "forms", "metadata": {},
                              "outputs": [], "source": "from equitylab.widgets.serve import forms_page\n\nforms_page()"}],
                  "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                              "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def tljh_system_username(name):
    """The system user TLJH makes for hub user ``name`` (tljh.normalize.generate_system_username)."""
    username = "jupyter-" + name
    if len(username) < 26:
        return username
    return f"{username[:26]}-{hashlib.sha256(username.encode('utf-8')).hexdigest()[:5]}"


def _cohort_module():
    try:
        from equitylab import cohort_admin
    except ImportError:
        return None
    return cohort_admin


def _team_setup(spawner):
    """Give the learner their team: its folder on Kubernetes, their groups on one server, and the
    team file's path in EQUITYLAB_TEAM_FILE (the forms and notebooks save there)."""
    admin = _cohort_module()
    if admin is None:
        spawner.log.warning("equitylab: install equitylab in the hub's environment to give learners their team")
        return
    name = spawner.user.name
    logins = [getattr(spawner, "unix_username", "") or "", tljh_system_username(name), name]
    try:
        registry = admin.read_registry(Path(COHORT_DIR))
    except Exception as exc:  # noqa: BLE001  (a bad registry must not stop anyone's server)
        spawner.log.error("equitylab: the cohort's list of teams cannot be read: %s", exc)
        return
    login = next((x for x in logins if x and (registry.team_of(x) or x in registry.facilitators)), None)
    if login is None:
        return
    key = registry.team_of(login)
    if CLAIM and hasattr(spawner, "volume_mounts"):
        _mount(spawner, key, login in registry.facilitators)
    else:
        if registry.managed and os.geteuid() == 0:
            cohort = admin.Cohort(COHORT_DIR)
            if admin.user_exists(login):
                cohort.sync(login)  # groups take effect as this server starts
            elif hasattr(spawner, "user_groups"):  # TLJH makes the user in start(), adding these groups
                groups = dict(spawner.user_groups)
                for group in cohort.groups_of(login):
                    groups[group] = sorted(set(groups.get(group, [])) | {name})
                spawner.user_groups = groups
        if key:
            spawner.environment["EQUITYLAB_TEAM_FILE"] = str(Path(COHORT_DIR) / admin.TEAMS / key / admin.PROJECT)
    if key:
        spawner.environment.setdefault("EQUITYLAB_FORMS_PROJECT", spawner.environment["EQUITYLAB_TEAM_FILE"])


def _mount(spawner, team_key, facilitator):
    """Kubernetes: the team's folder alone for a learner; the whole cohort, read-only, for a facilitator."""
    volume = {"name": "equitylab-cohort", "persistentVolumeClaim": {"claimName": CLAIM}}
    if facilitator:
        mount = {"name": "equitylab-cohort", "mountPath": K8S_COHORT, "readOnly": True}
        spawner.environment["EQUITYLAB_COHORT_DIR"] = K8S_COHORT
    elif team_key:
        mount = {"name": "equitylab-cohort", "mountPath": K8S_TEAM, "subPath": f"teams/{team_key}"}
        spawner.environment["EQUITYLAB_TEAM_FILE"] = f"{K8S_TEAM}/project.yaml"
        spawner.environment["EQUITYLAB_COHORT_DIR"] = ""  # no registry in a learner's pod: the team file is named
    else:
        return
    spawner.volumes = [v for v in spawner.volumes if v.get("name") != volume["name"]] + [volume]
    spawner.volume_mounts = [m for m in spawner.volume_mounts if m.get("name") != mount["name"]] + [mount]


def equitylab_pre_spawn(spawner):
    """Before a learner's server starts: give them their team (groups, or the team's folder on
    Kubernetes), copy in the curriculum (keeping their edits) and point EQUITYLAB_HOME at their
    own work folder. Service users open on their team's code-free forms."""
    _team_setup(spawner)
    if spawner.user.name in SERVICE_USERS:
        spawner.default_url = FORMS_PAGE
    home, owner = _learner_home(spawner)
    if home is None:
        return
    if owner is None or os.geteuid() != 0:
        owner = None
    source = _curriculum_source()
    if source is None:
        spawner.log.warning("equitylab: set EQUITYLAB_CURRICULUM to the notebooks folder to give learners a copy")
        return
    home.mkdir(parents=True, exist_ok=True)
    _copy_curriculum(source, home / FOLDER, owner)
    forms = home / FOLDER / "team_forms.ipynb"
    if not forms.exists():
        forms.write_text(json.dumps(FORMS_NOTEBOOK, indent=1), encoding="utf-8")
        if owner:
            os.chown(forms, *owner)
    spawner.environment["EQUITYLAB_HOME"] = str(home / FOLDER / "my-work")


c.Spawner.pre_spawn_hook = equitylab_pre_spawn

if SPAWNER == "simple":
    homes = os.environ.get("EQUITYLAB_HUB_HOMES", "/tmp/equitylab-homes")
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(homes, "{username}")
    c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
    args = ["--allow-root"] if os.geteuid() == 0 else []
    settings = os.environ.get("EQUITYLAB_LAB_SETTINGS", "")
    if settings:  # e.g. no "news" pop-up and no autosave in the tests
        args.append(f"--LabApp.app_settings_dir={settings}")
    c.Spawner.args = args
    c.Spawner.environment.update({"PATH": os.environ.get("PATH", "")})
    c.JupyterHub.cleanup_servers = True  # stopping the test hub stops every learner's server
    c.Spawner.env_keep = ["PYTHONPATH", "LANG", "LC_ALL", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR",
                          "EQUITYLAB_CACHE_DIR", "EQUITYLAB_STRICT"]

# -- the hub itself (only when asked: TLJH and Z2JH configure these) ----------------------------
if os.environ.get("EQUITYLAB_HUB_IP"):
    c.JupyterHub.ip = os.environ["EQUITYLAB_HUB_IP"]
    c.JupyterHub.hub_ip = os.environ["EQUITYLAB_HUB_IP"]
if os.environ.get("EQUITYLAB_HUB_PORT"):
    c.JupyterHub.port = int(os.environ["EQUITYLAB_HUB_PORT"])
if os.environ.get("EQUITYLAB_HUB_API_PORT"):
    c.JupyterHub.hub_port = int(os.environ["EQUITYLAB_HUB_API_PORT"])
if os.environ.get("EQUITYLAB_PROXY_API_PORT"):
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['EQUITYLAB_PROXY_API_PORT']}"
if os.environ.get("EQUITYLAB_PROXY_COMMAND"):
    c.ConfigurableHTTPProxy.command = [os.environ["EQUITYLAB_PROXY_COMMAND"]]
state = os.environ.get("EQUITYLAB_HUB_STATE", "")
if state:
    c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
    c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
    c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")
