"""The documentation site builds with MkDocs in strict mode (every warning, such as a link to a page or
an anchor that is not there, fails it), as `make docs` builds it, and the built reference names every
check the suite has."""

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.checks import catalogue

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"mkdocs build --strict failed (make docs):\n{done.stderr[-3000:]}"
    assert "WARNING" not in done.stderr, done.stderr
    return out


def test_the_site_builds_without_a_warning(site):
    assert (site / "index.html").is_file()
    for page in ("getting-started", "guides/probe-mode", "guides/black-box", "guides/black-box-recipes",
                 "guides/project-mode", "guides/upgrades", "guides/ci", "guides/remote-browsers-and-workers",
                 "reference/options", "reference/checks", "reference/profiles", "reference/known-defects",
                 "reference/report", "reference/probe-api", "reference/exit-codes",
                 "explanation/timing-and-controls", "explanation/cache-safety", "explanation/session-restore",
                 "explanation/documentation-coverage", "explanation/self-checks", "explanation/performance",
                 "coverage", "development"):
        assert (site / page / "index.html").is_file(), page


def test_every_check_id_has_its_own_anchor_in_the_built_reference(site):
    html = (site / "reference" / "checks" / "index.html").read_text()
    assert [c.id for c in catalogue() if f'id="{c.id.lower()}"' not in html] == []


def test_every_page_is_in_the_navigation():
    """A page left out of mkdocs.yml's nav is a warning (so the strict build fails); say which."""
    nav = (REPO / "mkdocs.yml").read_text()
    pages = [str(p.relative_to(REPO / "docs")) for p in (REPO / "docs").rglob("*.md")]
    assert [p for p in pages if f" {p}\n" not in nav] == []
