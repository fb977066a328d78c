"""Black-box cookie values never reach the report: each becomes a fingerprint."""

from conformance.judge.verdict import Verdict
from conformance.report.redact import fingerprint, redact, redact_verdict


def test_values_become_fingerprints_everywhere():
    evidence = [{"set_cookie": "__Host-sessionid=abc123; Max-Age=4; Path=/; Secure",
                 "cookie_received": "csrftoken=zzz; __Host-sessionid=abc123", "accepted": True}]
    out = redact(evidence, "__Host-sessionid")
    assert "abc123" not in str(out)
    assert out[0]["set_cookie"].startswith(f"__Host-sessionid={fingerprint('abc123')}; Max-Age=4")
    assert "csrftoken=zzz" in out[0]["cookie_received"] and out[0]["accepted"] is True


def test_deletions_and_other_names_are_kept():
    line = '__Host-sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT | xsessionid=keep; sessionid=gone'
    assert redact(line, "sessionid") == f'__Host-sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT | ' \
                                        f'xsessionid=keep; sessionid={fingerprint("gone")}'


def test_verdict_fields():
    v = redact_verdict(Verdict("fail", "no sid", "Cookie: sid=s3cr3t", [{"c": "sid=s3cr3t"}], note="sid=s3cr3t"), "sid")
    assert "s3cr3t" not in repr(v)
