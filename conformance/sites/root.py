"""A Debian 13 (trixie) root for Django releases that need a newer Python than this machine has
(Django 6.x needs 3.12+; Debian 12 ships 3.11). Made once with debootstrap into sites_home() (the
clone's `.sites/`, or the per-user folder; about 45 s and 190 MB), then a site runs inside it
through `unshare --mount` + `chroot`: the code it imports (environment.code_root()), the site
environments and the run's work folder are bind-mounted at the same paths (no path translation),
and the host's loopback is shared, so nothing else changes. `env -i` keeps the
host's environment (pip's settings included) out; only what the site needs is passed in.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUITE = "trixie"  # Debian 13
PYTHON = "/usr/bin/python3.13"
PACKAGES = "python3.13,python3.13-venv,ca-certificates"
MIRROR = "http://deb.debian.org/debian"
HOST_CA = Path("/usr/local/share/ca-certificates")  # the host's extra certificate authorities
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
            # pip inside trusts what the root's system store trusts (the host's extra CAs included)
            "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


class RootUnavailable(Exception):
    """This machine cannot make or enter the root; the message is one line saying what to install."""


def why_not(python_needed: str) -> str | None:
    """None when a root can be made and entered here; else the one line saying why not."""
    need = f"this Django needs Python {python_needed}, which this machine does not have"
    if os.geteuid() != 0:
        return (f"{need}; install it (its python3.X on PATH is used directly), or run as root so the suite can "
                "build a Debian 13 root with debootstrap")
    missing = [tool for tool in ("unshare", "chroot", "mount") if shutil.which(tool) is None]
    if missing:
        return f"{need}, and {', '.join(missing)} is missing to run it in a Debian 13 root: install util-linux"
    if shutil.which("debootstrap") is None and shutil.which("apt-get") is None:
        return f"{need}; install it, or install debootstrap so the suite can build a Debian 13 root"
    return None


@dataclass(frozen=True)
class DebianRoot:
    path: Path

    @property
    def name(self) -> str:
        return f"debian-{SUITE}"

    @property
    def ready(self) -> bool:
        return (self.path / ".conformance-root").exists()

    def build(self, say) -> None:
        """debootstrap the root (once), then make it trust what the host trusts."""
        if self.ready:
            return
        began = time.time()
        if shutil.which("debootstrap") is None:
            say("installing debootstrap (apt-get)")
            _run(["apt-get", "update", "-qq"])
            _run(["apt-get", "install", "-y", "-qq", "debootstrap"], env={"DEBIAN_FRONTEND": "noninteractive"})
        partial = self.path.with_name(self.path.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        say(f"building a Debian 13 root for Python 3.13 (one-off, about a minute): {self.path}")
        _run(["debootstrap", "--variant=minbase", f"--include={PACKAGES}", SUITE, str(partial), MIRROR])
        self.trust_host_certificates(partial)
        (partial / ".conformance-root").write_text(f"debootstrap {SUITE} {PACKAGES} {MIRROR}\n")
        shutil.rmtree(self.path, ignore_errors=True)
        partial.rename(self.path)
        say(f"Debian 13 root ready in {time.time() - began:.0f} s")

    @staticmethod
    def trust_host_certificates(root: Path) -> None:
        """Inside, pip must trust what the host trusts (a TLS-inspecting proxy's CA, say)."""
        extra = sorted(HOST_CA.glob("*.crt")) if HOST_CA.is_dir() else []
        target = root / "usr/local/share/ca-certificates"
        target.mkdir(parents=True, exist_ok=True)
        for cert in extra:
            shutil.copyfile(cert, target / cert.name)
        shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf")
        _run(["chroot", str(root), "/usr/sbin/update-ca-certificates"])

    def command(self, argv: list[str], env: dict, binds: tuple[Path, ...]) -> list[str]:
        """argv running `argv` inside the root with exactly `env` (plus BASE_ENV), the `binds`
        folders mounted at the same paths, in a mount namespace of its own (nothing shows outside;
        it ends with the process). The final exec makes the site's Python the process itself."""
        mounts = " && ".join(f'mkdir -p "$root"{shlex.quote(str(b))} && mount --bind {shlex.quote(str(b))} '
                             f'"$root"{shlex.quote(str(b))}' for b in binds)
        assignments = [f"{k}={v}" for k, v in {**BASE_ENV, **env}.items()]
        script = f'root="$1"; shift; {mounts} && exec chroot "$root" "$@"'
        # chroot starts in "/": the site runs from its code folder (binds[0]), as it does outside.
        inside = ["/bin/sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", str(binds[0]), *argv]
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", str(self.path),
                "/usr/bin/env", "-i", *assignments, *inside]


def _run(argv: list[str], env: dict | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RootUnavailable(f"{' '.join(argv[:2])} failed ({done.returncode}): {tail}")
