"""A site's server ends with the run that started it, however the run ends: a run killed by a
signal (a CI job's timeout, `kill`) runs none of its clean-up, and its servers kept serving (and
holding their ports and work folders) before the parent-death signal (targets/process.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.targets import process

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(process.SETPRIV is None, reason="Linux with util-linux's setpriv only")

# The server stand-in says which signal it gets when its parent dies, then waits to be stopped.
SERVER = ("import ctypes, time; v = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(v)); "
          "print('PDEATHSIG', v.value, flush=True); time.sleep(120)")
# The run stand-in: starts it (from its main thread, or another), says its PID, then waits.
RUN = """
import sys, threading, time
from pathlib import Path
from conformance.targets.process import spawn
started = []
start = lambda: started.append(spawn([sys.executable, "-c", {server!r}], Path("."), None, Path({log!r})))
if {threaded}:
    t = threading.Thread(target=start); t.start(); t.join()
else:
    start()
print(started[0].pid, flush=True)
time.sleep(120)
"""


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name: state, parent PID, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _gone(pid: int, within: float) -> bool:
    """Whether the process ended (or is a zombie nobody reaped yet) within that many seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if _stat(pid)[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def _run_standin(tmp_path, threaded: bool):
    log = tmp_path / "server.log"
    run = subprocess.Popen([sys.executable, "-c", RUN.format(server=SERVER, log=str(log), threaded=threaded)],
                           cwd=REPO, stdout=subprocess.PIPE, text=True)
    server = int(run.stdout.readline())
    deadline = time.monotonic() + 10
    while "PDEATHSIG" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return run, server, log.read_text().split()[-1]


def test_a_server_dies_with_a_run_killed_outright(tmp_path):
    run, server, signalled = _run_standin(tmp_path, threaded=False)
    try:
        assert signalled == str(int(signal.SIGTERM))
        run.kill()  # SIGKILL: no clean-up of any kind runs
        run.wait()
        assert _gone(server, 5), f"server {server} still running 5 s after its run was killed"
    finally:
        run.kill()
        _kill(server)


def test_a_server_started_from_another_thread_is_not_tied_to_it(tmp_path):
    # The signal follows the thread that started the child: tied to a thread that ended, the server
    # would have been stopped at once.
    run, server, signalled = _run_standin(tmp_path, threaded=True)
    try:
        assert signalled == "0" and not _gone(server, 0.5)
    finally:
        run.kill()
        _kill(server)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _servers_of(root: int) -> list[int]:
    """The reference site's server processes descended from `root`."""
    parents, cmdlines = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
                cmdlines[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError):
                pass

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root:
                return True
        return False
    return [pid for pid, cmd in cmdlines.items() if "target_site.serve" in cmd and descends(pid)]


def test_a_run_stopped_with_sigterm_leaves_no_server_behind(tmp_path):
    run = subprocess.Popen([sys.executable, "-m", "pytest", "conformance/checks", "-p", "no:cacheprovider",
                            "--profile", "age-4s-db", "--profile", "browser-close-20s", "--check", "CLOSE-04",
                            f"--conformance-report={tmp_path / 'r.json'}", f"--basetemp={tmp_path / 'base'}"],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(servers) < 2 and time.monotonic() < deadline and run.poll() is None:
            servers = _servers_of(run.pid)
            time.sleep(0.1)
        assert len(servers) == 2, "the run did not start its two servers"
        run.send_signal(signal.SIGTERM)  # Python's default: the process ends, no finally: runs
        run.wait(timeout=10)
        alive = [pid for pid in servers if not _gone(pid, 5)]
        assert not alive, f"servers {alive} still running 5 s after their run was stopped with SIGTERM"
    finally:
        run.kill()
        for pid in servers:
            _kill(pid)
