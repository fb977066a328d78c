"""Black-box config: the policy becomes the SESSION_* settings it stands for, and every mistake
in the file is one line naming the fix."""

from pathlib import Path

import pytest

from conformance.drivers import with_driver_lacks
from conformance.targets.blackbox_config import Step, load, settings_for
from conformance.targets.capabilities import LOGOUT, UNINTERRUPTED, WRITE
from conformance.targets.deployment import DeploymentError
from conformance.targets.promises import promise_for

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "blackbox.toml"  # the README's (Django admin)
# The test deployment's own pages.
DEPLOYMENT = Path(__file__).resolve().parent / "apparatus" / "deployment" / "blackbox.toml"
ENV = {"SITE_USERNAME": "alice", "SITE_PASSWORD": "pw"}


def test_example_config_loads():
    site = load(EXAMPLE, "https://staging.example", ENV)
    assert site.login_url == "https://staging.example/admin/login/"
    assert site.signed_in_url == "https://staging.example/admin/"
    # Signing in and logging out are ordered steps.
    assert site.login == (Step("goto", "https://staging.example/admin/login/", "[login] url"),
                          Step("fill", "#id_username", "[login] username_field", "alice"),
                          Step("fill", "#id_password", "[login] password_field", "pw"),
                          Step("submit", "input[type=submit]", "[login] submit"))
    assert site.logout == (Step("goto", "https://staging.example/admin/", "[logout] url"),
                           Step("submit", "#logout-form [type=submit]", "[logout] submit"))
    (profile,) = site.profiles
    assert profile.name == "blackbox-sessionid-age1209600"
    assert site.describe()["mode"] == "black-box" and "pw" not in str(site.describe())
    promise = promise_for(site.settings)
    assert promise.attributes.name == "sessionid" and not promise.attributes.secure
    assert promise.max_age == 1209600 and not promise.save_every_request


def test_deployment_config_loads():
    site = load(DEPLOYMENT, "https://127.0.0.1:8443/", ENV)
    assert site.logout == (Step("goto", "https://127.0.0.1:8443/accounts/logout-now/", "[logout] url"),)
    assert site.profiles[0].name == "blackbox-__Host-sessionid-age1209600"
    assert promise_for(site.settings).attributes.secure


def test_policy_defaults_are_djangos():
    s = settings_for({"age": 60})
    assert s["SESSION_COOKIE_NAME"] == "sessionid" and s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax" and s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert settings_for({"age": 60, "samesite": False})["SESSION_COOKIE_SAMESITE"] is False


def test_sliding_browser_length_policy_names_itself(tmp_path):
    text = EXAMPLE.read_text().replace("sliding = false", "sliding = true").replace(
        "browser_length = false", "browser_length = true")
    (tmp_path / "c.toml").write_text(text)
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    assert site.profiles[0].name == "blackbox-sessionid-age1209600-browser-close-sliding"


def test_a_blackbox_target_lacks_writes_and_without_logout_a_logout(tmp_path):
    target = with_driver_lacks(load(DEPLOYMENT, "https://x.example/", ENV).target_for(
        load(DEPLOYMENT, "https://x.example/", ENV).profiles[0]))
    assert set(target.lacks) == {WRITE} and "only the probe can" in target.lacks[WRITE]
    text = DEPLOYMENT.read_text().replace('[logout]', '#').replace('url = "accounts/logout-now/"', '')
    (tmp_path / "c.toml").write_text(text)
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    assert site.logout == ()
    target = with_driver_lacks(site.target_for(site.profiles[0]))
    assert target.lacks[LOGOUT] == "no [logout] url in the black-box config"


@pytest.mark.parametrize("edit, env, message", [
    (lambda t: t, {}, "set the environment variable"),
    (lambda t: t.replace("[signed_in]", "[signed_inn]"), ENV, "unknown section"),
    (lambda t: t.replace("age = 1209600", "age = '2w'"), ENV, "wrong type"),
    (lambda t: t.replace("age = 1209600", "agee = 1"), ENV, "unknown key 'agee'"),
    (lambda t: t.replace('text = "Site administration"', ""), ENV, r"\[signed_in\] lacks text"),
    (lambda t: t.replace('# backend = "db"', 'backend = "redis"'), ENV, "is not one of"),
    (lambda t: t + "[[", ENV, "not valid TOML"),
    (lambda t: t.replace('text = "Site administration"', 'text = " "'), ENV, "must not be empty"),
    (lambda t: t.replace('samesite = "Lax"', 'samesite = "lax-ish"'), ENV, "samesite"),
    (lambda t: t.replace("age = 1209600", "age = -3"), ENV, "age must be a positive"),
    (lambda t: t.replace('"sessionid"', '"__Host-sid"'), ENV, "needs secure = true"),
    (lambda t: t.replace('"sessionid"', '"__Host-sid"').replace("secure = false", "secure = true").replace(
        'path = "/"', 'path = "/app/"'), ENV, 'needs path = "/" and no domain'),
])
def test_config_errors_are_one_line(tmp_path, edit, env, message):
    (tmp_path / "c.toml").write_text(edit(EXAMPLE.read_text()))
    with pytest.raises(DeploymentError, match=message) as info:
        load(tmp_path / "c.toml", "https://x.example/", env)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(DeploymentError, match="does not exist"):
        load(tmp_path / "nope.toml", "https://x.example/", ENV)


def test_absolute_timeout_reaches_the_promise(tmp_path):
    (tmp_path / "c.toml").write_text(EXAMPLE.read_text() + "absolute_timeout = 8\n")
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    assert site.profiles[0].name == "blackbox-sessionid-age1209600-absolute8"
    assert promise_for(site.settings).absolute_timeout == 8
    assert promise_for({"SESSION_COOKIE_AGE": 60}).absolute_timeout is None


def test_a_short_absolute_timeout_skips_the_timelines_it_would_cut(tmp_path):
    text = EXAMPLE.read_text().replace("age = 1209600", "age = 4")
    (tmp_path / "short.toml").write_text(text + "absolute_timeout = 8\n")
    (tmp_path / "long.toml").write_text(text + "absolute_timeout = 12\n")
    short = dict(load(tmp_path / "short.toml", "https://x.example/", ENV).profiles[0].withholds)
    assert "10 s" in short[UNINTERRUPTED]
    assert UNINTERRUPTED not in dict(load(tmp_path / "long.toml", "https://x.example/", ENV).profiles[0].withholds)


def test_directory_is_one_line(tmp_path):
    with pytest.raises(DeploymentError, match="cannot be read"):
        load(tmp_path, "https://x.example/", ENV)


def test_password_not_in_repr():
    assert "pw" not in repr(load(EXAMPLE, "https://x.example/", {"SITE_USERNAME": "a", "SITE_PASSWORD": "pw"}))


def test_a_section_that_is_not_a_table(tmp_path):
    text = EXAMPLE.read_text()
    table = text[text.index("\n[signed_in]\n"):text.index("\n[logout]")]
    (tmp_path / "c.toml").write_text('signed_in = "x"\n' + text.replace(table, ""))
    with pytest.raises(DeploymentError, match=r"signed_in must be a \[signed_in\] table"):
        load(tmp_path / "c.toml", "https://x.example/", ENV)
