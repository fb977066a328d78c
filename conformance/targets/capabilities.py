"""What a check may need from a target beyond its configuration, by name. A check declares what it
needs (judge.check), a target says which of these it lacks and why (Target.lacks); whether a
check applies is decided in one place (judge.applicability)."""

WRITE = "write"  # modify the session on demand (the probe's touch/; no site page does it for us)
LOGOUT = "logout"  # end the session the way the site's own logout does
RELAUNCH = "relaunch"  # close the browser and relaunch it on the same profile folder
# The session lives to its idle deadline undisturbed: no absolute timeout ends it before a
# check's timeline (expiry and renewal wait up to two idle ages) is over.
UNINTERRUPTED = "uninterrupted"
PUBLIC_PAGE = "public-page"  # a page that never touches the session (the probe's, or one the config names)
# A browser launched here with its back/forward cache on, as users have it (test browsers are
# launched without it).
BACK_FORWARD_CACHE = "back-forward-cache"
# A page the suite knows the site marks never_cache (the probe's; in black-box mode, the signed-in
# page when the policy says so, as for the admin).
NEVER_CACHE_PAGE = "never-cache-page"

# The site sets no SESSION_* setting of its own (but the engine): the cookie it sends shows Django's
# documented defaults (the reference site's default-two-weeks profile; a deployment's settings are
# its own business).
DJANGO_DEFAULTS = "django-defaults"

ALL = (WRITE, LOGOUT, RELAUNCH, UNINTERRUPTED, PUBLIC_PAGE, BACK_FORWARD_CACHE, NEVER_CACHE_PAGE, DJANGO_DEFAULTS)
