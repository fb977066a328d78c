"""The tables users read are generated from the code that declares them (conformance/tools/
doc_tables.py): a check, profile or known defect added without regenerating them fails here."""

from conformance.checks import catalogue
from conformance.targets.profiles import PROFILES
from conformance.tools import doc_tables


def test_generated_tables_are_current():
    assert doc_tables.stale() == [], f"run {doc_tables.COMMAND}"


def test_every_check_and_profile_has_a_row():
    checks, profiles = doc_tables.checks_table(), doc_tables.profiles_table()
    assert all(f"| `{c.id}` |" in checks for c in catalogue())
    assert all(f"| `{p.name}` |" in profiles for p in PROFILES)


def test_a_region_without_its_end_marker_is_an_error():
    import pytest

    with pytest.raises(ValueError, match="has no <!-- /checks -->"):
        doc_tables.rewritten("<!-- checks -->\nold")
