"""The check families, one module each: its checks, the scenarios they read (the shared lifecycle
is lifecycle.py) and what it adds to the report's summary. Listed here in report order (the
terminal matrix's columns); a new family is a new module and a line here."""

from __future__ import annotations

import importlib

FAMILY_MODULES = ("test_cookie_age", "test_browser_close", "test_renewal", "test_server_expiry",
                  "test_cookie_attributes", "test_session_cookie", "test_cache_safety", "test_sign_in",
                  "test_timeouts")


def families():
    """Every family, in report order (imports the family modules)."""
    return tuple(importlib.import_module(f"{__name__}.{name}").FAMILY for name in FAMILY_MODULES)


def catalogue():
    """Every registered check (conformance.judge.check.Check), in report order: by family, then as
    each family module declares them."""
    out = []
    for name in FAMILY_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        out += [value.conformance_check for value in vars(module).values()
                if getattr(value, "conformance_check", None) is not None]
    return tuple(out)
