"""pytest hooks only: options, configuration, header, collection, per-item results, the report.
Fixtures are in fixtures.py, the stash in state.py; the flow itself lives in the other packages
(targets -> drivers -> observe -> judge -> report)."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import secrets
import sys
from types import SimpleNamespace

import pytest

from .. import checks
from ..config.options import OPTIONS
from ..config.settings import SettingsError, resolve
from ..judge import expectations
from ..judge.check import check_of
from ..judge.docs import doc_url
from ..judge.verdict import CAVEAT, ERROR, FAIL, SKIP, Verdict
from ..observe import browsers
from ..observe.preflight import PreflightFailed
from ..report import compare, terminal
from ..report.findings import conclude, summary_lines
from ..report.results import ReportError, load
from ..sites.environment import SiteEnvironmentError
from ..sites.prepare import environment_for
from ..project import site as project_site
from ..project.environment import project_environment_for
from ..targets import blackbox_config, deployment, profiles
from ..targets.target import BLACK_BOX, PROBE, PROJECT, REFERENCE, Target
from . import hookspecs, outcome, sharding
from .recorder import Recorder
from .state import (BASELINE_KEY, FINDINGS_KEY, KNOWN_KEY, PLAN_KEY, PLANNED_KEY, RECORDER_KEY, RESULT_KEY,
                    SETTINGS_KEY, SHARD_KEY, TARGETS_KEY, EXIT_KEY, Plan, Planned)
from .xdist import BrowserScheduling, is_worker

pytest_plugins = ["conformance.plugin.fixtures"]


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "django-session-conformance")
    for option in OPTIONS:
        if option.flag:
            help_text = f"{option.help}; env {option.env}" if option.env else option.help
            if option.switch:
                group.addoption(option.flag, action="store_true", default=False, dest=option.option_dest,
                                help=help_text)
            else:
                group.addoption(option.flag, action="append" if option.many else "store",
                                default=[] if option.many else None, dest=option.option_dest,
                                metavar=option.metavar, help=help_text)
        if option.ini and not option.owned_ini:
            parser.addini(option.ini, option.help)
    group.addoption("--list-checks", action="store_true", default=False, dest="conformance_list",
                    help="print the check catalogue (id, family, title, doc) and exit")


def pytest_configure(config):
    cli = {o.key: getattr(config.option, o.option_dest, None) for o in OPTIONS}
    ini = {o.key: _ini(config, o.ini) for o in OPTIONS if o.ini}
    extra = [p for found in config.hook.pytest_conformance_profiles(config=config) for p in (found or ())]
    config.addinivalue_line("markers", "check(id): a conformance check with a stable id (conformance.judge.check)")
    try:
        settings = resolve(cli=cli, ini=ini, rootdir=config.rootpath, catalogue=profiles.PROFILES + tuple(extra))
        known = expectations.load(settings.expectations_path)
        if settings.mode not in (REFERENCE, PROJECT) and not config.option.conformance_list:
            settings = settings.with_site(_discover(settings))
        environments = _environments(settings, config)
        if settings.mode == PROJECT and not config.option.conformance_list:
            # Its profiles are named from its settings, as its own Python loads them.
            settings = settings.with_site(project_site.discover(settings.project, environments[0],
                                                                secrets.token_hex(16)))
        planned = _plan(settings, environments)
        if settings.shard is not None:
            planned, shard = sharding.part(planned, settings)
            config.stash[SHARD_KEY] = shard
    except (SettingsError, expectations.ExpectationsError, deployment.DeploymentError, SiteEnvironmentError,
            project_site.ProjectError) as exc:
        raise pytest.UsageError(str(exc)) from None
    # pytest-playwright parametrizes browser_name from this option; our default is both engines.
    config.option.browser = list(settings.browsers)
    config.stash[SETTINGS_KEY] = settings
    config.stash[KNOWN_KEY] = known
    config.stash[PLANNED_KEY] = planned
    config.stash[BASELINE_KEY] = _baseline(settings, planned)
    config.stash[RECORDER_KEY] = Recorder()
    config.stash[PLAN_KEY] = Plan()


def _plan(settings, environments) -> tuple[Planned, ...]:
    """Every target of the run: each profile on each site environment (made first if need be:
    a Django release's own virtualenv, maybe inside a Debian root), or a deployment's profiles."""
    if settings.mode not in (REFERENCE, PROJECT):
        return tuple(Planned(p.name, p) for p in settings.profiles)
    several = len(settings.djangos) > 1
    return tuple(Planned(f"{p.name}@django-{spec}" if several else p.name, p, env)
                 for spec, env in zip(settings.djangos or [None], environments) for p in settings.profiles)


def _environments(settings, config) -> list:
    """The site environment for each Django the run asks for (the runner's own when none): the
    reference site's, or the project's with its requirements."""
    if settings.mode in (PROBE, BLACK_BOX):
        return []  # a deployment runs its own
    if config.option.conformance_list or (config.option.collectonly and settings.mode == REFERENCE):
        return [None]  # nothing will run: no environment needs making

    def say(line: str) -> None:  # before the terminal reporter exists: a one-off set-up is worth a line
        sys.stderr.write(f"conformance: {line}\n")
    if settings.mode == PROJECT:
        return [project_environment_for(settings.project, spec, say) for spec in settings.djangos] or \
            [project_environment_for(settings.project, None, say)]
    return [environment_for(spec, say) for spec in settings.djangos] or [environment_for(None)]


def _baseline(settings, planned):
    """The report to compare with (--baseline), checked now: a baseline that never ran this run's
    profiles or browsers is one line before anything runs, not a wall of "missing" after."""
    if settings.baseline_path is None:
        return None
    try:
        baseline = load(settings.baseline_path)
    except ReportError as exc:
        raise pytest.UsageError(f"--baseline: {exc}") from None
    for what, mine, theirs in (("profiles", {p.profile.name for p in planned}, {r.profile for r in baseline.results}),
                               ("browsers", set(settings.browsers), {r.browser for r in baseline.results})):
        if mine - theirs:
            raise pytest.UsageError(
                f"--baseline {settings.baseline_path} has no results for the {what} {', '.join(sorted(mine - theirs))} "
                f"(it has {', '.join(sorted(theirs)) or 'none'}): choose them with --{what[:-1]}, or another baseline")
    return baseline


def _ini(config, name: str):
    try:
        return config.getini(name)
    except ValueError:  # not declared: neither pytest-base-url nor its stand-in is loaded
        return None


def _discover(settings):
    """The deployment behind --base-url: its probe's settings, or the black-box config."""
    if settings.mode == BLACK_BOX:
        return blackbox_config.load(settings.blackbox_path, settings.base_url, dict(os.environ))
    return deployment.discover(settings.base_url, settings.probe_token, verify_tls=not settings.ignore_https_errors)


def pytest_report_header(config):
    settings = config.stash.get(SETTINGS_KEY, None)
    if not settings:
        return []
    environments = {p.environment.label(): None for p in config.stash[PLANNED_KEY] if p.environment is not None}
    shard = config.stash.get(SHARD_KEY, None)
    part = ([f"conformance: shard {shard['index']}/{shard['count']} of run {shard['run']}: {len(shard['targets'])} of "
             f"{shard['of']} targets ({', '.join(shard['targets']) or 'none'})"] if shard else [])
    return [settings.header(), *part] + [f"conformance: site {label}" for label in environments]


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    """Before pytest-playwright's browser_name, whichever plugin loaded first: ids read
    `[<target>-<browser>]` (plugin/xdist.py schedules by that last part)."""
    if check_of(metafunc.function) is None:
        return
    ids = [p.id for p in metafunc.config.stash[PLANNED_KEY]]
    metafunc.parametrize("conformance_target", ids, ids=ids, indirect=True)


def pytest_collection_modifyitems(session, config, items):
    settings = config.stash[SETTINGS_KEY]
    owners = {}
    for item in items:
        meta = check_of(item)
        if meta is None:
            continue
        owner = owners.setdefault(meta.id, (item.function.__qualname__, item.path))
        if owner != (item.function.__qualname__, item.path):
            raise pytest.UsageError(f"duplicate check id {meta.id}: {owner[1]}::{owner[0]} and "
                                    f"{item.path}::{item.function.__qualname__}")
    if config.option.conformance_list:
        _print_catalogue(config, items)
        pytest.exit(f"{len(owners)} checks listed", returncode=0)
    unmatched = [p for p in settings.check_patterns if not any(fnmatch.fnmatchcase(i, p) for i in owners)]
    if owners and unmatched:
        raise pytest.UsageError(f"unknown check id {', '.join(unmatched)}; known: {', '.join(sorted(owners))}")
    keep, drop = [], []
    planned_ids = {p.id for p in config.stash[PLANNED_KEY]}
    for item in items:
        meta = check_of(item)
        # A shard with no targets: pytest's "empty parameter set" stand-ins are no checks to run.
        target = getattr(item, "callspec", SimpleNamespace(params={})).params.get("conformance_target")
        (keep if meta is None or (target in planned_ids and settings.selects(meta.id)) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    used = [i for i in items if check_of(i) is not None]
    specs = {}
    if used and not config.option.collectonly:
        specs = _resolve_browsers(config, settings, {i.callspec.params["browser_name"] for i in used})
    config.stash[PLAN_KEY] = Plan(frozenset(i.callspec.params["conformance_target"] for i in used), specs)


def _resolve_browsers(config, settings, names) -> dict:
    channel = getattr(config.option, "browser_channel", None)
    if settings.connect:  # the browsers live with the browser server, not here
        return {name: browsers.remote(name, settings.executables.get(name), channel) for name in names}
    paths = browsers.playwright_paths()
    specs = {}
    for name in sorted(names):
        try:
            specs[name] = browsers.resolve(name, paths.get(name), settings.executables.get(name), channel,
                                           headless=not getattr(config.option, "headed", False))
        except browsers.BrowserMissing as exc:
            raise pytest.UsageError(str(exc)) from None
    return specs


def _print_catalogue(config, items):
    seen = {}
    for item in items:
        meta = check_of(item)
        if meta is not None:
            seen.setdefault(meta.id, meta)
    order = [f.name for f in checks.families()]
    tw = config.get_terminal_writer()
    for meta in sorted(seen.values(), key=lambda m: (order.index(m.family.name), m.id)):
        tw.line(f"{meta.id:9} {meta.family.name:18} {meta.title}")
        tw.line(f"{'':28} {doc_url(meta.doc, None)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    meta = check_of(item)
    if meta is None:
        return rep
    if call.when == "setup" and call.excinfo is not None and call.excinfo.errisinstance(
            (PreflightFailed, project_site.ProjectError)):
        # The black-box config, or the project, cannot work here: bad input, one line, exit code 4
        # (pytest's main prints a UsageError raised during the session as "ERROR: ..." and tears
        # everything down).
        raise pytest.UsageError(str(call.excinfo.value))
    if not (call.when == "call" or (call.when == "setup" and not rep.passed)):
        return rep
    result = item.stash.get(RESULT_KEY, None)
    if result is None:  # the test ended before a verdict: a setup error (or an unexpected skip)
        target_id, browser = item.callspec.params["conformance_target"], item.callspec.params["browser_name"]
        text = rep.longrepr[2] if rep.skipped and isinstance(rep.longrepr, tuple) else \
            (call.excinfo.exconly() if call.excinfo else str(rep.longrepr))
        planned = next(p for p in item.config.stash[PLANNED_KEY] if p.id == target_id)
        target = item.config.stash.get(TARGETS_KEY, {}).get(target_id)
        django = (planned.environment.django if planned.environment is not None
                  else target.django if isinstance(target, Target) else "unknown")
        result = outcome.result_for(meta, Verdict(SKIP if rep.skipped else ERROR, note=text),
                                    target if isinstance(target, Target) else None, planned.profile.name, browser, (),
                                    item.nodeid, django=django)
    elif call.excinfo is not None and call.excinfo.errisinstance(outcome.HarnessError):
        result = dataclasses.replace(result, verdict=ERROR)
    result = dataclasses.replace(result, duration_s=round(rep.duration, 3))
    item.config.stash[RECORDER_KEY].add(result)
    rep.conformance_verdict = result.verdict
    rep.conformance_known = bool(result.known)
    # JUnit writes the properties of the teardown report, which copies item.user_properties.
    item.user_properties.extend([("conformance_id", meta.id), ("verdict", result.verdict),
                                 ("expected", result.expected), ("observed", result.observed),
                                 ("doc", result.doc)] + ([("known", result.known)] if result.known else []))
    return rep


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
    findings = config.stash.get(FINDINGS_KEY, None)
    if findings is None:
        return
    recorder = config.stash[RECORDER_KEY]
    for section, line in summary_lines(findings, checks.families(), recorder.timings):
        if section:
            terminalreporter.section(section)
        elif line:
            terminalreporter.write_line(line, red=line.startswith("  REGRESSION") or (
                line == findings.gate_line and findings.gate_failed), green=line == findings.gate_line and not
                findings.gate_failed, bold=line.startswith("Django ") and line.endswith(":"))
    write = terminalreporter.write_line
    if recorder.timings:
        # Scalars only: the per-browser figures (make bench's) are in the JSON report.
        write("timings: " + ", ".join(f"{k}={v}" for k, v in recorder.timings.items()
                                      if not isinstance(v, (dict, list))))
    for line in recorder.incomplete:
        write(f"INCOMPLETE: {line}; the report lacks the verdicts it had made", red=True)
    for path in findings.written:
        write(f"report: {path}")
    exitstatus = config.stash.get(EXIT_KEY, exitstatus)
    failed = exitstatus != 0
    write(terminal.exit_line(findings.reports, findings.gate_line, exitstatus), bold=True, red=failed,
          green=not failed)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist: hand each worker whole browsers (plugin/xdist.py)."""
    return BrowserScheduling(config, log, config.stash[SETTINGS_KEY].browsers)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist controller: gather a worker's results (the controller writes the report)."""
    recorder = node.config.stash.get(RECORDER_KEY, None)
    output = getattr(node, "workeroutput", {}).get("conformance")
    if recorder is not None and output:
        recorder.merge_worker(node.gateway.id, json.loads(output))
    elif recorder is not None and error:
        # Its verdicts went with it (xdist runs its unfinished items elsewhere): say so.
        recorder.incomplete.append(f"worker {node.gateway.id} crashed: {str(error).splitlines()[0]}")


def pytest_sessionfinish(session, exitstatus):
    """The run's last step: its findings (report/findings.py), from every verdict the run made
    (a pytest-xdist worker hands its own to the controller instead)."""
    config = session.config
    recorder = config.stash.get(RECORDER_KEY, None)
    if not recorder:
        return
    if is_worker(config):  # hand everything to the controller
        config.workeroutput["conformance"] = json.dumps(recorder.worker_output(), default=str)
        return
    settings = config.stash[SETTINGS_KEY]
    shard = config.stash.get(SHARD_KEY, None)
    if not recorder.results and shard is None:
        return
    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        recorder.incomplete.append("interrupted (Ctrl-C): only the verdicts made before it are here")
    if shard is not None:
        # For the merge: how this part ended (a part cut short, by Ctrl-C or a crash, is not merged as
        # if it were whole) and how many verdicts it made. A part that had nothing to judge is done.
        if not recorder.results and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK
        shard = {**shard, "exitstatus": int(session.exitstatus), "results": len(recorder.results),
                 "incomplete": list(recorder.incomplete)}
    target = settings.site.describe() if settings.site is not None else {"mode": REFERENCE, "base_url": None}
    sites = {p.environment.django: p.environment.describe() for p in config.stash[PLANNED_KEY]
             if p.environment is not None}
    reports = recorder.reports(checks.families(), target, settings.sources, sites, shard)
    try:
        findings = conclude(reports, checks.families(), settings.report_path, settings.html_path,
                            config.stash.get(BASELINE_KEY, None), settings.gate,
                            str(settings.baseline_path or ""), several=len(settings.djangos) > 1)
    except compare.CompareError as exc:
        raise pytest.UsageError(f"--baseline: {exc}") from None
    if findings.gate_line and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # The gate decides the exit code: a fail that was failing in the baseline too is not news.
        session.exitstatus = pytest.ExitCode.TESTS_FAILED if findings.gate_failed else pytest.ExitCode.OK
    config.stash[FINDINGS_KEY] = findings
    config.stash[EXIT_KEY] = int(session.exitstatus)  # as the gate, or an empty shard, left it
