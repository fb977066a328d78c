"""Project mode on a real database server: the shop on PostgreSQL (a cluster this test starts, on
loopback). The suite makes the test database test_shop, as Django's test runner does, serves the
project on it, and drops it afterwards; the project's own database "shop" is never written to. A
server that does not answer is one line and exit 4."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "conformance" / "tests" / "apparatus" / "shop"
INITDB = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)

pytestmark = pytest.mark.skipif(INITDB is None or os.geteuid() != 0 or shutil.which("runuser") is None,
                                reason="needs PostgreSQL's initdb (Debian: apt-get install postgresql) and root "
                                       "(the cluster runs as the postgres user)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*argv, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of its own (trust authentication, loopback), with the shop's database
    "shop" holding one table of the shop's own. In a folder of its own under the system's temporary
    folder (pytest's is private to root, and the cluster runs as postgres)."""
    folder = Path(tempfile.mkdtemp(prefix="conformance-pg-"))
    shutil.chown(folder, "postgres")
    bin_dir = Path(INITDB).resolve().parent
    data, port = folder / "data", _free_port()
    done = _as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    assert done.returncode == 0, done.stderr
    done = _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                        f"-p {port} -k {folder} -h 127.0.0.1", "start")
    assert done.returncode == 0, done.stderr + (folder / "log").read_text()
    try:
        psql = [str(bin_dir / "psql") if (bin_dir / "psql").exists() else "psql", "-h", "127.0.0.1", "-p", str(port),
                "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
        subprocess.run([*psql, "-c", "CREATE DATABASE shop"], check=True, capture_output=True)
        subprocess.run([*psql, "-d", "shop", "-c", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)"],
                       check=True, capture_output=True)
        yield port, psql
    finally:
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _run(tmp_path, port, *args):
    report = tmp_path / "conformance.json"
    return subprocess.run([sys.executable, "-m", "conformance", "run", "-p", "no:cacheprovider", "--project", str(SHOP),
                           f"--conformance-report={report}", f"--html-report={tmp_path / 'r.html'}", *args],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, "SHOP_PG_PORT": str(port)})


def test_the_project_runs_on_a_test_database_that_is_dropped_after(cluster, tmp_path):
    port, psql = cluster
    done = _run(tmp_path, port, "--browser", "chromium", "--check", "AGE-01", "--check", "SRV-0[12]",
                "--check", "COOKIE-0[35]")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    databases = subprocess.run([*psql, "-Atc", "SELECT datname FROM pg_database"], capture_output=True, text=True)
    assert "test_shop" not in databases.stdout.split(), "the test database was left behind"
    tables = subprocess.run([*psql, "-d", "shop", "-Atc", "SELECT tablename FROM pg_tables WHERE schemaname='public'"],
                            capture_output=True, text=True)
    assert tables.stdout.split() == ["orders"], "the project's own database was written to"


def test_a_database_server_that_does_not_answer_is_one_line(tmp_path):
    done = _run(tmp_path, _free_port(), "--browser", "chromium")
    assert done.returncode == 4, done.stdout[-2000:]
    assert "ERROR: cannot connect to the project's database server for 'default' (django.db.backends.postgresql, " \
           "NAME shop at 127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
