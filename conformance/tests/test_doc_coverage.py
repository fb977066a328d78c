"""Coverage of Django's documentation (conformance/judge/coverage.toml): every quote of every
check is a sentence of the data, the data is well formed, the generated table is current, and the
reStructuredText extractor gives the expected sentences. Nothing here reads Django's sdists or
downloads anything: the extractor is tested on inline samples."""

import importlib
import inspect
import io
import pkgutil
import re
import tarfile
import textwrap
from pathlib import Path

import pytest

import conformance.checks
from conformance.judge import caveats, coverage
from conformance.judge.coverage import Coverage, Entry, Quoted
from conformance.tools import doc_sentences, rst_sentences

REPO = Path(__file__).resolve().parents[2]
REGENERATE = f"regenerate it: .venv/bin/{coverage.COMMAND}"


def _checks():
    found = []
    for info in sorted(pkgutil.iter_modules(conformance.checks.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"conformance.checks.{info.name}")
        found += [v for _, v in sorted(vars(module).items()) if getattr(v, "conformance_check", None) is not None]
    return found


CHECKS = _checks()
COVERAGE = coverage.load()
QUOTES = [pytest.param(fn.conformance_check.id, q, id=f"{fn.conformance_check.id}-{i}")
          for fn in CHECKS for i, q in enumerate(coverage.quotes_of(fn))]
CAVEATS = [pytest.param(name, q, id=name) for name, value in sorted(vars(caveats).items())
           if name.isupper() and isinstance(value, str) for q in coverage.quotes_of(value)]


# --- (a) every quote is in the data -------------------------------------------------------------

@pytest.mark.parametrize("check_id, quote", QUOTES)
def test_every_quote_of_a_check_is_in_the_data(check_id, quote):
    if not COVERAGE.find(quote):
        pytest.fail(f"{check_id} quotes a sentence that is not in conformance/judge/coverage.toml:\n  \"{quote}\"\n"
                    f"{COVERAGE.closest(quote)}", pytrace=False)


@pytest.mark.parametrize("name, quote", CAVEATS)
def test_every_caveat_quote_is_in_the_data(name, quote):
    """The caveats a check reports quote Django too (judge/caveats.py)."""
    if not COVERAGE.find(quote):
        pytest.fail(f"judge/caveats.py {name} quotes a sentence that is not in conformance/judge/coverage.toml:\n"
                    f"  \"{quote}\"\n{COVERAGE.closest(quote)}", pytrace=False)


def test_quotes_of_reads_what_check_reads():
    """quotes_of() gives every quote; the first is the one judge/check.py keeps as Check.quote."""
    assert len(QUOTES) > len(CHECKS)
    for fn in CHECKS:
        assert coverage.quotes_of(fn)[0] == fn.conformance_check.quote
        assert coverage.quotes_of(fn.conformance_check) == [fn.conformance_check.quote]
        assert coverage.quotes_of(inspect.getdoc(fn)) == coverage.quotes_of(fn)


SAMPLE = Coverage(
    sentences=(
        Entry("topics/http/sessions", "s", "First sentence here."),
        Entry("topics/http/sessions", "s", "It says \"secure\", which means much."),
        Entry("topics/http/sessions", "s", "Old wording of the third.", django="<6.1"),
        Entry("topics/http/sessions", "s", "New wording of the third.", django=">=6.1"),
        Entry("ref/settings", "X", "The domain to use. Set it, or use None for a standard one."),
    ),
    quoted=(Quoted("https://www.rfc-editor.org/rfc/rfc9111", "Note that caches store things; often.", ("CACHE-01",)),),
)


@pytest.mark.parametrize("quote, found", [
    ("First sentence here.", ["First sentence here."]),  # a sentence
    ("first sentence here", ["First sentence here."]),  # its first letter in either case, no end punctuation
    ("sentence here. It says 'secure'", ["First sentence here.", "It says \"secure\", which means much."]),  # a run
    ("It says \u201csecure\u201d", ["It says \"secure\", which means much."]),  # curly quotes
    ("which means much. Old wording", ["It says \"secure\", which means much.", "Old wording of the third."]),
    ("which means much. New wording", ["It says \"secure\", which means much.", "New wording of the third."]),
    ("The domain to use. ... Use None for a standard one.",  # a shortened quote; a part starting mid-sentence
     ["The domain to use. Set it, or use None for a standard one."]),
    ("caches store things", ["Note that caches store things; often."]),  # a quoted document
    ("Old wording of the third. New wording", []),  # never one release's text
    ("First sentence here. ... not there", []),  # every part must be found
    ("First sentence, here.", []),
])
def test_find(quote, found):
    assert [e.text for e in SAMPLE.find(quote)] == found


# --- (b) the data is well formed ----------------------------------------------------------------

def test_data_is_well_formed():
    problems = COVERAGE.problems({fn.conformance_check.id for fn in CHECKS})
    assert not problems, "conformance/judge/coverage.toml:\n  " + "\n  ".join(problems)


def test_data_covers_both_documents_in_order():
    docs = [e.doc for e in COVERAGE.sentences]
    assert docs == sorted(docs, key=list(coverage.DOC_URLS).index), "topics/http/sessions first, then ref/settings"
    assert len(COVERAGE.for_version(coverage.BASE)) > 300
    assert {e.section for e in COVERAGE.sentences if e.doc == "ref/settings"} == {
        "SESSION_CACHE_ALIAS", "SESSION_COOKIE_AGE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_NAME", "SESSION_COOKIE_PATH", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE",
        "SESSION_ENGINE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_FILE_PATH", "SESSION_SAVE_EVERY_REQUEST",
        "SESSION_SERIALIZER"}
    for e in COVERAGE.sentences:
        assert e.django in ("", "<6.1", ">=6.1"), f"{e.text[:60]}: django = {e.django!r}"
        assert e.applies_to("5.2.19") or e.applies_to("6.1.3")


def test_every_kind_is_documented_in_the_data_file():
    header = coverage.DATA.read_text().split("\n[[sentence]]\n", 1)[0]
    assert [k for k in coverage.KINDS if not re.search(rf"^#\s+{k}\s{{2,}}\S", header, re.M)] == []


def test_gaps_say_what_a_check_would_do():
    gaps = [e for e in COVERAGE.sentences if e.kind == "gap" or e.partial]
    assert gaps and all(e.proposal and "family" in e.proposal for e in gaps), \
        [e.text[:60] for e in gaps if "family" not in e.proposal]


# --- (c) the table is current -------------------------------------------------------------------

def test_coverage_table_is_current():
    table = REPO / "docs" / "coverage.md"
    assert table.exists(), f"docs/coverage.md is missing; {REGENERATE}"
    if table.read_text() != coverage.render_markdown(COVERAGE):
        pytest.fail(f"docs/coverage.md is stale (conformance/judge/coverage.toml changed); {REGENERATE}", pytrace=False)


def test_readme_summary_is_current():
    readme = (REPO / "README.md").read_text()
    if readme != coverage.with_summary(readme, COVERAGE):
        pytest.fail(f"README.md's coverage summary is stale; {REGENERATE}", pytrace=False)
    assert "(docs/coverage.md)" in readme


def test_table_names_every_sentence_and_the_summary():
    table = coverage.render_markdown(SAMPLE)
    assert coverage.summary(SAMPLE) in table
    assert "| First sentence here. |" in table and "*(Django >=6.1)*" in table
    assert coverage.summary(SAMPLE).startswith("Django 5.2: 4 sentences; 0 observed by checks")


# --- (d) reStructuredText -> sentences ----------------------------------------------------------

RST = textwrap.dedent("""\
    =====
    Title
    =====

    .. module:: django.contrib.sessions
       :synopsis: Provides session management.

    Intro with :setting:`SESSION_COOKIE_AGE` and ``x`` (e.g. a value). Second
    sentence, wrapped; see `the docs <https://example.com>`_ and :ref:`target-label`.

    .. _target-label:

    Target heading
    --------------

    It works like this::

        code = "dropped. Not a sentence."

    .. code-block:: pycon

        >>> also = "dropped"

    Included engines are:

    * ``'a'``
    * ``'b'``

    .. class:: backends.base.SessionBase

        .. method:: get(key)
        .. method:: aget(key)

          *Asynchronous version*: ``aget()``

          Calls :meth:`~backends.base.SessionBase.set_expiry` and :func:`django.contrib.auth.logout()`.
          Then request.session.get() vs. nothing, version 4.1.2.6 of **it**. django.contrib.auth.login() does.

          .. versionchanged:: 5.1

            ``aget()`` function was added.

        .. method:: aset(key, value)

          .. versionadded:: 5.1

    .. note::

        A note; HttpOnly_ is a flag.

    ...And a last one, ``datetime``\\s).

    .. _HttpOnly: https://owasp.org/www-community/HttpOnly

    .. a comment. It is dropped.
    """)


def test_rst_to_sentences():
    got = [(s.section, s.block, s.text) for s in rst_sentences.sentences_of("topics/http/sessions", RST)]
    member = "backends.base.SessionBase.get() / aget()"
    assert got == [
        ("Title", "", "Intro with SESSION_COOKIE_AGE and x (e.g. a value)."),
        ("Title", "", "Second sentence, wrapped; see the docs and Target heading."),
        ("Target heading", "", "It works like this:"),
        ("Target heading", "", "Included engines are: 'a', 'b'"),
        (member, "", "Asynchronous version: aget()"),
        (member, "", "Calls set_expiry() and django.contrib.auth.logout()."),
        (member, "", "Then request.session.get() vs. nothing, version 4.1.2.6 of it."),
        (member, "", "django.contrib.auth.login() does."),
        (member, "versionchanged 5.1", "aget() function was added."),
        ("backends.base.SessionBase.aset()", "versionadded 5.1", "New in Django 5.1."),
        ("Target heading", "note", "A note; HttpOnly is a flag."),
        ("Target heading", "", "...And a last one, datetimes)."),
    ]


SETTINGS = textwrap.dedent("""\
    Sessions
    ========

    Settings for :mod:`django.contrib.sessions`.

    .. setting:: SESSION_COOKIE_AGE

    ``SESSION_COOKIE_AGE``
    ----------------------

    Default: ``1209600`` (2 weeks, in seconds)

    The age of session cookies, in seconds.

    .. setting:: SESSION_ENGINE

    ``SESSION_ENGINE``
    ------------------

    Controls where Django stores session data. Included engines are:

    * ``'django.contrib.sessions.backends.db'``

    See :ref:`configuring-sessions` for more details.

    Sites
    =====

    .. setting:: SITE_ID

    ``SITE_ID``
    -----------

    Not a session setting.
    """)
SESSIONS = ".. _configuring-sessions:\n\nConfiguring the session engine\n==============================\n\nText.\n"


def test_settings_reference_keeps_only_session_entries():
    labels = rst_sentences.labels_of(SESSIONS, SETTINGS)
    got = [(s.section, s.text) for s in rst_sentences.sentences_of("ref/settings", SETTINGS, labels)]
    assert got == [
        ("SESSION_COOKIE_AGE", "Default: 1209600 (2 weeks, in seconds)"),
        ("SESSION_COOKIE_AGE", "The age of session cookies, in seconds."),
        ("SESSION_ENGINE", "Controls where Django stores session data."),
        ("SESSION_ENGINE", "Included engines are: 'django.contrib.sessions.backends.db'"),
        ("SESSION_ENGINE", "See Configuring the session engine for more details."),
    ]


# --- the tool, on a made-up sdist (no download) -------------------------------------------------

def _sdist(path: Path, sessions: str, settings: str) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (("docs/topics/http/sessions.txt", sessions), ("docs/ref/settings.txt", settings)):
            data = text.encode()
            info = tarfile.TarInfo(f"django-9.9/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_check_lists_missing_and_extra_sentences(tmp_path, capsys):
    sdist = _sdist(tmp_path / "django-9.9.tar.gz", SESSIONS, SETTINGS)
    data = tmp_path / "coverage.toml"
    data.write_text(textwrap.dedent("""\
        [[sentence]]
        doc = "topics/http/sessions"
        section = "Configuring the session engine"
        text = "Text."
        kind = "overview"
        reason = "r"

        [[sentence]]
        doc = "ref/settings"
        section = "SESSION_COOKIE_AGE"
        text = "The age of session cookies, in seconds."
        checks = ["AGE-01"]

        [[sentence]]
        doc = "ref/settings"
        section = "SESSION_COOKIE_AGE"
        text = "A sentence 9.9 does not have."
        kind = "advice"
        reason = "r"

        [[sentence]]
        doc = "ref/settings"
        section = "SESSION_COOKIE_AGE"
        text = "A sentence only older releases have."
        django = "<9.9"
        kind = "advice"
        reason = "r"
        """))
    assert doc_sentences.main(["9.9", "--sdist", str(sdist), "--check", str(data)]) == 1
    out, err = capsys.readouterr()
    assert 'text = "Default: 1209600 (2 weeks, in seconds)"' in out  # a stub to paste
    assert "but not in its docs" in out and "A sentence 9.9 does not have." in out
    assert "only older releases" not in out
    assert "6 sentences in Django 9.9's docs; 4 missing from the data, 1 extra in it" in err

    assert doc_sentences.main(["9.9", "--sdist", str(sdist)]) == 0
    assert "ref/settings | SESSION_ENGINE | - | Controls where Django stores session data." in capsys.readouterr().out


def test_nothing_reads_the_downloaded_sdists():
    """The tool downloads into .sites/docs/ only when asked for a version without --sdist; no module
    (nor this test file) names a machine's own copy."""
    for module in (doc_sentences, rst_sentences, coverage):
        assert "/work/" not in Path(module.__file__).read_text()
    assert doc_sentences.DOWNLOADS == REPO / ".sites" / "docs"
