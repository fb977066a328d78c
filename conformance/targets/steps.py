"""What a visitor does on a site's pages, as ordered steps: signing in and logging out in black-box
mode. A step says what it does and where in the config it comes from, so a step that fails is
named in the message (the black-box driver performs them: drivers/blackbox.py)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

# goto: open a URL. fill: type into a field. check/uncheck: set a checkbox. click: click something
# that changes the page without leaving it (opens a menu). submit: click what sends a form or
# follows a link (a navigation, recorded as the step's request).
KINDS = ("goto", "fill", "check", "uncheck", "click", "submit")
# What a config's [logout] steps may use (filling a form is the login's job).
LOGOUT_KINDS = ("goto", "click", "submit")
NAVIGATES = ("goto", "submit")


@dataclass(frozen=True)
class Step:
    """One thing a visitor does on a page. `key` names where in the config it comes from."""

    kind: str  # one of KINDS
    target: str  # the URL (goto) or a CSS selector
    key: str  # e.g. "[login] password_field", for messages
    value: str = field(default="", repr=False)  # what `fill` types (a credential: never shown)

    def describe(self) -> str:
        return f"{self.kind} {self.key} {self.target!r}"


class StepsError(ValueError):
    """A list of steps that cannot work; the message names the step and the fix."""


def parse_steps(section: str, items: list, base_url: str, kinds: tuple[str, ...] = LOGOUT_KINDS) -> tuple[Step, ...]:
    """`steps = [{goto = "account/"}, {click = ".menu"}, {submit = "#logout button"}]`: each an
    inline table with one of `kinds`; URLs relative to the base URL. The last step must be a request
    (goto or submit): it is the one the action is judged by."""
    if not isinstance(items, list) or not items:
        raise StepsError(f"[{section}] steps must be a non-empty list of steps such as {{ goto = \"account/\" }}")
    steps = []
    for n, item in enumerate(items, 1):
        where = f"[{section}] step {n}"
        if not isinstance(item, dict) or len(item) != 1:
            raise StepsError(f"{where} must be one {{ kind = \"...\" }} with one of: {', '.join(kinds)}")
        ((kind, value),) = item.items()
        if kind not in kinds:
            raise StepsError(f"{where}: unknown step {kind!r}; known: {', '.join(kinds)}")
        if not isinstance(value, str) or not value.strip():
            raise StepsError(f"{where}: {kind} needs a {'URL' if kind == 'goto' else 'CSS selector'}")
        target = urllib.parse.urljoin(base_url, value) if kind == "goto" else value
        steps.append(Step(kind, target, f"{where} ({kind})"))
    if steps[-1].kind not in NAVIGATES:
        raise StepsError(f"[{section}] the last step must be a goto or a submit (the request that "
                         f"{section}s); it is a {steps[-1].kind}")
    return tuple(steps)


def with_checkbox(steps: tuple[Step, ...], selector: str, ticked: bool, key: str) -> tuple[Step, ...]:
    """The same steps with a checkbox set just before the final submit ("Remember me")."""
    box = Step("check" if ticked else "uncheck", selector, key)
    return (*steps[:-1], box, steps[-1])
