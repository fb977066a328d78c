"""Unit tests for conformance.judge.verdict and conformance.report on hand-made results."""

import json

import pytest

from conformance.checks import families
from conformance.checks.test_renewal import sliding_summary
from conformance.judge.verdict import CAVEAT, ERROR, FAIL, PASS, SKIP, Verdict, judge, message
from conformance.report import json_report, terminal
from conformance.report.results import Report, ReportError, Result, ResultKey, load
from conformance.report.summary import summarize

FAMILIES = [f.name for f in families()]

EVIDENCE = [{"step": "start", "at_s": 1.0, "status": 200, "set_cookie": "sessionid=k; Max-Age=4; Path=/",
             "cookie_received": None, "accepted": False, "stored_expiry": None, "jar_expires": None}]


# --- verdict.judge ---------------------------------------------------------------------------


def test_judge_pass_ignores_caveat():
    v = judge(True, "exp", "obs", EVIDENCE, caveat="documented limitation", facts={"a": 1})
    assert v.kind == PASS
    assert v.note == ""
    assert (v.expected, v.observed, v.evidence, v.facts) == ("exp", "obs", EVIDENCE, {"a": 1})


def test_judge_caveat_when_documented():
    v = judge(False, "exp", "obs", EVIDENCE, caveat="documented limitation")
    assert v.kind == CAVEAT
    assert v.note == "documented limitation"


def test_judge_fail_without_caveat():
    v = judge(False, "exp", "obs", [])
    assert v.kind == FAIL
    assert v.note == ""
    assert v.facts == {}


def test_skip_and_error_constructors():
    assert Verdict.skip("why") == Verdict(SKIP, note="why")
    e = Verdict.error("broken")
    assert e.kind == ERROR and e.note == "broken" and e.evidence == []
    assert Verdict.error("broken", EVIDENCE).evidence == EVIDENCE


# --- verdict.message -------------------------------------------------------------------------


def test_message_fail_with_evidence():
    v = judge(False, "Max-Age=4", "Max-Age=1209600", EVIDENCE)
    assert message("AGE-01", "chromium", "age-4s-db", v) == (
        "AGE-01 [chromium · age-4s-db] expected Max-Age=4; observed Max-Age=1209600 — "
        "start: Set-Cookie: sessionid=k; Max-Age=4; Path=/; Cookie received: (none); no cookie sent")


def test_message_without_evidence_has_no_dash():
    v = judge(True, "x", "y", [])
    assert message("ATTR-01", "firefox", "default-two-weeks", v) == \
        "ATTR-01 [firefox · default-two-weeks] expected x; observed y"


def test_message_caveat_appends_note():
    v = judge(False, "refused", "accepted", [], caveat="signed_cookies: quote")
    assert message("SRV-02", "firefox", "p", v) == \
        "SRV-02 [firefox · p] expected refused; observed accepted (signed_cookies: quote)"


def test_message_skip_and_error():
    assert message("REN-01", "webkit", "p", Verdict.skip("too long")) == "REN-01 [webkit · p] skip: too long"
    assert message("REN-01", "webkit", "p", Verdict.error("no step")) == "REN-01 [webkit · p] error: no step"


def test_message_evidence_variants():
    evidence = [
        {"step": "read", "cookie_received": "sessionid=k", "accepted": True},
        {"step": "bare"},
        "free text",
        {"step": "four", "accepted": False},
        {"step": "fifth-is-dropped", "accepted": True},
    ]
    line = message("X-01", "b", "p", judge(False, "e", "o", evidence))
    assert line.endswith(" — read: Cookie received: sessionid=k; server accepted | bare | free text | "
                         "four: server refused")


# --- report ----------------------------------------------------------------------------------


def rec(check_id, family, profile, browser, verdict, known=None, note="", facts=None, **extra):
    return Result(key=ResultKey(check_id, profile, browser, "5.2.1"), family=family, verdict=verdict, known=known,
                  expected="e", observed="o", evidence=[], note=note, facts=facts or {},
                  doc="https://docs.djangoproject.com/en/5.2/", quote="q", title="t", duration_s=0.01,
                  nodeid=f"{check_id}[{profile}-{browser}]", **extra)


def sliding(results):
    return sliding_summary(results)["expiry_resets_on_interaction"]


def terminal_lines(results):
    return terminal.lines(results, summarize(results, families()), families())


def ren(check_id, profile, browser, in_browser, on_server, fixed=False):
    facts = {"renewed_in_browser": in_browser, "renewed_on_server": on_server}
    return rec(check_id, "renewal", profile, browser, PASS, facts={**facts, "fixed_deadline": True} if fixed else facts)


KNOWN_REASON = "The file backend never expires. More detail here."
CAVEAT_NOTE = "signed_cookies: stale only after age. Ticket."

RECORDS = [
    rec("AGE-01", "cookie-age", "age-4s-db", "chromium", PASS),
    rec("AGE-01", "cookie-age", "age-4s-db", "firefox", PASS),
    rec("SRV-01", "server-expiry", "set-expiry-int-file", "chromium", FAIL, known=KNOWN_REASON),
    rec("SRV-01", "server-expiry", "set-expiry-int-file", "firefox", FAIL, known=KNOWN_REASON),
    rec("SRV-02", "server-expiry", "age-4s-signed-cookies", "chromium", CAVEAT, note=CAVEAT_NOTE),
    rec("SRV-02", "server-expiry", "age-4s-signed-cookies", "firefox", PASS),
    rec("ATTR-04", "cookie-attributes", "age-4s-db", "firefox", FAIL),
    rec("CLOSE-02", "browser-close", "age-4s-db", "chromium", SKIP, note="too short"),
    rec("AGE-04", "cookie-age", "age-4s-db", "firefox", ERROR, note="no step"),
    ren("REN-02", "save-every-request", "chromium", True, True),
    ren("REN-04", "save-every-request", "chromium", True, True),
    ren("REN-02", "age-4s-db", "chromium", False, False),
    ren("REN-04", "age-4s-db", "chromium", True, True),
    ren("REN-02", "set-expiry-datetime", "chromium", False, False, fixed=True),
    ren("REN-04", "set-expiry-datetime", "chromium", False, False, fixed=True),
    ren("REN-02", "age-4s-cache", "chromium", True, True),
    ren("REN-02", "age-4s-cache", "firefox", False, False),
    ren("REN-04", "age-4s-cache", "chromium", True, True),
]


def test_summarize_counts():
    s = summarize(RECORDS, families())
    assert s["total"] == 18
    assert s["verdicts"] == {ERROR: 1, FAIL: 3, CAVEAT: 1, PASS: 12, SKIP: 1}
    assert list(s["verdicts"]) == [ERROR, FAIL, CAVEAT, PASS, SKIP]
    assert s["known_failures"] == 2
    assert s["unexpected_failures"] == 1
    assert s["browsers"] == ["chromium", "firefox"]
    assert s["profiles"] == ["age-4s-cache", "age-4s-db", "age-4s-signed-cookies", "save-every-request",
                             "set-expiry-datetime", "set-expiry-int-file"]


def test_summarize_empty():
    s = summarize([], families())
    assert s["total"] == 0 and s["verdicts"] == {ERROR: 0, FAIL: 0, CAVEAT: 0, PASS: 0, SKIP: 0}
    assert s["browsers"] == [] and s["profiles"] == []


def test_sliding_summary():
    assert sliding(RECORDS) == {
        "reads_and_writes": ["save-every-request"],
        "writes_only": ["age-4s-db"],
        "never": [],
        "fixed_deadline": ["set-expiry-datetime"],
        "mixed": ["age-4s-cache"],
        "partly_checked": [],
        "reads_writes_unchecked": [],
        "not_on_reads_writes_unchecked": [],
    }


def test_sliding_summary_with_reads_only_makes_a_claim_about_reads():
    """Black-box mode cannot write: what reads did is still reported, writes as unchecked."""
    summary = sliding([ren("REN-02", "bb", "chromium", True, True),
                       ren("REN-02", "bb", "firefox", True, True),
                       ren("REN-02", "fixed", "chromium", False, False)])
    assert summary["reads_writes_unchecked"] == ["bb"] and summary["not_on_reads_writes_unchecked"] == ["fixed"]


def test_sliding_summary_needs_both_browser_and_server():
    records = [ren("REN-02", "p", "chromium", True, False), ren("REN-04", "p", "chromium", True, False)]
    assert sliding(records)["never"] == ["p"]


def test_sliding_summary_ignores_records_without_facts():
    records = [rec("REN-02", "renewal", "p", "chromium", FAIL), rec("REN-01", "renewal", "q", "chromium", PASS,
                                                                       facts={"renewed_in_browser": True})]
    assert sliding(records) == {"reads_and_writes": [], "writes_only": [], "never": [], "fixed_deadline": [],
                                "mixed": [], "partly_checked": [], "reads_writes_unchecked": [],
                                "not_on_reads_writes_unchecked": []}


def test_sliding_summary_claims_nothing_about_writes_when_only_reads_were_checked():
    records = [ren("REN-02", "p", "chromium", True, True)]
    assert sliding(records)["reads_writes_unchecked"] == ["p"]
    assert sliding(records)["reads_and_writes"] == [] and sliding(records)["never"] == []
    assert sliding([ren("REN-04", "q", "chromium", True, True)])["partly_checked"] == ["q"]


def test_terminal_lines_empty():
    assert terminal_lines([]) == []


def test_terminal_lines():
    lines = terminal_lines(RECORDS)
    assert lines[0].startswith("cells: chromium firefox; worst verdict")
    header = lines[1].split()
    assert header == list(FAMILIES)
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:8]}
    # columns: cookie-age, browser-close, renewal, server-expiry, cookie-attributes; cell "chromium firefox"
    # (the last family, cache-safety, has no records here)
    rest = ["-"] * 8  # session-cookie, cache-safety, sign-in, timeouts: no records here
    assert rows["age-4s-db"] == ["P", "E", "s", "-", "P", "-", "-", "-", "-", "F"] + rest
    assert rows["set-expiry-int-file"] == ["-", "-", "-", "-", "-", "-", "K", "K", "-", "-"] + rest
    assert rows["age-4s-signed-cookies"] == ["-", "-", "-", "-", "-", "-", "C", "P", "-", "-"] + rest
    assert rows["age-4s-cache"] == ["-", "-", "-", "-", "P", "P", "-", "-", "-", "-"] + rest
    assert lines[8] == "18 verdicts: 12 pass, 3 fail (2 known Django defects), 1 caveat, 1 skip, 1 error"
    assert lines[9] == "'Expiry resets while the user keeps interacting' (observed):"
    assert lines[10] == "  holds for reads and writes: save-every-request"
    assert lines[11] == "  holds for writes only (reads do not renew): age-4s-db"
    assert lines[12] == "  does not hold: none"
    assert lines[13] == "  fixed deadline by design (set_expiry(datetime|timedelta)): set-expiry-datetime"
    assert lines[14] == "  differs between browsers: age-4s-cache"
    assert lines[15] == "1 error: no step [AGE-04 × age-4s-db]"
    assert lines[16] == "caveat: signed_cookies: stale only after age. [SRV-02 age-4s-signed-cookies]"
    assert lines[17] == "known Django defect: The file backend never expires. [SRV-01 set-expiry-int-file]"
    assert len(lines) == 18


def test_cell_unknown_failure_beats_known():
    records = [rec("SRV-01", "server-expiry", "p", "chromium", FAIL, known="known. x"),
               rec("SRV-02", "server-expiry", "p", "chromium", FAIL)]
    row = terminal_lines(records)[2].split()
    assert row == ["p", "-", "-", "-", "F", "-", "-", "-", "-", "-"]


def test_terminal_lines_no_renewal_data():
    """A run without the renewal family says nothing about renewal ("does not hold: none" would
    read as a verdict)."""
    lines = terminal_lines([rec("AGE-01", "cookie-age", "p", "webkit", PASS)])
    assert not any("Expiry resets" in line or line.startswith("  holds") for line in lines)


def test_write_and_load_round_trip(tmp_path):
    path = tmp_path / "nested" / "conformance.json"
    report = Report(results=tuple(RECORDS), django="5.2.1", started=json_report.iso(1_700_000_000.0),
                    finished=json_report.iso(1_700_000_042.44), duration_s=42.4, settings_sources={"profiles": "CLI"},
                    timings={"scenarios": 3}, summary=summarize(RECORDS, families()))
    json_report.write(path, report)
    data = json.loads(path.read_text())
    assert list(data)[0] == "schema_version" and data["schema_version"] == 2
    assert data["django"] == "5.2.1" and data["started"] == "2023-11-14T22:13:20+00:00"
    assert data["finished"] == "2023-11-14T22:14:02+00:00" and data["duration_s"] == 42.4
    assert len(data["results"]) == len(RECORDS)
    for result in data["results"]:
        assert {"id", "family", "profile", "browser", "django", "verdict", "expected", "observed", "evidence", "doc",
                "duration_s", "known", "facts"} <= set(result)
    known = data["results"][2]
    assert (known["id"], known["profile"], known["browser"], known["verdict"], known["known"]) == \
        ("SRV-01", "set-expiry-int-file", "chromium", FAIL, KNOWN_REASON)
    loaded = load(path)
    assert loaded == report
    assert loaded.results[9].facts == {"renewed_in_browser": True, "renewed_on_server": True}
    assert loaded.results[2].graded == "known" and loaded.results[6].graded == FAIL


def test_load_reads_a_schema_1_report():
    """Reports written before results were typed (no schema_version, no per-result django)."""
    old = {"django": "5.2.19", "results": [{"id": "AGE-01", "family": "cookie-age", "profile": "p",
                                            "browser": "chromium", "verdict": "pass", "known": None,
                                            "duration_s": None, "facts": {}}], "summary": {}}
    (result,) = load(old).results
    assert result.key == ResultKey("AGE-01", "p", "chromium", "5.2.19") and result.duration_s == 0.0


@pytest.mark.parametrize("content, message", [
    ("{}", "no results"), ("not json", "not a conformance report"),
    ('{"schema_version": 99, "results": []}', "newer than this suite reads"),
    ('{"results": [{"profile": "p"}]}', "a result lacks"),
])
def test_load_errors_are_one_line(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ReportError, match=message) as info:
        load(path)
    assert "\n" not in str(info.value)


def test_terminal_names_profiles_where_renewal_was_not_judged():
    records = [rec("REN-02", "renewal", "long", "chromium", SKIP), rec("REN-04", "renewal", "long", "chromium", SKIP)]
    assert "  not judged (REN-02 and REN-04 skipped): long" in terminal_lines(records)


def _report(*results, django="5.2.19"):
    return Report(results=tuple(results), django=django, target={}, summary=summarize(results, families()))


def test_the_exit_line_says_what_failed_or_that_nothing_did():
    clean = _report(rec("AGE-01", "cookie-age", "p", "chromium", PASS),
                    rec("SRV-01", "server-expiry", "p", "chromium", FAIL, known="file backend"))
    assert terminal.exit_line([clean], "", 0) == "exit 0: no check failed or erred (1 known Django defects, each expected)"
    broken = _report(rec("AGE-01", "cookie-age", "p", "chromium", FAIL),
                     rec("REN-04", "renewal", "q", "firefox", ERROR))
    assert terminal.exit_line([broken], "", 1) == "exit 1: 1 failed (AGE-01 × p); 1 errors (REN-04 × q)"
    assert terminal.exit_line([broken], "", 2) == ("exit 2: interrupted after 2 verdicts: the run is incomplete, "
                                                   "run it again")
    assert terminal.exit_line([clean, _report(django="6.1.3")], "gate 'regressions' against Django 5.2.19: passed "
                              "(no regressions)", 0) == ("exit 0: gate 'regressions' against Django 5.2.19: passed "
                                                         "(no regressions)")
