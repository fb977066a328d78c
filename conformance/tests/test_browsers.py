"""Which browser each engine launches (observe/browsers.py): headless, Chromium's headless shell
first, with the full browser kept for the back/forward cache; headed, the full browser; Firefox
with the prefs that spare it requests and processes."""

import pytest

from conformance.observe import browsers

FOUND = {"chromium-headless-shell": "/usr/bin/chromium-headless-shell", "chromium": "/usr/bin/chromium",
         "firefox-esr": "/usr/bin/firefox-esr"}


@pytest.fixture
def system(monkeypatch):
    monkeypatch.setattr(browsers.shutil, "which", lambda name: FOUND.get(name))


def test_headless_chromium_is_the_shell_with_the_full_browser_for_the_back_forward_cache(system):
    spec = browsers.resolve("chromium", None)
    assert spec.executable == "/usr/bin/chromium-headless-shell" and spec.source == "system"
    assert spec.bfcache_launch_args["executable_path"] == "/usr/bin/chromium"


def test_headed_chromium_is_the_full_browser(system):
    spec = browsers.resolve("chromium", None, headless=False)
    assert spec.executable == "/usr/bin/chromium" and spec.bfcache_launch_args is None


def test_the_full_browser_is_one_option_away(system, tmp_path):
    full = tmp_path / "chromium"
    full.write_text("")
    full.chmod(0o755)
    spec = browsers.resolve("chromium", None, override=str(full))
    assert spec.executable == str(full) and spec.bfcache_launch_args is None


def test_only_the_shell_installed_has_no_back_forward_cache_browser(monkeypatch):
    monkeypatch.setattr(browsers.shutil, "which",
                        lambda name: FOUND[name] if name == "chromium-headless-shell" else None)
    spec = browsers.resolve("chromium", None)
    assert spec.executable.endswith("chromium-headless-shell") and spec.bfcache_launch_args is None


def test_system_firefox_gets_its_prefs(system):
    spec = browsers.resolve("firefox", None)
    assert spec.launch_args["channel"] == "moz-firefox"
    assert spec.launch_args["firefox_user_prefs"]["browser.chrome.site_icons"] is False
