"""pytest-xdist: a worker gets whole browsers. A browser's scenarios must run side by side to
finish in seconds (observe/campaign.py), and a worker observes them together on its first check
of that browser (plugin/fixtures.Observations), so every check of one browser goes to the same
worker. The controller merges every worker's Results into one report (plugin/recorder.py).

xdist's own --dist loadgroup (xdist_group marks) should do this, but with pytest 9.2 and
pytest-xdist 3.8 it did not: tests of one group ran on both workers (measured with a two-test
file). The controller knows items by node id only, so the scope is the browser that ends every
check's id (`test_x[<profile>-<browser>]`, the parameters plugin/__init__.py and
pytest-playwright give it), among the run's own browsers.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling


def browser_scope(nodeid: str, browsers) -> str:
    """The browser a check runs in, or the node id itself for anything else."""
    return next((b for b in browsers if nodeid.endswith(f"-{b}]")), nodeid)


def is_worker(config) -> bool:
    return hasattr(config, "workerinput")


class BrowserScheduling(LoadScopeScheduling):
    def __init__(self, config, log=None, browsers=()):
        super().__init__(config, log)
        self.browsers = tuple(browsers)

    def _split_scope(self, nodeid: str) -> str:
        return browser_scope(nodeid, self.browsers)
