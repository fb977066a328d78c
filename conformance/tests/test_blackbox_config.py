"""Black-box config: the policy becomes the SESSION_* settings it stands for, and every mistake
in the file is one line naming the fix."""

import re
from pathlib import Path

import pytest

from conformance.drivers import with_driver_lacks
from conformance.targets.blackbox_config import Step, load, settings_for
from conformance.targets.capabilities import DJANGO_DEFAULTS, LOGOUT, UNINTERRUPTED, WRITE
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
    assert set(target.lacks) == {WRITE, DJANGO_DEFAULTS} and "only the probe can" in target.lacks[WRITE]
    text = DEPLOYMENT.read_text().replace('[logout]', '#').replace('url = "accounts/logout-now/"', '')
    (tmp_path / "c.toml").write_text(text)
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    assert site.logout == ()
    target = with_driver_lacks(site.target_for(site.profiles[0]))
    assert target.lacks[LOGOUT] == "no [logout] in the black-box config"


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


REMEMBER = EXAMPLE.read_text().replace('submit = "input[type=submit]"',
                                       'submit = "input[type=submit]"\nremember = "input[name=remember]"')


def test_a_remember_me_box_makes_two_profiles_that_say_which_is_which(tmp_path):
    (tmp_path / "c.toml").write_text(REMEMBER)
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    remembered, forgotten = site.profiles
    assert remembered.name == "blackbox-sessionid-age1209600-remembered"
    assert forgotten.name == "blackbox-sessionid-age1209600-not-remembered-expiry0"
    ticked, unticked = site.target_for(remembered), site.target_for(forgotten)
    # The box is set just before the final submit, ticked or not.
    assert ticked.blackbox.login[-2] == Step("check", "input[name=remember]", "[login] remember")
    assert unticked.blackbox.login[-2] == Step("uncheck", "input[name=remember]", "[login] remember")
    assert ticked.promise.max_age == 1209600
    # Unticked: set_expiry(0), as Wagtail and allauth do; named so in what the checks say.
    assert unticked.promise.browser_length and unticked.promise.server_age == 1209600
    assert unticked.promise.lifetime == "browser-length (set_expiry(0))"


def test_each_remember_state_may_promise_its_own_policy(tmp_path):
    (tmp_path / "c.toml").write_text(REMEMBER + "\n[policy.remembered]\nage = 2592000\n"
                                                "\n[policy.not_remembered]\nage = 3600\n")
    remembered, forgotten = load(tmp_path / "c.toml", "https://x.example/", ENV).profiles
    assert remembered.name == "blackbox-sessionid-age2592000-remembered"
    assert forgotten.name == "blackbox-sessionid-age3600-not-remembered" and forgotten.expiry == ()
    assert promise_for(forgotten.session).max_age == 3600


def test_logout_as_ordered_steps(tmp_path):
    text = EXAMPLE.read_text().replace('url = "admin/"                       # a GET', 'steps = [{ goto = "admin/" }, '
                                       '{ click = "button.menu" }, { submit = "#logout-form button" }]  # a GET')
    text = text.replace('submit = "#logout-form [type=submit]"', "")
    (tmp_path / "c.toml").write_text(text)
    site = load(tmp_path / "c.toml", "https://x.example/", ENV)
    assert [(s.kind, s.target) for s in site.logout] == [
        ("goto", "https://x.example/admin/"), ("click", "button.menu"), ("submit", "#logout-form button")]
    assert site.logout[1].key == "[logout] step 2 (click)"


@pytest.mark.parametrize("steps, message", [
    ('[{ goto = "a/" }, { click = ".menu" }]', "the last step must be a goto or a submit"),
    ('[{ fill = "#x" }]', "step 1: unknown step 'fill'"),
    ('[{ goto = "a/", click = ".b" }]', "step 1 must be one"),
    ('[]', "non-empty list"),
])
def test_logout_step_errors_name_the_step(tmp_path, steps, message):
    text = EXAMPLE.read_text().replace('url = "admin/"                       # a GET', f'steps = {steps}  # a GET')
    (tmp_path / "c.toml").write_text(text.replace('submit = "#logout-form [type=submit]"', ""))
    with pytest.raises(DeploymentError, match=re.escape(message)):
        load(tmp_path / "c.toml", "https://x.example/", ENV)


@pytest.mark.parametrize("extra, message", [
    ("\n[policy.remembered]\nage = 60\n", "needs [login] remember"),
    ("idle_timeout = 0\n", "idle_timeout must be a positive"),
])
def test_policy_state_errors(tmp_path, extra, message):
    (tmp_path / "c.toml").write_text(EXAMPLE.read_text() + extra)
    with pytest.raises(DeploymentError, match=re.escape(message)):
        load(tmp_path / "c.toml", "https://x.example/", ENV)


def test_an_idle_timeout_reaches_the_promise_and_holds_back_the_long_timelines(tmp_path):
    text = EXAMPLE.read_text().replace("age = 1209600", "age = 60").replace("sliding = false", "sliding = true")
    (tmp_path / "c.toml").write_text(text + "idle_timeout = 3\nabsolute_timeout = 8\n")
    (profile,) = load(tmp_path / "c.toml", "https://x.example/", ENV).profiles
    assert profile.name == "blackbox-sessionid-age60-sliding-idle3-absolute8"
    assert promise_for(profile.session).idle_timeout == 3
    assert "idle timeout (3 s)" in dict(profile.withholds)[UNINTERRUPTED]
