"""Limitations Django itself documents. A check that observes one reports `caveat` with the quote,
neither hiding it as a pass nor failing the run."""

SIGNED_STALE = ("signed_cookies: \"Cookies will only be detected as 'stale' if they are older than "
                "your SESSION_COOKIE_AGE.\" (set_expiry() is not enforced server-side; Django ticket #27775)")
SIGNED_LOGOUT = "signed_cookies: \"cookie-based sessions are not invalidated when a user logs out.\""
SESSION_RESTORE = ("session restore: \"Some browsers (Chrome, for example) provide settings that allow users to "
                   "continue browsing sessions after closing and reopening the browser. In some cases, this can "
                   "interfere with the SESSION_EXPIRE_AT_BROWSER_CLOSE setting and prevent sessions from expiring on "
                   "browser close.\"")
