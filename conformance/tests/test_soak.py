from conformance.report.results import load
from conformance.tools.soak import differing


def _report(*verdicts):
    return load({"django": "5.2", "results": [{"id": i, "profile": p, "browser": b, "verdict": v}
                                              for i, p, b, v in verdicts]})


def test_identical_runs_differ_nowhere():
    run = _report(("AGE-01", "age-4s-db", "chromium", "pass"))
    assert differing([run, run]) == {}


def test_a_changed_verdict_is_listed_with_every_run():
    a = _report(("SRV-02", "age-4s-signed-cookies", "firefox", "caveat"))
    b = _report(("SRV-02", "age-4s-signed-cookies", "firefox", "pass"))
    assert differing([a, b]) == {"SRV-02 age-4s-signed-cookies firefox": ["caveat", "pass"]}


def test_a_result_missing_from_one_run_is_listed():
    a = _report(("AGE-01", "p", "chromium", "pass"), ("AGE-02", "p", "chromium", "pass"))
    b = _report(("AGE-01", "p", "chromium", "pass"))
    assert differing([a, b]) == {"AGE-02 p chromium": ["pass"]}
