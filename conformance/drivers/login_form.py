"""What a login form says back: whether the site took a sign-in (it moved on from the form, and a
new session got its cookie), in the site's own words when it did not (status, where it landed,
the form's error text), what to look at then, and the form's checkboxes the config leaves unticked
(a "Remember me" box)."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ..exchange import Exchange
from ..targets.target import plain

# What a page says when it refuses a sign-in: the visible text of the elements forms and frameworks
# put errors in (Django's errorlist and errornote, Bootstrap's alerts, ARIA alerts), else (not the
# form: a 429 or lockout page) the page's own text.
ERROR_TEXT = """formBack => {
  const shown = e => e.getClientRects().length > 0;
  const errors = [...document.querySelectorAll('.errorlist, .errornote, .error, .errors, .alert, [role=alert], '
    + '.invalid-feedback, .form-error, .messages .error')].filter(shown).map(e => e.innerText.trim()).filter(Boolean);
  if (errors.length) return [...new Set(errors)].slice(0, 3).join(' | ');
  return formBack ? '' : (document.body ? document.body.innerText : '');
}"""
ERROR_TEXT_MAX = 200
# The names of the unticked checkboxes in the form that holds the submit button.
UNTICKED_BOXES = """selector => {
  const form = document.querySelector(selector)?.closest('form');
  return form ? [...form.querySelectorAll('input[type=checkbox]')].filter(box => !box.checked)
                  .map(box => box.name || box.id || '(unnamed)') : [];
}"""


async def refusal(page: Page, site, landed: tuple[int, str], exchange: Exchange, cookie: str,
                  needs_cookie: bool) -> str | None:
    """None when the site took the sign-in; else what it answered, in its own words. `landed` is
    the final document's (status, URL); `needs_cookie`: a new session must have got its cookie."""
    status, url = landed
    form_back = await shows_form(page, site.password_selector)
    no_cookie = needs_cookie and exchange.session_set_cookie(cookie) is None
    if status < 400 and not form_back and not no_cookie:
        return None
    said = await page_says(page, form_back)
    where = f"HTTP {status} at {plain(url)}"
    parts = [f"the login form came back ({where})" if form_back else f"the site answered {where}"]
    if said:
        parts.append(f"the page says {said!r}")
    if no_cookie:
        names = sorted({c.name for c in exchange.set_cookies}) or ["none"]
        parts.append(f"no {cookie!r} cookie was set (cookies set: {', '.join(names)})")
    return "; ".join(parts)


def fix_for(site, status: int) -> str:
    """What to look at for a first sign-in that failed, by what the site answered."""
    if status in (403, 429):
        return (f"the site refuses this sign-in (HTTP {status}): is the account locked out, or this address "
                f"rate-limited? Unlock it, wait, or use another account ({site.source})")
    if status >= 500:
        return "a server error: the site's log says why"
    return f"check the credentials in {site.username_env}/{site.password_env}, [login] and [policy] cookie_name in " \
           f"{site.source}"


async def shows_form(page: Page, password_selector: str) -> bool:
    """The page shows the login form's password field (a sign-in the site refused brings it back)."""
    try:
        return await page.locator(password_selector).filter(visible=True).count() > 0
    except PlaywrightError:
        return False


async def page_says(page: Page, form_back: bool) -> str:
    """The form's own error text (Django's errorlist, a framework's alert), else the page's text."""
    try:
        text = await page.evaluate(ERROR_TEXT, form_back)
    except PlaywrightError:
        return ""
    text = " ".join((text or "").split())
    return text if len(text) <= ERROR_TEXT_MAX else text[:ERROR_TEXT_MAX - 1] + "…"


async def unticked_boxes(page: Page, submit_selector: str) -> list[str]:
    """The unticked checkboxes of the form holding the submit button (a "Remember me" box left
    unticked gives a browser-length session on Wagtail, allauth and many sites)."""
    try:
        return await page.evaluate(UNTICKED_BOXES, submit_selector)
    except PlaywrightError:
        return []
