"""The browser session: one driver protocol (drivers/base.py) and its two drivers, the probe's and
the black-box one, chosen once per target from its mode."""

from __future__ import annotations

import dataclasses

from playwright.async_api import BrowserContext

from ..exchange import Observation
from ..targets.target import BLACK_BOX, PROBE, REFERENCE, Target
from .base import Driver, DriverError, TooSlow
from .blackbox import BlackBoxDriver
from .probe import ProbeDriver

DRIVERS: dict[str, type[Driver]] = {REFERENCE: ProbeDriver, PROBE: ProbeDriver, BLACK_BOX: BlackBoxDriver}


def open_driver(target: Target, obs: Observation, context: BrowserContext, page=None) -> Driver:
    """The driver for this target, acting in this context (and page, if one is open)."""
    return DRIVERS[target.mode](target, obs, context, page)


def with_driver_lacks(target: Target) -> Target:
    """The target, lacking also what its driver cannot do (its own reasons take precedence)."""
    return dataclasses.replace(target, lacks={**DRIVERS[target.mode].lacks(target), **target.lacks})


__all__ = ["Driver", "DriverError", "TooSlow", "open_driver", "with_driver_lacks", "DRIVERS"]
