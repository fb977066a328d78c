"""pytest-xdist: a worker gets whole browsers. A browser's scenarios must run side by side to
finish in seconds (see campaign.py), and a worker observes them together on its first check of
that browser (fixtures.Campaigns), so every check of one browser goes to the same worker.

xdist's own --dist loadgroup (xdist_group marks) should do this, but with pytest 9.2 and
pytest-xdist 3.8 it did not: tests of one group ran on both workers (measured with a two-test
file). So the scope is read from the id pytest-playwright gives every check
(``test_x[profile-browser]``), whatever --dist says.
"""

from __future__ import annotations

import re

from xdist.scheduler import LoadScopeScheduling

from .settings import KNOWN_BROWSERS

_BROWSER = re.compile(r"-(%s)\]$" % "|".join(KNOWN_BROWSERS))


def browser_scope(nodeid: str) -> str:
    """The browser a check runs in, or the node id itself for anything else."""
    found = _BROWSER.search(nodeid)
    return found.group(1) if found else nodeid


class BrowserScheduling(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        return browser_scope(nodeid)
