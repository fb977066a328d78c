"""pytest hooks only: options, configuration, header, collection, per-item records, report."""

from __future__ import annotations

import fnmatch
import json
import os
import time

import pytest

from . import blackbox, blackbox_preflight, browsers, deployment, expectations, report
from .run_state import RECORD_KEY, STATE_KEY, HarnessError, RunState, base_record, is_xdist_worker
from .settings import SettingsError, resolve
from .verdict import CAVEAT, ERROR, FAIL, SKIP

pytest_plugins = ["conformance.fixtures"]


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "django-session-conformance")
    group.addoption("--profile", action="append", default=[], dest="conformance_profiles",
                    help="run only this profile (repeatable); env CONFORMANCE_PROFILES")
    group.addoption("--check", action="append", default=[], dest="conformance_checks", metavar="ID",
                    help="run only checks whose id matches this glob, e.g. AGE-01 or 'REN-*' (repeatable); "
                         "env CONFORMANCE_CHECKS")
    group.addoption("--browser-executable", action="append", default=[], metavar="NAME=PATH",
                    dest="conformance_executables",
                    help="launch this executable for a browser engine, e.g. firefox=/usr/bin/firefox-esr; "
                         "env CONFORMANCE_BROWSER_EXECUTABLE")
    group.addoption("--conformance-report", dest="conformance_report", metavar="PATH",
                    help="where to write the JSON report (default reports/conformance.json); env CONFORMANCE_REPORT")
    group.addoption("--expectations", dest="conformance_expectations", metavar="PATH",
                    help="known Django defects file (default conformance/expectations.toml); "
                         "env CONFORMANCE_EXPECTATIONS")
    group.addoption("--list-checks", action="store_true", default=False, dest="conformance_list",
                    help="print the check catalogue (id, family, title, doc) and exit")
    # --base-url comes from pytest-base-url (or pytest-playwright's stand-in); env CONFORMANCE_BASE_URL.
    group.addoption("--probe-token", dest="conformance_probe_token", metavar="TOKEN",
                    help="the deployment's CONFORMANCE_PROBE_TOKEN (probe mode, with --base-url); "
                         "env CONFORMANCE_PROBE_TOKEN")
    group.addoption("--blackbox", dest="conformance_blackbox", metavar="FILE",
                    help="black-box mode (no probe): a TOML file saying how to sign in and the expected "
                         "policy, with --base-url; env CONFORMANCE_BLACKBOX")
    group.addoption("--ignore-https-errors", action="store_true", default=False,
                    dest="conformance_ignore_https_errors",
                    help="accept the deployment's untrusted TLS certificate (staging); "
                         "env CONFORMANCE_IGNORE_HTTPS_ERRORS=1")
    group.addoption("--connect", dest="conformance_connect", metavar="WS_ENDPOINT",
                    help="use browsers from a Playwright browser server (playwright run-server) instead "
                         "of launching them here; env CONFORMANCE_CONNECT")
    for name, text in (("blackbox", "black-box config file"),
                       ("ignore_https_errors", "accept untrusted TLS certificates (true/false)"),
                       ("connect", "Playwright browser server ws endpoint"),
                       ("profiles", "profiles to run (comma separated)"),
                       ("checks", "check id globs to run (comma separated)"),
                       ("browsers", "browsers to run (default chromium,firefox)"),
                       ("report", "JSON report path"), ("expectations", "known defects file")):
        parser.addini(f"conformance_{name}", text)


def pytest_configure(config):
    opt = config.option
    try:
        settings = resolve(
            cli={"profiles": opt.conformance_profiles, "checks": opt.conformance_checks,
                 "browsers": getattr(opt, "browser", None), "executables": opt.conformance_executables,
                 "report": opt.conformance_report, "expectations": opt.conformance_expectations,
                 "base_url": getattr(opt, "base_url", None), "probe_token": opt.conformance_probe_token,
                 "blackbox": opt.conformance_blackbox,
                 "ignore_https_errors": opt.conformance_ignore_https_errors, "connect": opt.conformance_connect},
            ini={**{k: config.getini(f"conformance_{k}") for k in
                    ("profiles", "checks", "browsers", "report", "expectations", "blackbox",
                     "ignore_https_errors", "connect")}, "base_url": _ini(config, "base_url")},
            rootdir=config.rootpath)
        known = expectations.load(settings.expectations_path)
        if settings.base_url and not opt.conformance_list:
            settings = settings.with_target(_discover(settings))
    except (SettingsError, expectations.ExpectationsError, deployment.DeploymentError) as exc:
        raise pytest.UsageError(str(exc)) from None
    # pytest-playwright parametrizes browser_name from this option; our default is both engines.
    opt.browser = list(settings.browsers)
    config.stash[STATE_KEY] = RunState(settings=settings, browser_specs={}, known=known)


def _ini(config, name: str):
    try:
        return config.getini(name)
    except ValueError:  # not declared: neither pytest-base-url nor its stand-in is loaded
        return None


def _discover(settings):
    """The deployment behind --base-url: its probe's settings, or the black-box config."""
    if settings.blackbox_path is not None:
        return blackbox.load(settings.blackbox_path, settings.base_url, dict(os.environ))
    return deployment.discover(settings.base_url, settings.probe_token,
                               verify_tls=not settings.ignore_https_errors)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Black-box mode: sign in once before anything runs, so a wrong selector, password or cookie
    name is one line (exit code 4), not every check failing. Not in xdist workers (the controller
    has done it)."""
    config = session.config
    state = config.stash.get(STATE_KEY, None)
    site = state.settings.target if state else None
    if not isinstance(site, blackbox.BlackBox) or config.option.collectonly or config.option.conformance_list \
            or is_xdist_worker(config):
        return
    name = "chromium" if "chromium" in state.settings.browsers else state.settings.browsers[0]
    spec = _resolve_browsers(config, state, {name})[name]
    try:
        blackbox_preflight.check(site, spec, {"headless": not config.option.headed}, state.settings.context_args,
                                 state.settings.connect_args)
    except deployment.DeploymentError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config):
    state = config.stash.get(STATE_KEY, None)
    return [state.settings.header()] if state else []


def pytest_generate_tests(metafunc):
    if getattr(metafunc.function, "conformance_check", None) is None:
        return
    state = metafunc.config.stash[STATE_KEY]
    names = [p.name for p in state.settings.profiles]
    metafunc.parametrize("conformance_profile", names, ids=names, indirect=True)


def pytest_collection_modifyitems(session, config, items):
    state = config.stash[STATE_KEY]
    checks = {}
    for item in items:
        meta = getattr(getattr(item, "function", None), "conformance_check", None)
        if meta is None:
            continue
        owner = checks.setdefault(meta.id, (item.function.__qualname__, item.path))
        if owner != (item.function.__qualname__, item.path):
            raise pytest.UsageError(f"duplicate check id {meta.id}: {owner[1]}::{owner[0]} and "
                                    f"{item.path}::{item.function.__qualname__}")
    if config.option.conformance_list:
        _print_catalogue(config, items)
        pytest.exit(f"{len(checks)} checks listed", returncode=0)
    patterns = state.settings.check_patterns
    unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(i, p) for i in checks)]
    if checks and unmatched:
        raise pytest.UsageError(f"unknown check id {', '.join(unmatched)}; known: {', '.join(sorted(checks))}")
    keep, drop = [], []
    for item in items:
        meta = getattr(getattr(item, "function", None), "conformance_check", None)
        (keep if meta is None or state.settings.selects(meta.id) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    used = [i for i in items if getattr(getattr(i, "function", None), "conformance_check", None)]
    state.profiles_used = {i.callspec.params["conformance_profile"] for i in used}
    if used and not config.option.collectonly:
        state.browser_specs = _resolve_browsers(config, state, {i.callspec.params["browser_name"] for i in used})


def _resolve_browsers(config, state, names) -> dict:
    channel = getattr(config.option, "browser_channel", None)
    if state.settings.connect:  # the browsers live with the browser server, not here
        return {name: browsers.remote(name, state.settings.executables.get(name), channel) for name in names}
    paths = browsers.playwright_paths()
    specs = {}
    for name in sorted(names):
        try:
            specs[name] = browsers.resolve(name, paths.get(name), state.settings.executables.get(name), channel)
        except browsers.BrowserMissing as exc:
            raise pytest.UsageError(str(exc)) from None
    return specs


def _print_catalogue(config, items):
    seen = {}
    for item in items:
        meta = getattr(getattr(item, "function", None), "conformance_check", None)
        if meta is not None:
            seen.setdefault(meta.id, meta)
    tw = config.get_terminal_writer()
    for meta in sorted(seen.values(), key=lambda m: (m.family, m.id)):
        tw.line(f"{meta.id:9} {meta.family:18} {meta.title}")
        tw.line(f"{'':28} {meta.doc}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    meta = getattr(getattr(item, "function", None), "conformance_check", None)
    if meta is None or RECORD_KEY in item.stash and rep.when != "call":
        return
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        state = item.config.stash[STATE_KEY]
        record = item.stash.get(RECORD_KEY, None)
        if record is None:
            record = base_record(item, meta, item.callspec.params["conformance_profile"],
                                 item.callspec.params["browser_name"])
            kind = SKIP if rep.skipped else ERROR
            text = rep.longrepr[2] if rep.skipped and isinstance(rep.longrepr, tuple) else \
                (call.excinfo.exconly() if call.excinfo else str(rep.longrepr))
            record.update(verdict=kind, expected="", observed="", evidence=[], known=None,
                          note=state.shown(item.callspec.params["conformance_profile"], text))
        elif call.excinfo is not None and call.excinfo.errisinstance(HarnessError):
            record["verdict"] = ERROR
        record["duration_s"] = round(rep.duration, 3)
        state.records.append(record)
        rep.conformance_verdict = record["verdict"]
        rep.conformance_known = bool(record.get("known"))
        # JUnit writes the properties of the teardown report, which copies item.user_properties.
        item.user_properties.extend([("conformance_id", meta.id), ("verdict", record["verdict"]),
                                    ("expected", record["expected"]), ("observed", record["observed"]),
                                    ("doc", meta.doc)] + ([("known", record["known"])] if record.get("known") else []))


def pytest_report_teststatus(report, config):
    verdict = getattr(report, "conformance_verdict", None)
    if report.when != "call" or verdict is None:
        return None
    if verdict == CAVEAT:
        return "caveat", "C", ("CAVEAT", {"yellow": True})
    if verdict == FAIL and getattr(report, "conformance_known", False):
        return "known", "K", ("KNOWN DJANGO DEFECT", {"yellow": True})
    if verdict == ERROR:
        return "error", "E", ("ERROR", {"red": True})
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(STATE_KEY, None)
    if not state or not state.records:
        return
    terminalreporter.section("session conformance")
    for line in report.terminal_lines(state.records):
        terminalreporter.write_line(line)
    if state.timings:
        terminalreporter.write_line("timings: " + ", ".join(f"{k}={v}" for k, v in state.timings.items()))
    for line in state.incomplete:
        terminalreporter.write_line(f"INCOMPLETE: {line}; the report lacks the verdicts it had made", red=True)
    terminalreporter.write_line(f"report: {state.settings.report_path}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist: hand each worker whole browsers (see xdist_scheduling)."""
    from .xdist_scheduling import BrowserScheduling

    return BrowserScheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist controller: gather a worker's records (the controller writes the report)."""
    state = node.config.stash.get(STATE_KEY, None)
    output = getattr(node, "workeroutput", {}).get("conformance")
    if state is not None and output:
        state.merge_worker(node.gateway.id, json.loads(output))
    elif state is not None and error:
        # Its verdicts went with it (xdist runs its unfinished items elsewhere): say so.
        state.incomplete.append(f"worker {node.gateway.id} crashed: {str(error).splitlines()[0]}")


def pytest_sessionfinish(session, exitstatus):
    state = session.config.stash.get(STATE_KEY, None)
    if not state:
        return
    if is_xdist_worker(session.config):  # hand everything to the controller
        session.config.workeroutput["conformance"] = json.dumps(state.worker_output(), default=str)
        return
    if not state.records:
        return
    target = state.settings.target
    described = target.describe() if target is not None else {"mode": "reference", "base_url": None}
    report.write_json(state.settings.report_path, state.records, state.started, time.time(), state.django_version(),
                      state.settings.sources, state.timings, described, state.incomplete)
