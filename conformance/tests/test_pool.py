"""The context pool's lending order (pure, with stand-in contexts): a returned context goes to a
waiting scenario on its page's site when one is near the head of the queue, so that scenario needs
no navigation; otherwise to the first in line; a cancelled wait loses no context."""

import asyncio
from types import SimpleNamespace

from conformance.observe import pool as pool_module
from conformance.observe.pool import ContextPool


class _Page:
    def __init__(self, url="about:blank"):
        self.url = url

    async def set_extra_http_headers(self, headers):
        pass


class _Context:
    def __init__(self, n):
        self.n, self.closed = n, False

    async def clear_cookies(self):
        pass

    async def new_page(self):
        return _Page()

    async def close(self):
        self.closed = True


class _Browser:
    def __init__(self):
        self.opened = []

    async def new_context(self, **args):
        self.opened.append(_Context(len(self.opened)))
        return self.opened[-1]


def _target(site):
    return SimpleNamespace(base_url=site, token="", mode="probe")


A, B = "http://127.0.0.10:8000", "http://127.0.0.11:8000"


async def _lend_in_turn(pool, sites, hold_first=None):
    """Leases for these sites, asked in this order; the context each got, in the order they got it."""
    got = []

    async def one(i, site):
        async with pool.lease(_target(site), None) as driver:
            got.append((i, driver.context.n))
            driver._page.url = site + "/"  # the scenario navigated there
            await asyncio.sleep(0)

    await asyncio.gather(*(one(i, s) for i, s in enumerate(sites)))
    return got


def test_a_returned_context_goes_to_a_waiting_lease_on_its_pages_site():
    async def go():
        pool = await ContextPool(_Browser(), 1).warm()
        return await _lend_in_turn(pool, [A, B, A])
    # The one context serves A first; returned (its page on A), it goes to the second A, ahead of B.
    assert [i for i, _ in asyncio.run(go())] == [0, 2, 1]


def test_no_lease_on_the_site_near_the_head_takes_the_first_in_line(monkeypatch):
    monkeypatch.setattr(pool_module, "AFFINITY_LOOKAHEAD", 1)

    async def go():
        pool = await ContextPool(_Browser(), 1).warm()
        return await _lend_in_turn(pool, [A, B, A])
    assert [i for i, _ in asyncio.run(go())] == [0, 1, 2]  # the A behind B is beyond the lookahead


def test_a_free_context_on_the_site_is_lent_before_others():
    async def go():
        pool = ContextPool(_Browser(), 2)
        await pool.warm()
        first, second = pool._free
        second[1].url = B + "/"
        async with pool.lease(_target(B), None) as driver:
            return driver.context is second[0]
    assert asyncio.run(go())


def test_a_cancelled_wait_loses_no_context():
    async def go():
        pool = await ContextPool(_Browser(), 1).warm()
        async with pool.lease(_target(A), None):
            waiting = asyncio.ensure_future(_lend_in_turn(pool, [A]))
            await asyncio.sleep(0)
            waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        return len(pool._free), pool._waiting
    assert asyncio.run(go()) == (1, [])
