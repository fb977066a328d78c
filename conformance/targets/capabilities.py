"""What a check may need from a target beyond its configuration, by name. A check declares what it
needs (judge.check), a target says which of these it lacks and why (Target.lacks); whether a
check applies is decided in one place (judge.applicability)."""

WRITE = "write"  # modify the session on demand (the probe's touch/; no site page does it for us)
LOGOUT = "logout"  # end the session the way the site's own logout does
RELAUNCH = "relaunch"  # close the browser and relaunch it on the same profile folder
# The session lives to its idle deadline undisturbed: no absolute timeout ends it before a
# check's timeline (expiry and renewal wait up to two idle ages) is over.
UNINTERRUPTED = "uninterrupted"

ALL = (WRITE, LOGOUT, RELAUNCH, UNINTERRUPTED)
