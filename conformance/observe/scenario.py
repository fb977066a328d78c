"""Declaring a scenario: a timeline a visitor follows, recorded into an Observation. The check
families declare their scenarios (conformance/checks/) and each check names the one it reads; the
campaign runs whichever the selected checks need, one per (scenario, profile, browser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, NamedTuple


class ScenarioKey(NamedTuple):
    """One observation to make: this scenario, on this target (a profile, on one site), in this browser."""

    scenario: str
    target: str  # the target's id (the profile's name, @django-<spec> when comparing versions)
    browser: str


@dataclass(frozen=True)
class Scenario:
    name: str  # stable: step labels and the report's timings refer to it
    run: Callable[..., Awaitable[None]]  # async fn(stage), or fn(stages) when grouped; fn(key, outcomes) derived
    # Grouped: one run per browser covers every profile that needs it (browser restarts are whole
    # browser starts: done once for the group, after the timed scenarios, without deadlines).
    grouped: bool = False
    # Derived: no browser of its own; made, once every other scenario is over, from what they all
    # observed (a census across the whole run). fn(key, outcomes) -> Observation.
    derived: bool = False
    # Grouped and mostly waiting (a session restored, then waited out on the server): takes its
    # lane before the browser's other groups (campaign.GROUP_LANES), so its clock starts first.
    idle: bool = False
    # How long it waits on a target, at least (fn(promise) -> seconds): one that waits far longer
    # than the others takes its slot first (campaign.mixed), so it does not end the phase alone.
    waits: Callable[..., float] | None = None

    def __repr__(self) -> str:
        return f"Scenario({self.name!r})"


def scenario(name: str, grouped: bool = False, derived: bool = False, idle: bool = False, waits=None):
    """`@scenario("lifecycle")` on an `async def fn(stage)` (grouped: `fn(stages)`; derived: a
    plain `fn(key, outcomes)`)."""
    def decorate(fn) -> Scenario:
        return Scenario(name, fn, grouped, derived, idle, waits)
    return decorate
