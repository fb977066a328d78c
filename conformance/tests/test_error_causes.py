"""One cause, one line (report/errors.py): errors with the same cause are grouped with a count,
where they were seen and a hint, whatever varies between their messages."""

from conformance.judge.verdict import ERROR, PASS
from conformance.report import errors
from conformance.report.results import Result, ResultKey


def err(check_id, profile, note, browser="chromium", verdict=ERROR):
    return Result(key=ResultKey(check_id, profile, browser, "5.2.1"), family="f", verdict=verdict, known=None,
                  expected="", observed="", evidence=[], note=note, facts={}, doc="", quote="", title="",
                  duration_s=0.0, nodeid=check_id)


def test_one_server_status_is_one_line_with_the_count_and_the_log_hint():
    results = [err(f"AGE-0{i}", "bb", f"start: GET /account/?_fresh=a{i}f answered 500 without JSON", b)
               for i in range(1, 9) for b in ("chromium", "firefox")]
    (entry,) = errors.group(results + [err("AGE-01", "bb", "", verdict=PASS)])
    assert entry == {"cause": "the site answered HTTP 500", "count": 16,
                     "where": "AGE-01, AGE-02, AGE-03 +5 more × bb", "hint": errors.SERVER_LOG}
    assert errors.lines([entry]) == [f"16 errors: the site answered HTTP 500 [AGE-01, AGE-02, AGE-03 +5 more × bb]"
                                     f" — {errors.SERVER_LOG}"]


def test_sqlite_locked_names_the_cause_and_the_way_out():
    results = [err("AUTH-01", "bb", "sign-in: answered HTTP 500\nOperationalError: database is locked"),
               err("AUTH-02", "bb", "start: answered 500 without JSON")]
    (entry,) = errors.group(results)
    assert entry["count"] == 2 and "SQLite" in entry["hint"] and "Concurrency" in entry["hint"]


def test_causes_are_told_apart_and_sorted_by_count():
    results = [err("A", "p", "page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:8000/"),
               err("B", "p", "page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:8001/"),
               err("C", "p", "login: Page.click: Timeout 10000ms exceeded."),
               err("D", "q", "firefox did not launch: no binary")]
    got = [(e["cause"], e["count"]) for e in errors.group(results)]
    assert got == [("the connection was refused", 2), ("a page never loaded (timeout)", 1),
                   ("firefox did not launch", 1)]


def test_unknown_messages_group_by_their_text_without_numbers_or_labels():
    results = [err("A", "p", "scenario-x: RuntimeError: stored 12 keys"),
               err("B", "p", "scenario-y: RuntimeError: stored 3 keys")]
    (entry,) = errors.group(results)
    assert entry["cause"] == "stored N keys" and entry["count"] == 2 and entry["hint"] == ""


def test_no_errors_no_lines():
    assert errors.group([err("A", "p", "", verdict=PASS)]) == [] and errors.lines([]) == []
