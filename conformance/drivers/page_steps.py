"""Acting on a page element that a config names (a field, a checkbox, a menu, a button), and when it
cannot be done, saying why in words: not found, hidden, disabled, or covered by something else.
Playwright alone would only say "Timeout 10000ms exceeded"."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ..targets.steps import Step


class StepFailed(Exception):
    """The step could not be done; the message says why (without the step's name: the caller adds it)."""


def visible(page: Page, selector: str):
    """The first visible element the selector matches (a menu's items exist, hidden, before it opens)."""
    return page.locator(selector).filter(visible=True).first


async def act(page: Page, step: Step) -> None:
    """fill, check, uncheck or click, on the first visible match."""
    element = visible(page, step.target)
    try:
        if step.kind == "fill":
            await element.fill(step.value)
        elif step.kind == "check":
            await element.check()
        elif step.kind == "uncheck":
            await element.uncheck()
        elif step.kind == "click":
            await element.click()
        else:
            raise StepFailed(f"{step.kind} is not an action on an element")
    except PlaywrightError as exc:
        raise StepFailed(await why(page, step.target, exc)) from None


async def why(page: Page, selector: str, exc: Exception | None = None) -> str:
    """Why the selector's element could not be acted on, as far as the page tells."""
    detail = str(exc).splitlines()[0] if exc else ""
    try:
        matches = page.locator(selector)
        count = await matches.count()
        if count == 0:
            return "not found on the page"
        shown = await matches.filter(visible=True).count()
        if shown == 0:
            return (f"hidden ({count} match{'es' if count > 1 else ''}, none visible): if a menu holds it, "
                    "open the menu first with a { click = \"...\" } step")
        if not await matches.filter(visible=True).first.is_enabled():
            return "disabled"
    except PlaywrightError as inner:  # a selector the browser cannot parse, or the page went away
        return f"cannot be looked up: {str(inner).splitlines()[0]}"
    if "intercepts pointer events" in str(exc or ""):
        return "not clickable: another element covers it (an overlay, a cookie banner?)"
    return f"not clickable: {detail}" if detail else "not clickable"
