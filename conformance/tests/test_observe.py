"""Unit tests for conformance.exchange: Set-Cookie parsing and Exchange helpers (pure, no browser)."""

import pytest

from conformance.exchange import Exchange, JarCookie, Reply, SetCookie, Stored, split_set_cookie

DJANGO_DELETE = ('sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; '
                 "SameSite=Lax")
DJANGO_SET = ("sessionid=abc123; expires=Thu, 11 Dec 2025 10:00:00 GMT; HttpOnly; Max-Age=1209600; "
              "Path=/; SameSite=Lax")
EXPIRES_TS = 1765447200.0  # Thu, 11 Dec 2025 10:00:00 GMT


# --- SetCookie.parse -------------------------------------------------------------------------


def test_parse_django_set_cookie():
    sc = SetCookie.parse(DJANGO_SET)
    assert sc.raw == DJANGO_SET
    assert sc.name == "sessionid"
    assert sc.value == "abc123"
    assert sc.attrs == {"expires": "Thu, 11 Dec 2025 10:00:00 GMT", "httponly": True,
                        "max-age": "1209600", "path": "/", "samesite": "Lax"}
    assert sc.max_age == 1209600
    assert sc.expires == EXPIRES_TS
    assert sc.persistent is True
    assert sc.deletes is False


def test_parse_django_deletion_with_quoted_empty_value():
    sc = SetCookie.parse(DJANGO_DELETE)
    assert sc.name == "sessionid"
    assert sc.value == ""
    assert sc.max_age == 0
    assert sc.expires == 0.0
    assert sc.attrs["path"] == "/"
    assert sc.attrs["samesite"] == "Lax"
    assert sc.deletes is True
    assert sc.persistent is True


def test_flags_are_true_and_absent_flags_missing():
    sc = SetCookie.parse("sessionid=v; Secure; HttpOnly; Path=/")
    assert sc.attrs["secure"] is True
    assert sc.attrs["httponly"] is True
    assert "samesite" not in sc.attrs
    plain = SetCookie.parse("sessionid=v; Path=/")
    assert "secure" not in plain.attrs and "httponly" not in plain.attrs


def test_attribute_names_are_case_insensitive_values_kept():
    sc = SetCookie.parse("sessionid=v; MAX-AGE=5; pAtH=/x; SAMESITE=Strict; secure; HTTPONLY; "
                         "EXPIRES=Thu, 01 Jan 1970 00:00:10 GMT; DoMaIn=Example.COM")
    assert set(sc.attrs) == {"max-age", "path", "samesite", "secure", "httponly", "expires", "domain"}
    assert sc.max_age == 5
    assert sc.attrs["path"] == "/x"
    assert sc.attrs["samesite"] == "Strict"
    assert sc.attrs["domain"] == "Example.COM"
    assert sc.expires == 10.0


def test_whitespace_and_empty_parts_are_ignored():
    sc = SetCookie.parse("  sessionid = v ;  Path = / ;; ; HttpOnly ;")
    assert sc.name == "sessionid"
    assert sc.value == "v"
    assert sc.attrs == {"path": "/", "httponly": True}


def test_value_keeps_later_equals_signs():
    sc = SetCookie.parse("sessionid=a=b==; Path=/")
    assert sc.name == "sessionid"
    assert sc.value == "a=b=="


def test_browser_length_cookie_is_not_persistent():
    sc = SetCookie.parse("sessionid=v; HttpOnly; Path=/; SameSite=Lax")
    assert sc.max_age is None
    assert sc.expires is None
    assert sc.persistent is False
    assert sc.deletes is False


def test_persistent_with_only_expires_or_only_max_age():
    assert SetCookie.parse("s=v; Max-Age=3").persistent is True
    assert SetCookie.parse("s=v; expires=Thu, 01 Jan 1970 00:00:00 GMT").persistent is True


@pytest.mark.parametrize("raw, expected", [
    ("s=v; Max-Age=3", 3),
    ("s=v; Max-Age=-1", -1),
    ("s=v; Max-Age=abc", None),
    ("s=v; Max-Age=", None),
    ("s=v; Max-Age", None),  # a flag, not a number
    ("s=v; Max-Age=1.5", None),
    ("s=v", None),
])
def test_max_age_values(raw, expected):
    assert SetCookie.parse(raw).max_age == expected


def test_max_age_with_double_minus_is_not_a_number():
    assert SetCookie.parse("s=v; Max-Age=--1").max_age is None


@pytest.mark.parametrize("raw", ["s=v; expires=not a date", "s=v; expires", "s=v; expires="])
def test_unparseable_expires_is_none(raw):
    assert SetCookie.parse(raw).expires is None


def test_negative_max_age_deletes():
    sc = SetCookie.parse("sessionid=v; Max-Age=-1")
    assert sc.deletes is True


def test_empty_value_deletes_even_without_max_age():
    assert SetCookie.parse("sessionid=; Path=/").deletes is True


# --- split_set_cookie ------------------------------------------------------------------------


def test_split_firefox_joined_header():
    joined = "csrftoken=t; Path=/\n" + DJANGO_SET
    cookies = split_set_cookie([joined])
    assert [c.name for c in cookies] == ["csrftoken", "sessionid"]
    assert cookies[1].raw == DJANGO_SET
    assert cookies[1].max_age == 1209600


def test_split_chromium_separate_values():
    cookies = split_set_cookie(["csrftoken=t; Path=/", DJANGO_SET])
    assert [c.name for c in cookies] == ["csrftoken", "sessionid"]


def test_split_mixed_and_blank_lines():
    cookies = split_set_cookie(["a=1\n\n  \nb=2", "", "c=3"])
    assert [(c.name, c.value) for c in cookies] == [("a", "1"), ("b", "2"), ("c", "3")]


def test_split_empty():
    assert split_set_cookie([]) == []


# --- Exchange --------------------------------------------------------------------------------


def make_exchange(set_cookies=(), probe=None, jar=(), sent_at=100.0, received_at=100.2,
                  label="start", status=200):
    return Exchange(label=label, url="http://127.0.0.1:8000/__conformance__/start/", sent_at=sent_at,
                    received_at=received_at, status=status, date_header=None,
                    set_cookies=tuple(SetCookie.parse(s) for s in set_cookies),
                    reply=Reply.from_probe({} if probe is None else probe), jar=tuple(jar))


def test_session_set_cookie_picks_named_and_last():
    ex = make_exchange(["csrftoken=t", "sessionid=first; Max-Age=5", "sessionid=second; Max-Age=7"])
    sc = ex.session_set_cookie("sessionid")
    assert sc.value == "second" and sc.max_age == 7
    assert ex.session_set_cookie("csrftoken").value == "t"
    assert ex.session_set_cookie("other") is None


def test_session_set_cookie_none_without_cookies():
    assert make_exchange().session_set_cookie("sessionid") is None


def test_sent_session_cookie_and_cookie_header():
    ex = make_exchange(probe={"cookie_header": "sessionid=k; csrftoken=t", "session_cookie": "k",
                              "accepted": True})
    assert ex.sent_session_cookie == "k"
    assert ex.cookie_header == "sessionid=k; csrftoken=t"
    empty = make_exchange(probe={"cookie_header": None, "session_cookie": None})
    assert empty.sent_session_cookie is None and empty.cookie_header is None
    assert make_exchange().sent_session_cookie is None


@pytest.mark.parametrize("probe, expected", [
    ({"accepted": True}, True),
    ({"accepted": False}, False),
    ({"accepted": None}, False),
    ({}, False),
])
def test_accepted(probe, expected):
    assert make_exchange(probe=probe).accepted is expected


def test_stored():
    assert make_exchange(probe={"stored": {"expiry_date": 5.0}}).stored == Stored(expiry_date=5.0)
    assert make_exchange().stored is None


def test_clock_offset_is_local_midpoint_minus_server():
    ex = make_exchange(probe={"server_time": 90.0}, sent_at=100.0, received_at=100.4)
    assert ex.clock_offset == pytest.approx(10.2)


def test_clock_offset_negative_when_server_ahead():
    ex = make_exchange(probe={"server_time": 105.0}, sent_at=100.0, received_at=101.0)
    assert ex.clock_offset == pytest.approx(-4.5)


def test_clock_offset_zero_without_server_time():
    assert make_exchange(probe={}).clock_offset == 0.0


def test_jar_cookie():
    jar = (JarCookie("csrftoken", "t", 10.0, "127.0.0.1", "/"), JarCookie("sessionid", "k", -1, "127.0.0.1", "/"))
    ex = make_exchange(jar=jar)
    assert ex.jar_cookie("sessionid").expires == -1
    assert ex.jar_cookie("missing") is None


def test_evidence_full():
    ex = make_exchange(
        ["sessionid=k; Max-Age=4; Path=/"],
        probe={"cookie_header": "sessionid=old", "accepted": True, "stored": {"expiry_date": 104.25}},
        jar=[JarCookie("sessionid", "k", 104.3, "127.0.0.1", "/")],
        label="activity", sent_at=100.0, received_at=100.12345, status=200)
    assert ex.evidence("sessionid") == {
        "step": "activity",
        "at_s": 100.123,
        "status": 200,
        "set_cookie": "sessionid=k; Max-Age=4; Path=/",
        "cookie_received": "sessionid=old",
        "accepted": True,
        "stored_expiry": 104.25,
        "jar_expires": 104.3,
    }


def test_evidence_empty():
    ex = make_exchange(label="read", received_at=7.0, status=404)
    assert ex.evidence("sessionid") == {
        "step": "read", "at_s": 7.0, "status": 404, "set_cookie": None, "cookie_received": None,
        "accepted": False, "stored_expiry": None, "jar_expires": None,
    }
