"""The references users read are generated from the code and files that declare them (conformance/tools/
doc_tables.py), in README.md and the documentation site's pages (docs/): a check, profile, option,
known defect or report field added without regenerating them, or an example config changed without
its page, fails here, naming the command that regenerates."""

import re
import tomllib
from pathlib import Path

import pytest

from conformance.checks import catalogue
from conformance.config.options import OPTIONS
from conformance.judge import expectations
from conformance.targets import capabilities
from conformance.targets.profiles import PROFILES
from conformance.tools import doc_tables

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
REGENERATE = f"run .venv/bin/{doc_tables.COMMAND}"


def test_generated_pages_are_current():
    stale = doc_tables.stale()
    if stale:
        pytest.fail(f"generated regions are stale in {', '.join(stale)}: {REGENERATE}", pytrace=False)


def test_the_docs_pages_are_among_the_generated_files():
    files = {str(f.relative_to(REPO)) for f in doc_tables.files()}
    assert {"README.md", "docs/reference/checks.md", "docs/reference/options.md", "docs/reference/profiles.md",
            "docs/reference/known-defects.md", "docs/reference/report.md", "docs/guides/black-box.md",
            "docs/guides/ci.md"} <= files
    assert "docs/coverage.md" not in files  # doc_sentences --render writes it whole


def test_a_stale_page_fails_naming_the_command(tmp_path, capsys, monkeypatch):
    page = tmp_path / "checks.md"
    page.write_text("# Checks\n\n<!-- checks -->\n| an old table |\n<!-- /checks -->\n")
    monkeypatch.setattr(doc_tables, "files", lambda: (page,))
    monkeypatch.setattr(doc_tables, "REPO", tmp_path)
    assert doc_tables.stale([page]) == ["checks.md"]
    assert doc_tables.main(["--check"]) == 1
    assert f"checks.md: generated tables are stale; run {doc_tables.COMMAND}" in capsys.readouterr().err
    assert doc_tables.main([]) == 0 and doc_tables.stale([page]) == []


def test_every_check_profile_option_and_known_defect_is_in_the_reference():
    checks = (DOCS / "reference" / "checks.md").read_text()
    profiles = (DOCS / "reference" / "profiles.md").read_text()
    options = (DOCS / "reference" / "options.md").read_text()
    known = (DOCS / "reference" / "known-defects.md").read_text()
    assert [c.id for c in catalogue() if f"| [`{c.id}`](#{c.id.lower()}) |" not in checks] == []
    assert [c.id for c in catalogue() if f"\n#### {c.id}\n" not in checks] == []
    assert [c.quote for c in catalogue() if c.quote.splitlines()[0] not in checks] == []
    assert [p.name for p in PROFILES if f"| `{p.name}` |" not in profiles] == []
    assert [o.cli for o in OPTIONS if f"| `{o.cli}" not in options] == []
    entries = expectations.load(REPO / "conformance" / "expectations.toml")
    assert entries and [k.check for k in entries if f"| `{k.check}` | `{k.profile}` |" not in known] == []


def test_what_a_check_needs_is_explained():
    page = (DOCS / "reference" / "checks.md").read_text()
    assert [need for need in capabilities.ALL if f"| `{need}` |" not in page] == []


def test_example_configs_are_included_whole_and_parse():
    """The pages show the files the tests run, whole: the black-box examples parse as TOML there."""
    page = (DOCS / "guides" / "black-box.md").read_text()
    for path in ("conformance/examples/blackbox.toml", "conformance/tests/apparatus/deployment/blackbox.toml"):
        region = page.split(f"<!-- include: {path} -->", 1)[1].split("<!-- /include -->", 1)[0]
        shown = re.search(r"```toml\n(.*?)\n```", region, re.S)[1]
        assert shown == (REPO / path).read_text().rstrip("\n")
        assert tomllib.loads(shown)["login"]["url"]
    ci = (DOCS / "guides" / "ci.md").read_text()
    assert all(f"<!-- include: examples/ci/{r.name} -->" in ci for r in (REPO / "examples" / "ci").glob("*.yml"))


def test_an_include_of_a_missing_file_is_an_error():
    with pytest.raises(ValueError, match="no such file"):
        doc_tables.rewritten("<!-- include: no/such.toml -->\n<!-- /include -->\n")


def test_a_region_without_its_end_marker_is_an_error():
    with pytest.raises(ValueError, match="has no <!-- /checks -->"):
        doc_tables.rewritten("<!-- checks -->\nold")


def test_markers_shown_in_text_are_not_regions():
    text = "Regions are marked `<!-- include: PATH -->` ... `<!-- /include -->`.\n"
    assert doc_tables.rewritten(text) == text


def test_a_report_field_without_a_description_fails(monkeypatch):
    monkeypatch.delitem(doc_tables.RESULT_FIELDS, "facts")
    with pytest.raises(ValueError, match="result fields not described: facts"):
        doc_tables.result_schema()


def test_bench_figures_name_their_date():
    region = doc_tables.bench()
    heading = (REPO / "bench" / "results.md").read_text().splitlines()[0]
    assert heading.split(", ", 1)[1] in region and "2 cores" in region


def test_the_readme_is_a_short_front_page_whose_links_resolve():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    for command in ("make conformance", "make test", "pip install 'django-session-conformance[suite]'",
                    "conformance browsers --install", "--project", "BLACKBOX=", "BASE_URL=", "make docs"):
        assert command in readme, command
    links = re.findall(r"\]\(((?:docs|examples)/[^)#]+)", readme)
    assert links and [link for link in links if not (REPO / link).exists()] == []
