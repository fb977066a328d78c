"""Bounding what the browser is asked to do: a call that never returns (a browser that stopped
answering its driver) is named where it waits, and becomes something to observe again, never a
hang of the whole run nor a verdict."""

from __future__ import annotations

import asyncio

# One target's part of a grouped scenario (a sign-in and a read, a walk through four pages and Back).
STAGE_TIMEOUT_S = 60.0
CLEAN_UP_S = 5.0


class Stuck(Exception):
    """A call that did not return in time; the message says where it waited."""


def stuck_at(task: asyncio.Task) -> str:
    """Where a task waits: its innermost line of this package, and its innermost line of all."""
    frames = task.get_stack(limit=200)
    ours = [f for f in frames if "/conformance/" in f.f_code.co_filename]

    def line(frame) -> str:
        path = frame.f_code.co_filename
        return f"{'/'.join(path.split('/')[-2:])}:{frame.f_lineno} {frame.f_code.co_name}"

    return ", ".join(dict.fromkeys(line(f) for f in ours[-1:] + frames[-1:])) or "an unknown await"


async def bounded(coro, seconds: float = STAGE_TIMEOUT_S, what: str = "it"):
    """Await coro for at most `seconds`; past that, cancel it and raise Stuck naming where it waited."""
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        where = stuck_at(task)
        await abandon(task)
        raise Stuck(f"{what} did not finish within {seconds:.0f} s (stuck at {where})")
    return task.result()


async def abandon(task: asyncio.Task) -> None:
    """Cancel a task and give its clean-up a few seconds (closing a context of a browser that no
    longer answers would hang too); past that it is left behind."""
    task.cancel()
    await asyncio.wait({task}, timeout=CLEAN_UP_S)
