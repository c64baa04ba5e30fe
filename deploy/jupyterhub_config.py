"""JupyterHub configuration for an equitylab cohort: every learner gets the curriculum and the library.

Use it as it is (``jupyterhub -f deploy/jupyterhub_config.py``), drop it into The Littlest
JupyterHub's ``/opt/tljh/config/jupyterhub_config.d/``, or paste it into Zero to JupyterHub's
``hub.extraConfig``. Everything it sets is chosen by environment variables, so one file serves a
trust's server and the tests (see ``deploy/README.md``):

EQUITYLAB_AUTH            ``azuread`` (Entra ID; a trust's default), ``ldap``, ``shared-password``
                          (one workshop password), ``dummy`` (tests only), or ``keep`` to leave the
                          authenticator TLJH or Z2JH already set.
EQUITYLAB_COHORT_DIR      the shared cohort folder (teams' project files); default /srv/equitylab/cohort
EQUITYLAB_CURRICULUM      the notebooks to give each learner; default: the installed equitylab's
EQUITYLAB_FACILITATORS    comma-separated user names who are hub admins (the facilitators)
EQUITYLAB_SPAWNER         ``simple`` runs every learner as the hub's own user with homes under
                          EQUITYLAB_HUB_HOMES (tests only); empty keeps the spawner already set
EQUITYLAB_HUB_IP, EQUITYLAB_HUB_PORT, EQUITYLAB_HUB_STATE    where the hub listens and keeps its
                          database and cookie secret (set by the tests; TLJH and Z2JH set their own)
"""
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it loads this file)

FOLDER = "equitylab"  # the learner's copy of the curriculum, in their home
AUTH = os.environ.get("EQUITYLAB_AUTH", "azuread").strip().lower()
COHORT_DIR = os.environ.get("EQUITYLAB_COHORT_DIR", "/srv/equitylab/cohort")
CURRICULUM = os.environ.get("EQUITYLAB_CURRICULUM", "")
SPAWNER = os.environ.get("EQUITYLAB_SPAWNER", "").strip().lower()

# -- who may log in --------------------------------------------------------------------------
if AUTH == "azuread":
    # NHS trusts sign in with Entra ID (Azure AD). Register an app in the tenant with the
    # redirect URI https://<hub>/hub/oauth_callback and give the hub its id and secret.
    c.JupyterHub.authenticator_class = "azuread"
    c.AzureAdOAuthenticator.tenant_id = os.environ.get("AAD_TENANT_ID", "")
    c.AzureAdOAuthenticator.client_id = os.environ.get("AAD_CLIENT_ID", "")
    c.AzureAdOAuthenticator.client_secret = os.environ.get("AAD_CLIENT_SECRET", "")
    c.AzureAdOAuthenticator.oauth_callback_url = os.environ.get("OAUTH_CALLBACK_URL", "")
    c.AzureAdOAuthenticator.scope = ["openid", "profile", "email"]
    # "a.smith@nhs.net" -> "a.smith": short names make valid system user names on TLJH
    c.AzureAdOAuthenticator.username_claim = lambda claims: (
        str(claims.get("preferred_username") or claims.get("email") or claims["oid"]).split("@")[0].lower())
    group = os.environ.get("EQUITYLAB_AAD_GROUP", "")  # the Entra group of people in the cohort
    if group:
        c.AzureAdOAuthenticator.manage_groups = True
        c.AzureAdOAuthenticator.allowed_groups = {group}
    else:
        c.AzureAdOAuthenticator.allow_all = True  # anyone in the trust's tenant
elif AUTH == "ldap":
    c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
    c.LDAPAuthenticator.server_address = os.environ.get("LDAP_SERVER", "")
    c.LDAPAuthenticator.tls_strategy = "before_bind"
    c.LDAPAuthenticator.lookup_dn = True
    c.LDAPAuthenticator.user_search_base = os.environ.get("LDAP_USER_BASE", "")
    c.LDAPAuthenticator.user_attribute = os.environ.get("LDAP_USER_ATTRIBUTE", "sAMAccountName")
    c.LDAPAuthenticator.lookup_dn_search_user = os.environ.get("LDAP_BIND_USER", "")
    c.LDAPAuthenticator.lookup_dn_search_password = os.environ.get("LDAP_BIND_PASSWORD", "")
    group_dn = os.environ.get("LDAP_ALLOWED_GROUP", "")
    if group_dn:
        c.LDAPAuthenticator.allowed_groups = [group_dn]
    else:
        c.LDAPAuthenticator.allow_all = True
elif AUTH == "shared-password":
    # one password for a workshop; anyone who knows it can pick any user name
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["EQUITYLAB_SHARED_PASSWORD"]
elif AUTH == "dummy":
    # tests only: any user name, and the password EQUITYLAB_DUMMY_PASSWORD if set
    c.JupyterHub.authenticator_class = "dummy"
    if os.environ.get("EQUITYLAB_DUMMY_PASSWORD"):
        c.DummyAuthenticator.password = os.environ["EQUITYLAB_DUMMY_PASSWORD"]
elif AUTH != "keep":
    raise ValueError(f"EQUITYLAB_AUTH={AUTH!r}: use azuread, ldap, shared-password, dummy or keep")

facilitators = {u.strip() for u in os.environ.get("EQUITYLAB_FACILITATORS", "").split(",") if u.strip()}
if facilitators:
    c.Authenticator.admin_users = facilitators

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


def equitylab_pre_spawn(spawner):
    """Before a learner's server starts: copy in the curriculum (keeping their edits) and point
    EQUITYLAB_HOME at their own work folder."""
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
