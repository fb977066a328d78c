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


class Installer:
    """observe/install.py on a machine described by `on_path` and `root`, recording what it runs."""

    def __init__(self, monkeypatch, on_path: dict, root: bool, playwright: dict | None = None):
        from conformance.observe import install

        self.ran, self.on_path = [], dict(on_path)
        monkeypatch.setattr(browsers.shutil, "which", lambda name: self.on_path.get(name))
        monkeypatch.setattr(install.shutil, "which", lambda name: self.on_path.get(name))
        monkeypatch.setattr(install.os, "geteuid", lambda: 0 if root else 1000)
        monkeypatch.setattr(browsers, "playwright_paths", lambda: playwright or {})
        monkeypatch.setattr(install.subprocess, "run", self._run)
        self.install = install.install

    def _run(self, argv, **kwargs):
        self.ran.append(argv)
        if argv[:2] == ["apt-get", "install"]:  # what Debian's packages put on PATH
            self.on_path.update({"chromium": "/usr/bin/chromium", "firefox-esr": "/usr/bin/firefox-esr",
                                 "chromium-headless-shell": "/usr/bin/chromium-headless-shell"})
        return type("Done", (), {"returncode": 0})()


def test_install_does_nothing_when_every_browser_is_there(monkeypatch, capsys):
    installer = Installer(monkeypatch, FOUND | {"apt-get": "/usr/bin/apt-get"}, root=True)
    assert installer.install(["chromium", "firefox"], say=print) == 0
    assert installer.ran == []
    assert "chromium: chromium (system: /usr/bin/chromium-headless-shell)" in capsys.readouterr().out


def test_install_as_root_on_debian_takes_the_system_packages(monkeypatch, capsys):
    installer = Installer(monkeypatch, {"apt-get": "/usr/bin/apt-get"}, root=True)
    assert installer.install(["chromium", "firefox"]) == 0
    assert installer.ran == [["apt-get", "update", "-qq"],
                             ["apt-get", "install", "-y", "-qq", "chromium", "chromium-headless-shell", "firefox-esr"]]
    out = capsys.readouterr().out
    assert "installing Debian's chromium, chromium-headless-shell and firefox-esr" in out
    assert "firefox: firefox (system: /usr/bin/firefox-esr)" in out


def test_install_adds_the_headless_shell_beside_debians_chromium(monkeypatch):
    installer = Installer(monkeypatch, {"apt-get": "/usr/bin/apt-get", "chromium": "/usr/bin/chromium",
                                        "firefox-esr": "/usr/bin/firefox-esr"}, root=True)
    assert installer.install(["chromium", "firefox"]) == 0
    assert "chromium-headless-shell" in installer.ran[-1]


def test_install_elsewhere_is_playwrights_download(monkeypatch, capsys):
    import sys

    installer = Installer(monkeypatch, {}, root=False)
    assert installer.install(["chromium", "firefox"]) == 1  # this fake download installs nothing
    assert installer.ran == [[sys.executable, "-m", "playwright", "install", "chromium", "firefox"]]
    assert "no chromium browser found: run `conformance browsers --install`" in capsys.readouterr().out
