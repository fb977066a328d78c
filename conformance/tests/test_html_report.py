"""The HTML report, opened in a real browser: one self-contained file (nothing fetched), the matrix
coloured by verdict, the filters, a result's evidence and doc quote, its session drawn on a time
axis, and the differences from a baseline and between Django versions highlighted. A screenshot
is kept in test-results/ for a look."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from conformance.checks import families
from conformance.observe import browsers
from conformance.report import compare, html
from conformance.report.results import Report, Result, ResultKey

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-results"

TIMELINE = {"scenario": "lifecycle", "profile": "age-4s-db", "browser": "chromium", "django": "6.1.3", "max_age": 4,
            "server_age": 4, "events": [
                {"label": "start", "sent_s": 0.0, "received_s": 0.05, "replay": False, "status": 200,
                 "cookie_sent": False, "accepted": False,
                 "set_cookie": {"max_age": 4, "deletes": False, "persistent": True}},
                {"label": "read", "sent_s": 0.1, "received_s": 0.12, "replay": False, "status": 200,
                 "cookie_sent": True, "accepted": True, "set_cookie": None},
                {"label": "replay-expired", "sent_s": 4.6, "received_s": 4.62, "replay": True, "status": 200,
                 "cookie_sent": True, "accepted": False, "set_cookie": None}],
            "deadlines": [{"what": "browser stops sending it (last Set-Cookie + Max-Age)", "at_s": 4.05},
                          {"what": "server refuses it (last save + 4 s)", "at_s": 4.04},
                          {"what": "server refuses it (two weeks)", "at_s": 1209600.0}]}


def result(check, family, verdict, django, known=None, **facts):
    return Result(key=ResultKey(check, "age-4s-db", "chromium", django), verdict=verdict, family=family, known=known,
                  expected="Max-Age=4", observed="Max-Age=4" if verdict == "pass" else "Max-Age=None",
                  evidence=[{"step": "start", "status": 200, "set_cookie": "sessionid=k; Max-Age=4; Path=/",
                             "cookie_received": None, "accepted": False}],
                  facts=facts, title=f"{check}'s title", doc=f"https://docs.djangoproject.com/en/{django[:3]}/x",
                  quote="The age of session cookies, in seconds.", scenario="lifecycle")


@pytest.fixture(scope="module")
def page_of():
    spec = browsers.resolve("chromium", browsers.playwright_paths().get("chromium"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**spec.launch_args)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        requested = []
        context.on("request", lambda r: requested.append(r.url))

        def open_(path: Path):
            page = context.new_page()
            page.goto(path.as_uri())
            page.requested = requested
            return page
        yield open_
        browser.close()


def test_the_report_shows_verdicts_filters_evidence_timelines_and_differences(tmp_path, page_of):
    old = Report(results=(result("AGE-01", "cookie-age", "pass", "5.2.19", max_age=4),
                          result("SRV-01", "server-expiry", "fail", "5.2.19", known="file backend")),
                 django="5.2.19", timelines={"lifecycle age-4s-db chromium": {**TIMELINE, "django": "5.2.19"}})
    new = Report(results=(result("AGE-01", "cookie-age", "fail", "6.1.3", max_age=None),
                          result("SRV-01", "server-expiry", "fail", "6.1.3", known="file backend")),
                 django="6.1.3", timelines={"lifecycle age-4s-db chromium": TIMELINE})
    path = tmp_path / "report.html"
    html.write(path, [old, new], [compare.diff(old, new)], compare.across_versions([old, new]), families())

    page = page_of(path)
    assert page.title() == "Session conformance report"
    assert all(url.startswith("file://") for url in page.requested)  # self-contained: nothing fetched
    # The matrix, coloured: AGE-01 failed on 6.1 (cookie-age F), SRV-01 a known defect (K).
    cells, first_of_61 = page.locator("table.matrix td.cell"), len(families())  # one cell per family and row
    assert "v-fail" in cells.nth(first_of_61).get_attribute("class")
    assert cells.nth(first_of_61).inner_text().strip() == "F"
    assert page.locator("table.matrix td.v-known").count() == 2
    # The differences, highlighted: a regression against the baseline, and a row across versions.
    assert page.get_by_text("Against the baseline (Django 5.2.19").is_visible()
    regression = page.locator("tr.regression")
    assert regression.count() == 1 and "max_age: 4 → None" in regression.inner_text()
    assert "Across Django versions" in page.content() and page.locator("details.changed").count() == 1
    # Filters: only the fails of cookie-age.
    assert page.locator("#shown").inner_text() == "4"
    page.select_option("select[name=verdict]", "fail")
    page.select_option("select[name=family]", "cookie-age")
    assert page.locator("#shown").inner_text() == "1"
    shown = page.locator("details.result:not([hidden])")
    assert shown.count() == 1 and "AGE-01" in shown.inner_text()
    # A result: expected/observed, evidence, quote with its doc link, and the session's timeline.
    shown.locator("summary").click()
    body = shown.inner_text()
    assert "Expected: Max-Age=4" in body and "Observed: Max-Age=None" in body and "sessionid=k; Max-Age=4" in body
    assert shown.locator("a[href='https://docs.djangoproject.com/en/6.1/x']").count() == 1
    svg = shown.locator("svg.timeline")
    assert svg.count() == 1
    assert svg.locator("circle").count() == 3 and svg.locator("rect").count() == 1  # 3 requests, 1 Set-Cookie
    assert "server refuses it (two weeks): +1209600.00 s (beyond this chart)" in svg.inner_html()
    ARTIFACTS.mkdir(exist_ok=True)
    shown.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    # Clicking a matrix cell filters to its profile and family.
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=family]", "")
    page.locator("table.matrix td.cell[data-family='server-expiry']").first.click()
    assert page.locator("#shown").inner_text() == "2"
