"""The test deployment as the project's own tests and `make soak DEPLOY=...` judge it, on any of the
real servers (apparatus/servers.py), in either mode a user has:

* probe mode: Django's defaults (a two-week cookie, saved when modified) with the probe installed;
  its four profiles include 3 s per-session expiries, waited out for real.
* black-box mode: the deployment's own pages (apparatus/deployment/blackbox.toml) with a short
  sliding policy a middleware enforces: SESSION_COOKIE_AGE 4 s renewed by every request, and an
  absolute timeout of 12 s, so the timed checks run through the site's own sign-in.

    with judged("uvicorn", "probe") as (args, env):
        subprocess.run([python, "-m", "pytest", "conformance/checks", *args], env={**os.environ, **env})
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

from .deployed import Deployment

MODES = ("probe", "black-box")
TOKEN = "judged-probe-token"
OWN_PAGES = Path(__file__).resolve().parent / "deployment" / "blackbox.toml"
SHORT_POLICY = {"age = 1209600": "age = 4", "sliding = false": "sliding = true"}


def short_policy_config() -> str:
    """The deployment's own black-box config, promising the short sliding policy."""
    text = OWN_PAGES.read_text()
    for old, new in SHORT_POLICY.items():
        assert old in text, old
        text = text.replace(old, new)
    return text + "absolute_timeout = 12\n"


@contextmanager
def judged(server: str, mode: str):
    """The deployment on `server`, and the suite's arguments and environment to judge it in `mode`."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "probe":
        with Deployment(token=TOKEN, server=server) as site:
            yield [f"--base-url={site.base_url}", "--probe-token", TOKEN, "--ignore-https-errors"], {}
        return
    with tempfile.TemporaryDirectory(prefix="judged-") as folder, \
            Deployment(token=None, server=server, session_cookie_age=4, save_every_request=True,
                       absolute_timeout=12) as site:
        config = Path(folder) / "site.toml"
        config.write_text(short_policy_config())
        yield ([f"--base-url={site.base_url}", f"--blackbox={config}", "--ignore-https-errors"],
               {"SITE_USERNAME": site.username, "SITE_PASSWORD": site.password})
