"""Start the reference site for a profile in its own process, on a port the OS picks, in the
run's site environment (sites/environment.py).

Readiness is polled (the LISTENING line, then the probe answering), never slept for. If the
process dies first, the error carries the tail of its log.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..protocol import TOKEN_SETTING
from ..sites.environment import SiteEnvironment, code_root
from .process import ServerError, SiteProcess, spawn
from .profiles import ASYNC, Profile

__all__ = ["ReferenceServer", "ServerError", "host_for", "migrate_template"]


def host_for(profile: Profile, index: int) -> str:
    """The profile's own loopback address: 127.0.0.0/8 is all loopback on Linux, and browsers
    treat it as potentially trustworthy (Secure cookies work over http there, as on 127.0.0.1)."""
    return profile.host or f"127.0.0.{10 + index}"


def migrate_template(workdir: Path, environment: SiteEnvironment) -> Path:
    """Migrate one SQLite file that every profile's server in this environment gets a copy of
    (migrating per server would cost a second of CPU each; each Django has its own migrations)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "template.sqlite3"
    # `-m django` with the settings module, not target_site/manage.py: no file path into a clone.
    argv, env = environment.popen(["-m", "django", "migrate", "--noinput", "-v", "0"],
                                  {"TARGET_SITE_DB": str(db), "DJANGO_SETTINGS_MODULE": "target_site.settings",
                                   "TARGET_SITE_SESSION": ""}, binds=(workdir,))
    done = subprocess.run(argv, cwd=code_root(), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServerError(f"migrating the reference site ({environment.label()}) failed: {done.stderr.strip()[-500:]}")
    return db


@dataclass
class ReferenceServer(SiteProcess):
    """The reference site for one profile (targets/process.py: its log, readiness and stop)."""

    profile: Profile | None = None

    @classmethod
    def spawn(cls, profile: Profile, workdir: Path, template_db: Path, token: str, environment: SiteEnvironment,
              host: str = "127.0.0.1") -> "ReferenceServer":
        """Start the process; call wait_ready() afterwards (spawn all first, then wait).
        Each profile gets its own loopback address (see host_for): cookies are per host, not per
        port, so one browser context can hold sessions of several profiles without mixing them."""
        home = workdir / profile.name
        home.mkdir(parents=True, exist_ok=True)
        db = home / "db.sqlite3"
        shutil.copyfile(template_db, db)
        session = dict(profile.session)
        if session.get("SESSION_ENGINE", "").endswith(".file"):
            (home / "sessions").mkdir(exist_ok=True)
            session["SESSION_FILE_PATH"] = str(home / "sessions")
        asgi = ["--asgi"] if profile.session_api == ASYNC else []
        argv, env = environment.popen(["-m", "target_site.serve", "--host", host, "--port", "0", *asgi], {
            "TARGET_SITE_SESSION": json.dumps(session), "TARGET_SITE_DB": str(db), TOKEN_SETTING: token,
            "DJANGO_SETTINGS_MODULE": profile.site_settings, "TARGET_SITE_ALLOWED_HOSTS": host}, binds=(home,))
        log_path = home / "server.log"
        return cls(f"server for profile {profile.name}", spawn(argv, code_root(), env, log_path), log_path, token,
                   profile=profile)
