"""A site's server process, started by the suite: its log, readiness (the LISTENING line it prints,
then the probe answering: polled, never slept for) and its stop. The reference site's servers
(reference.py) and a team's own project (conformance/project) are both one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .probe_client import ProbeUnavailable, fetch_settings

START_TIMEOUT_S = 30.0  # a cold Django import on a busy 2-core machine takes a few seconds
POLL_S = 0.05
WRONG_ANSWER_S = 3.0  # a server still loading its app may answer oddly for a moment


# util-linux: sets the parent-death signal, then execs the command (the same process).
SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None


def spawn(argv: list[str], cwd: Path, env: dict, log_path: Path) -> subprocess.Popen:
    """Start a site's server, its output into log_path. On Linux the kernel sends it SIGTERM when
    the run's process ends, however it ends: a run killed by a signal (a CI job's timeout, `kill`)
    runs none of its clean-up and would leave its servers serving. Only when started from the main
    thread: the signal follows the thread that started the child, not its process."""
    if SETPRIV and threading.current_thread() is threading.main_thread():
        argv = [SETPRIV, "--pdeathsig", "TERM", "--", *argv]
    with open(log_path, "wb") as log:  # the child holds its own descriptor
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


class ServerError(Exception):
    """The site did not start or answer; the message ends with its log tail."""


@dataclass
class SiteProcess:
    name: str  # what messages call it: "server for profile age-4s-db", "the project's server"
    process: subprocess.Popen
    log_path: Path
    token: str
    base_url: str | None = None  # known up front (a port the suite chose), or read from LISTENING

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(empty log)"

    def wait_ready(self, timeout: float = START_TIMEOUT_S):
        deadline, answered_wrong = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.process.returncode} before it was ready: "
                                  f"{self.log_tail()}")
            if self.base_url is None:
                for line in self.log_path.read_text(errors="replace").splitlines():
                    if line.startswith("LISTENING "):
                        self.base_url = line.split(" ", 1)[1].strip()
            if self.base_url:
                try:
                    fetch_settings(self.base_url, self.token, timeout=2)
                    return self
                except ProbeUnavailable as exc:
                    # Listening, but something else answers (a login redirect, a 404): said as it is
                    # once it has kept answering so, not after the whole time limit.
                    answered_wrong = None if exc.kind == "unreachable" else (answered_wrong or (time.monotonic(), exc))
                    if answered_wrong and time.monotonic() - answered_wrong[0] > WRONG_ANSWER_S:
                        self.stop()
                        raise ServerError(f"{self.name} is up, but the probe does not answer there: "
                                          f"{answered_wrong[1]}") from None
            time.sleep(POLL_S)
        self.stop()
        raise ServerError(f"{self.name} not ready after {timeout:.0f} s: {self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def stop_all(processes: list[SiteProcess]) -> None:
    """Stop them all: every one told first, then each waited for (one by one, a run's end waited
    for each server's exit in turn)."""
    for each in processes:
        if each.process.poll() is None:
            each.process.terminate()
    for each in processes:
        each.stop()
