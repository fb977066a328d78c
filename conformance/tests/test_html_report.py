"""The HTML report, opened in a real browser: one self-contained file (nothing fetched), the matrix
coloured by verdict, the filters, what failed or erred first, the results grouped by family with the
worst first, each with its doc quote and link beside the verdict, its session drawn on a time axis
whose labels and deadlines never overlap or leave the drawing, a request that carried no cookie
said as such, and the differences from a baseline and between Django versions highlighted.
Screenshots of a clean report and of one with failures are kept in reports/screenshots/ (printed)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conformance.checks import families
from conformance.observe import browsers
from conformance.report import compare, html, svg
from conformance.report.results import Report, Result, ResultKey

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "reports" / "screenshots"

TIMELINE = {"scenario": "lifecycle", "profile": "age-4s-db", "browser": "chromium", "django": "6.1.3", "max_age": 4,
            "server_age": 4, "events": [
                {"label": "start", "sent_s": 0.0, "received_s": 0.05, "replay": False, "status": 200,
                 "cookie_sent": False, "accepted": False,
                 "set_cookie": {"max_age": 4, "deletes": False, "persistent": True}},
                {"label": "read", "sent_s": 0.1, "received_s": 0.12, "replay": False, "status": 200,
                 "cookie_sent": True, "accepted": True, "set_cookie": None},
                {"label": "replay-expired", "sent_s": 4.6, "received_s": 4.62, "replay": True, "status": 200,
                 "cookie_sent": True, "accepted": False,
                 "set_cookie": {"max_age": 0, "deletes": True, "persistent": True}}],
            "deadlines": [{"what": "browser stops sending it (last Set-Cookie + Max-Age)", "at_s": 4.05},
                          {"what": "server refuses it (last save + 4 s)", "at_s": 4.04},
                          {"what": "server refuses it (two weeks)", "at_s": 1209600.0}]}

# A real run's renewal-write timeline (age-4s-db, Chromium, 2026-12-04): two deadlines 0.008 s apart,
# the last replay's Set-Cookie deleting the cookie at the right edge.
RENEWAL = {"events": [
    {"label": "start", "sent_s": 0.0, "received_s": 0.416, "replay": False, "status": 200, "cookie_sent": False,
     "accepted": False, "set_cookie": {"max_age": 4, "deletes": False, "persistent": True}},
    {"label": "replay-live", "sent_s": 0.692, "received_s": 0.791, "replay": True, "status": 200, "cookie_sent": True,
     "accepted": True, "set_cookie": None},
    {"label": "activity", "sent_s": 2.636, "received_s": 2.654, "replay": False, "status": 200, "cookie_sent": True,
     "accepted": True, "set_cookie": {"max_age": 4, "deletes": False, "persistent": True}},
    {"label": "after-original", "sent_s": 4.95, "received_s": 5.032, "replay": False, "status": 200,
     "cookie_sent": True, "accepted": True, "set_cookie": None},
    {"label": "replay-after-original", "sent_s": 5.209, "received_s": 5.245, "replay": True, "status": 200,
     "cookie_sent": True, "accepted": True, "set_cookie": None},
    {"label": "after-idle", "sent_s": 7.157, "received_s": 7.197, "replay": False, "status": 200, "cookie_sent": False,
     "accepted": False, "set_cookie": None},
    {"label": "replay-after-idle", "sent_s": 7.244, "received_s": 7.272, "replay": True, "status": 200,
     "cookie_sent": True, "accepted": False, "set_cookie": {"max_age": 0, "deletes": True, "persistent": True}}],
    "deadlines": [{"what": "browser stops sending it (last Set-Cookie + Max-Age)", "at_s": 6.654},
                  {"what": "server refuses it (last save + 4 s)", "at_s": 6.646}]}

# Everything at once: three deadlines within 0.2 s, a two-week cookie that runs past the drawing, a
# browser-length cookie, a long step name and a server error.
CROWDED = {"events": [
    {"label": "start-a-session-with-a-rather-long-step-name", "sent_s": 0.0, "received_s": 0.2, "replay": False,
     "status": 200, "cookie_sent": False, "accepted": False,
     "set_cookie": {"max_age": 1209600, "deletes": False, "persistent": True}},
    {"label": "browser-length", "sent_s": 0.3, "received_s": 0.4, "replay": False, "status": 200, "cookie_sent": True,
     "accepted": True, "set_cookie": {"max_age": None, "deletes": False, "persistent": False}},
    {"label": "replay-late", "sent_s": 3.9, "received_s": 4.3, "replay": True, "status": 500, "cookie_sent": True,
     "accepted": False, "set_cookie": {"max_age": 0, "deletes": True, "persistent": True}}],
    "deadlines": [{"what": "browser stops sending it (last Set-Cookie + Max-Age)", "at_s": 4.0},
                  {"what": "server refuses it (last save + 4 s)", "at_s": 4.02},
                  {"what": "absolute timeout (4 s after sign-in)", "at_s": 4.2}]}


def result(check, family, verdict, django, known=None, profile="age-4s-db", **facts):
    return Result(key=ResultKey(check, profile, "chromium", django), verdict=verdict, family=family, known=known,
                  expected="Max-Age=4", observed="Max-Age=4" if verdict == "pass" else "Max-Age=None",
                  evidence=[{"step": "start", "status": 200, "set_cookie": "sessionid=k; Max-Age=4; Path=/",
                             "cookie_received": None, "accepted": False},
                            {"step": "read", "status": 200, "set_cookie": None, "cookie_received": "sessionid=k",
                             "accepted": True}],
                  facts=facts, title=f"{check}'s title", doc=f"https://docs.djangoproject.com/en/{django[:3]}/x",
                  quote="The age of session cookies, in seconds.", scenario="lifecycle")


@pytest.fixture(scope="module")
def page_of():
    spec = browsers.resolve("chromium", browsers.playwright_paths().get("chromium"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**spec.launch_args)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        requested = []
        context.on("request", lambda r: requested.append(r.url))

        def open_(path: Path):
            page = context.new_page()
            page.goto(path.as_uri())
            page.requested = requested
            return page
        yield open_
        browser.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


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
    # What failed, first, each a link that opens its result.
    assert page.locator("ul.attention li").count() == 1
    # Filters: only the fails of cookie-age.
    assert page.locator("#shown").inner_text() == "4"
    page.select_option("select[name=verdict]", "fail")
    page.select_option("select[name=family]", "cookie-age")
    assert page.locator("#shown").inner_text() == "1"
    assert page.locator("section.family:not([hidden])").count() == 1
    shown = page.locator("details.result:not([hidden])")
    assert shown.count() == 1 and "AGE-01" in shown.inner_text()
    # Beside the verdict, before opening: the check's behaviour and its doc link (the quote on hover).
    doclink = shown.locator("summary a.doclink")
    assert doclink.get_attribute("href") == "https://docs.djangoproject.com/en/6.1/x"
    assert doclink.get_attribute("title") == "The age of session cookies, in seconds."
    # Opened: expected/observed, evidence, the quoted sentence beside them, and the session's timeline.
    shown.locator("summary").click()
    body = shown.inner_text()
    assert "Expected: Max-Age=4" in body and "Observed: Max-Age=None" in body and "sessionid=k; Max-Age=4" in body
    aside = shown.locator("aside.doc")
    assert aside.is_visible() and "“The age of session cookies, in seconds.”" in aside.inner_text()
    assert aside.locator("a[href='https://docs.djangoproject.com/en/6.1/x']").count() == 1
    # The first request carried no cookie: said so, not "refused".
    servers = shown.locator("table.evidence td:last-child")
    assert [servers.nth(i).inner_text() for i in range(servers.count())] == ["no cookie sent", "accepted"]
    drawing = shown.locator("svg.timeline")
    expect(drawing).to_have_count(1)  # put in by the toggle event, after the click returns
    assert drawing.locator("circle").count() == 3 and drawing.locator("rect.life").count() == 1
    assert "no cookie sent" in drawing.locator("text.note").first.inner_html()
    assert "server refuses it (two weeks): +1209600.00 s (beyond this chart)" in drawing.inner_html()
    # Clicking a matrix cell filters to its profile and family.
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=family]", "")
    page.locator("table.matrix td.cell[data-family='server-expiry']").first.click()
    assert page.locator("#shown").inner_text() == "2"


GEOMETRY = """svg => {
  const W = svg.viewBox.baseVal.width, H = svg.viewBox.baseVal.height;
  const box = (e, what) => { const b = e.getBBox(); return {what, x: b.x, y: b.y, r: b.x + b.width, b: b.y + b.height}; };
  const texts = [...svg.querySelectorAll(':scope > text, :scope > g > text')].map(t => box(t, t.textContent));
  const tags = [...svg.querySelectorAll('g.deadline-tag rect')].map((r, i) => box(r, 'tag ' + i));
  const outside = [...texts, ...tags].filter(b => b.x < 0 || b.y < 0 || b.r > W || b.b > H).map(b => b.what);
  const hit = (a, b) => a.x < b.r - 0.5 && b.x < a.r - 0.5 && a.y < b.b - 0.5 && b.y < a.b - 0.5;
  const overlaps = [];
  for (const group of [texts.filter(t => !/^\\d+$/.test(t.what)), tags])
    group.forEach((a, i) => group.slice(i + 1).forEach(b => { if (hit(a, b)) overlaps.push([a.what, b.what]); }));
  const xs = [...new Set([...svg.querySelectorAll('line.deadline')].map(l => +l.getAttribute('x1')))].sort((a, b) => a - b);
  return {outside, overlaps, xs, lines: svg.querySelectorAll('line.deadline').length};
}"""


@pytest.mark.parametrize("timeline", [TIMELINE, RENEWAL, CROWDED], ids=["two-weeks", "renewal", "crowded"])
def test_timeline_labels_and_deadlines_never_overlap_or_leave_the_drawing(tmp_path, page_of, timeline):
    path = tmp_path / "timeline.html"
    path.write_text(f"<!doctype html><meta charset=utf-8><body style='font:14px system-ui'>{svg.draw(timeline)}")
    found = page_of(path).locator("svg.timeline").evaluate(GEOMETRY)
    assert found["outside"] == [] and found["overlaps"] == []
    # Deadlines closer than a few pixels are one line, drawn in each one's colour.
    assert all(b - a >= svg.MERGE_PX for a, b in zip(found["xs"], found["xs"][1:]))
    drawn = [d for d in timeline["deadlines"] if d["at_s"] < 1000]
    assert found["lines"] == len(drawn) and len(found["xs"]) < len(drawn)


def test_a_request_without_the_cookie_is_not_refused():
    assert svg.state_of({"cookie_sent": False, "accepted": False}) == "no cookie sent"
    assert svg.state_of({"cookie_sent": True, "accepted": False}) == "refused"
    assert html._server_said({"step": "start", "cookie_received": None, "accepted": False}, {}) == \
        ("no cookie sent", "s-none")
    # The timeline knows when a Cookie header came without the session cookie.
    assert html._server_said({"step": "x", "cookie_received": "csrftoken=1", "accepted": False}, {"x": False})[0] == \
        "no cookie sent"


def test_results_are_grouped_by_family_with_what_failed_or_erred_first():
    report = Report(results=(result("AGE-01", "cookie-age", "pass", "5.2.19"),
                             result("SRV-04", "server-expiry", "pass", "5.2.19"),
                             result("SRV-02", "server-expiry", "error", "5.2.19"),
                             result("SRV-01", "server-expiry", "fail", "5.2.19", known="file backend"),
                             result("ATTR-01", "cookie-attributes", "skip", "5.2.19")), django="5.2.19")
    page = html.render([report], families=families())
    results = page[page.index('id="results"'):]
    sections = [s.split("'", 1)[0] for s in results.split("<section class=family data-family='")[1:]]
    assert sections == ["server-expiry", "cookie-age", "cookie-attributes"]
    order = [results.index(f"<b>{c}</b>") for c in ("SRV-02", "SRV-01", "SRV-04", "AGE-01")]
    assert order == sorted(order)  # error, known defect, pass
    assert "1 error · 1 known · 1 pass" in results


def test_screenshots_of_a_clean_report_and_of_one_with_failures(tmp_path, page_of):
    """Kept in reports/screenshots/ for a person to look at (the paths are printed)."""
    clean = Report(results=(
        Result(key=ResultKey("REN-03", "age-4s-db", "chromium", "5.2.19"), verdict="pass", family="renewal",
               expected="Max-Age=4 counted again from the write", observed="Max-Age=4",
               evidence=[{"step": "start", "status": 200, "set_cookie": "sessionid=ebh1…; Max-Age=4; Path=/",
                          "cookie_received": None, "accepted": False},
                         {"step": "activity", "status": 200, "set_cookie": "sessionid=ebh1…; Max-Age=4; Path=/",
                          "cookie_received": "sessionid=ebh1…", "accepted": True}],
               facts={"resent": True, "max_age": 4},
               title="Modifying the session re-sends the cookie, its Max-Age counted again from now.",
               doc="https://docs.djangoproject.com/en/5.2/topics/http/sessions/#when-sessions-are-saved",
               quote="the expires part of a session cookie is updated each time the session cookie is sent.",
               scenario="renewal-write"),
        result("AGE-01", "cookie-age", "pass", "5.2.19")), django="5.2.19",
        timelines={"renewal-write age-4s-db chromium": RENEWAL, "lifecycle age-4s-db chromium": TIMELINE})
    path = tmp_path / "clean.html"
    html.write(path, [clean], families=families())
    page = page_of(path)
    page.locator("details.result summary", has_text="REN-03").click()
    # The drawing is put in by the toggle event, which fires after the click returns.
    expect(page.locator("details.result[open] svg.timeline")).to_have_count(1)
    assert screenshot(page, "html-report-clean.png").stat().st_size > 10_000

    failing = Report(results=(result("AGE-01", "cookie-age", "fail", "5.2.19", profile="mutant-strip-expiry"),
                              result("AGE-01", "cookie-age", "pass", "5.2.19"),
                              result("SRV-02", "server-expiry", "error", "5.2.19")), django="5.2.19",
                     timelines={"lifecycle mutant-strip-expiry chromium": CROWDED,
                                "lifecycle age-4s-db chromium": TIMELINE})
    path = tmp_path / "failing.html"
    html.write(path, [failing], families=families())
    page = page_of(path)
    page.locator("ul.attention a.jump", has_text="mutant-strip-expiry").click()
    opened = page.locator("details.result[open]")
    assert opened.count() == 1 and "mutant-strip-expiry" in opened.locator("summary").inner_text()
    assert screenshot(page, "html-report-failures.png").stat().st_size > 10_000
