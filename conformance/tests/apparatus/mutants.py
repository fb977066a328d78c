"""Deliberately broken reference sites, offered as profiles to a run that loads this plugin
(`-p conformance.tests.apparatus.mutants`): the project's own tests check that the suite fails
each on the checks the breakage should trip (conformance/tests/test_mutants.py). Never offered
otherwise: `--profile` knows only the real profiles."""

from conformance.targets.profiles import ASYNC, ENGINES, Profile

SITES = "conformance.tests.apparatus.mutant_sites."

MUTANTS: tuple[Profile, ...] = (
    Profile("mutant-strip-expiry", "a middleware strips Max-Age/Expires from the session cookie",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "strip_expiry"),
    Profile("mutant-fake-sliding", "a middleware re-sends the cookie with a fresh Max-Age, unsaved",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "fake_sliding"),
    Profile("mutant-ignore-set-expiry", "a session backend that ignores set_expiry()",
            {"SESSION_ENGINE": "conformance.tests.apparatus.ignore_expiry_backend"}, ("int:4",)),
    Profile("mutant-clear-on-logout", "logout calls session.clear() instead of flush()",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "clear_on_logout"),
    Profile("mutant-strip-vary", "a layer drops the Vary header, on a site that saves every request",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4, "SESSION_SAVE_EVERY_REQUEST": True},
            site_settings=SITES + "strip_vary"),
    Profile("mutant-public-everything", "a layer marks every response public for ten minutes",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "public_everything"),
    Profile("mutant-reissue-on-logout", "the session middleware answers logout with a new, empty session's cookie",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "reissue_on_logout"),
    Profile("mutant-fixed-key", "a session backend whose cycle_key() keeps the key: login() does not change it",
            {"SESSION_ENGINE": "conformance.tests.apparatus.fixed_key_backend", "SESSION_COOKIE_AGE": 4}),
    Profile("mutant-save-on-500", "the session middleware saves the session on a 500 response too",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "save_on_500"),
    Profile("mutant-session-from-url", "the session middleware takes the key from the URL when no cookie has one",
            {"SESSION_ENGINE": ENGINES["db"], "SESSION_COOKIE_AGE": 4}, site_settings=SITES + "session_from_url"),
    # The async session API (Django 5.1+), broken where the sync one is not: reached only through
    # the probe's async views (served by uvicorn).
    Profile("mutant-async-ignore-set-expiry", "a session backend whose aset_expiry() ignores its value",
            {"SESSION_ENGINE": "conformance.tests.apparatus.ignore_async_expiry_backend"}, ("int:4",),
            session_api=ASYNC),
    Profile("mutant-async-fixed-key", "a session backend whose acycle_key() keeps the key: alogin() does not "
            "change it", {"SESSION_ENGINE": "conformance.tests.apparatus.fixed_async_key_backend",
                          "SESSION_COOKIE_AGE": 4}, session_api=ASYNC),
)


def pytest_conformance_profiles(config):
    return MUTANTS
