"""cookie-attributes: the raw Set-Cookie carries the name and attributes the settings ask for
(read from the header: the jar reports a missing SameSite as Lax and accepts Secure over http)."""

from conformance.checks.lifecycle import lifecycle
from conformance.judge.check import SETTINGS, Family, Run, check
from conformance.judge.verdict import judge

FAMILY = Family("cookie-attributes", "The session cookie's name, Path, Domain, Secure, HttpOnly and SameSite, "
                "read from the raw Set-Cookie header.")


def _attribute(run: Run, attr: str, expected, shown: str):
    start = run.step("start")
    if start is None:  # the scenario never got as far (it is observed again)
        return run.missing("start")
    sc = start.session_set_cookie(run.cookie)
    if sc is None:
        names = [c.name for c in start.set_cookies]
        return judge(False, f"Set-Cookie for {run.cookie!r}", f"cookies set: {names or 'none'}",
                     run.evidence("start"))
    actual = sc.attrs.get(attr)
    facts = {shown: actual}
    if isinstance(expected, bool):
        ok = (actual is not None) == expected
        return judge(ok, f"{shown} {'present' if expected else 'absent'}",
                     f"{shown} {'present' if actual is not None else 'absent'}", run.evidence("start"), facts=facts)
    if expected is None:
        return judge(actual is None, f"no {shown} attribute", f"{shown}={actual}", run.evidence("start"), facts=facts)
    ok = isinstance(actual, str) and actual.lower() == str(expected).lower()
    return judge(ok, f"{shown}={expected}", f"{shown}={actual}" if actual is not None else f"no {shown}",
                 run.evidence("start"), facts=facts)


@check("ATTR-01", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-name")
def test_cookie_name(run: Run):
    """The session cookie has the configured name.

    SESSION_COOKIE_NAME: "The name of the cookie to use for sessions."
    """
    start = run.step("start")
    if start is None:
        return run.missing("start")
    names = [c.name for c in start.set_cookies]
    return judge(run.cookie in names, f"Set-Cookie named {run.cookie!r}", f"names set: {names or 'none'}",
                 run.evidence("start"), facts={"cookies_set": sorted(set(names))})


@check("ATTR-02", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-path")
def test_cookie_path(run: Run):
    """The session cookie's Path is SESSION_COOKIE_PATH.

    SESSION_COOKIE_PATH: "The path set on the session cookie. This should either match the URL path
    of your Django installation or be parent of that path."
    """
    return _attribute(run, "path", run.promise.attributes.path, "Path")


@check("ATTR-03", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-domain")
def test_cookie_domain(run: Run):
    """The session cookie's Domain is SESSION_COOKIE_DOMAIN, or absent (host-only) when None.

    SESSION_COOKIE_DOMAIN: "The domain to use for session cookies. ... Use None for a standard
    domain cookie."
    """
    return _attribute(run, "domain", run.promise.attributes.domain, "Domain")


@check("ATTR-04", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-secure")
def test_cookie_secure(run: Run):
    """The session cookie is marked Secure exactly when SESSION_COOKIE_SECURE is True.

    SESSION_COOKIE_SECURE: "Whether to use a secure cookie for the session cookie. If this is set to
    True, the cookie will be marked as 'secure', which means browsers may ensure that the cookie is
    only sent under an HTTPS connection."
    """
    return _attribute(run, "secure", run.promise.attributes.secure, "Secure")


@check("ATTR-05", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-httponly")
def test_cookie_httponly(run: Run):
    """The session cookie is marked HttpOnly exactly when SESSION_COOKIE_HTTPONLY is True.

    SESSION_COOKIE_HTTPONLY: "Whether to use HttpOnly flag on the session cookie. If this is set to
    True, client-side JavaScript will not be able to access the session cookie."
    """
    return _attribute(run, "httponly", run.promise.attributes.httponly, "HttpOnly")


@check("ATTR-06", family=FAMILY, scenario=lifecycle, doc=SETTINGS + "#session-cookie-samesite")
def test_cookie_samesite(run: Run):
    """The session cookie's SameSite is SESSION_COOKIE_SAMESITE, absent when the setting is False.

    SESSION_COOKIE_SAMESITE: "The value of the SameSite flag on the session cookie. This flag
    prevents the cookie from being sent in cross-site requests thus preventing CSRF attacks."
    """
    return _attribute(run, "samesite", run.promise.attributes.samesite, "SameSite")
