"""The sign-in pace (drivers/sign_ins.py): evenly spaced sign-ins at the rate asked for, and a
refused sign-in told apart by whether the site had accepted the same credentials before."""

import asyncio
import time

import pytest

from conformance.drivers.sign_ins import RateError, SignInPace, SignInRefused, interval_of
from conformance.report import errors, terminal


@pytest.mark.parametrize("rate, seconds", [("2/s", 0.5), ("30/m", 2.0), ("100/h", 36.0), ("5/10s", 2.0),
                                           (" 1 / m ", 60.0)])
def test_rates_read_as_django_ratelimit_writes_them(rate, seconds):
    assert interval_of(rate) == pytest.approx(seconds)


@pytest.mark.parametrize("rate", ["", "fast", "0/s", "2/d", "2", "-1/s", "2/s/m"])
def test_a_rate_that_does_not_read_is_refused_naming_the_forms(rate):
    with pytest.raises(RateError, match="use N/s, N/m or N/h"):
        interval_of(rate)


def test_sign_ins_to_one_site_are_spaced_evenly_and_sites_do_not_wait_for_each_other():
    pace = SignInPace("20/s")  # 50 ms apart

    async def go():
        began = time.time()
        at = []

        async def one(site):
            await pace.turn(site)
            at.append((site, time.time() - began))

        await asyncio.gather(*(one("a") for _ in range(4)), one("b"))
        return at

    at = asyncio.run(go())
    a = sorted(t for site, t in at if site == "a")
    assert all(later - earlier >= 0.045 for earlier, later in zip(a, a[1:])), a
    assert [t for site, t in at if site == "b"][0] < 0.03


def test_a_first_refusal_is_bad_input_and_a_later_one_the_sites_limit():
    pace = SignInPace("2/s")
    assert pace.refused("https://site/", "HTTP 429 at /login/") is None  # nothing accepted yet: the config
    pace.succeeded("https://site/")
    refused = pace.refused("https://site/", "HTTP 429 at /login/")
    assert isinstance(refused, SignInRefused) and refused.answer == "HTTP 429 at /login/"
    assert "after accepting 1 with the same credentials" in str(refused) and "--sign-in-rate" in str(refused)
    assert pace.interval == pytest.approx(1.0)  # halved
    # Refusals of sign-ins already in flight do not slow it down again.
    pace.refused("https://site/", "HTTP 429 at /login/")
    assert pace.interval == pytest.approx(1.0)
    assert pace.describe() == {"rate": "2/s", "interval_s": 0.5, "final_interval_s": 1.0, "accepted": 1,
                               "refused": 2, "refusals": ["HTTP 429 at /login/"]}


def test_the_report_says_the_pace_and_what_was_refused():
    lines = terminal.run_lines({"sign_ins": {"rate": "2/s", "interval_s": 0.5, "final_interval_s": 1.0,
                                             "accepted": 20, "refused": 2, "refusals": ["HTTP 429 at /login/"]}})
    assert lines == ["sign-ins: 20 accepted, at most one every 0.5 s (--sign-in-rate 2/s); the site refused 2 "
                     "(HTTP 429 at /login/), so the run slowed to one every 1 s"]
    assert terminal.run_lines({}) == []


def test_errors_of_refused_sign_ins_and_stuck_scenarios_are_one_cause_each():
    refused = errors.classify("the scenario did not reach the sign-in: start: the site refused a sign-in (HTTP 429)")
    assert refused.text == "the site refused repeated sign-ins" and "--sign-in-rate" in refused.hint
    stuck = errors.classify("the scenario did not reach the x: renewal-write: did not finish within 120 s (stuck at "
                            "drivers/probe.py:148 replay)")
    assert stuck.text == "a browser call never returned"
