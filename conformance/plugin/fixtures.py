"""Every fixture. Lifecycles are yield fixtures that clean up on failure: servers stop, browsers
close (inside the campaign), temporary folders go. Browsers are launched with pytest-playwright's
browser_type_launch_args and every context opened with its browser_context_args, so a conftest
extending either (the way pytest-playwright documents) changes this suite's browsers too."""

from __future__ import annotations

import dataclasses
import secrets
import time
import warnings

import pytest

from ..drivers import with_driver_lacks
from ..drivers.sign_ins import SignInPace
from ..judge.applicability import skip_reason
from ..judge.check import Run, check_of
from ..judge.verdict import Verdict
from ..observe import campaign
from ..observe.campaign import REFUSED, STUCK, TOO_BUSY, BrowserSetup
from ..observe.preflight import rehearse
from ..observe.scenario import ScenarioKey
from ..project.site import ProjectError, Workspace
from ..report import timeline
from ..targets.capabilities import BACK_FORWARD_CACHE, RELAUNCH
from ..targets.probe_client import ProbeUnavailable, fetch_settings
from ..targets.process import stop_all
from ..targets.profiles import unavailable
from ..targets.reference import ReferenceServer, ServerError, host_for, migrate_template
from ..targets.target import BLACK_BOX, PROJECT, REFERENCE, Target
from . import outcome
from .state import KNOWN_KEY, PLAN_KEY, PLANNED_KEY, RECORDER_KEY, RESULT_KEY, SETTINGS_KEY, TARGETS_KEY
from .xdist import is_worker

class PreflightWarning(UserWarning):
    """What the black-box rehearsal saw that may explain failures to come (shown in pytest's warnings summary)."""


NO_RELAUNCH = ("a remote browser server (--connect) cannot relaunch a persistent profile; the restart by a "
               "new context is still checked")
NO_BFCACHE = "a remote browser server (--connect) launches its browsers as it likes (the back/forward cache off)"


@pytest.fixture(scope="session")
def conformance_settings(pytestconfig):
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def conformance_recorder(pytestconfig):
    return pytestconfig.stash[RECORDER_KEY]


@pytest.fixture(scope="session")
def conformance_browser_setup(pytestconfig, conformance_settings, browser_type_launch_args, browser_context_args,
                              connect_options) -> BrowserSetup:
    """How browsers are launched and contexts opened: pytest-playwright's arguments, plus what this
    run's settings add (accepting a staging certificate, a browser server)."""
    settings = conformance_settings
    return BrowserSetup(specs=pytestconfig.stash[PLAN_KEY].browser_specs, launch_args=dict(browser_type_launch_args),
                        context_args={**browser_context_args, **settings.context_args},
                        connect=settings.connect_args or connect_options, slots=settings.concurrency)


@pytest.fixture(scope="session")
def conformance_targets(pytestconfig, conformance_settings, conformance_recorder, conformance_browser_setup,
                        tmp_path_factory):
    """One Target per planned target the collected checks need (values are a Target, or the error
    that stopped its server). The reference site: one server per profile and site environment,
    all spawned first and then awaited, so start-up overlaps. A deployment: nothing to start; in
    black-box mode its sign-in is rehearsed first (observe/preflight.py)."""
    settings, plan = conformance_settings, pytestconfig.stash[PLAN_KEY]
    wanted = [p for p in pytestconfig.stash[PLANNED_KEY] if p.id in plan.targets]
    run_lacks = {RELAUNCH: NO_RELAUNCH, BACK_FORWARD_CACHE: NO_BFCACHE} if settings.connect else {}

    def complete(target: Target) -> Target:
        target = with_driver_lacks(target)
        return dataclasses.replace(target, lacks={**run_lacks, **target.lacks})

    if settings.mode not in (REFERENCE, PROJECT):
        # One sign-in pace for the whole run and every profile of the site (drivers/sign_ins.py).
        pace = SignInPace(settings.sign_in_rate) if settings.mode == BLACK_BOX else None
        targets = {p.id: dataclasses.replace(complete(settings.site.target_for(p.profile)), sign_in_pace=pace)
                   for p in wanted}
        pytestconfig.stash[TARGETS_KEY] = targets
        if settings.mode == BLACK_BOX and targets:
            browser = "chromium" if "chromium" in settings.browsers else settings.browsers[0]
            for warning in rehearse(next(iter(targets.values())), browser, conformance_browser_setup):
                warnings.warn(PreflightWarning(warning), stacklevel=1)
        yield targets
        return
    if settings.mode == PROJECT:
        yield from _project_targets(pytestconfig, settings, wanted, complete, conformance_recorder,
                                    tmp_path_factory.mktemp("project"))
        return
    workdir = tmp_path_factory.mktemp("targets")
    servers: list[tuple[str, ReferenceServer]] = []
    targets: dict[str, Target | Exception] = {}
    try:
        token = secrets.token_hex(16)
        began = time.time()
        templates = {}
        for i, planned in enumerate(wanted):  # appended one by one: a failed spawn still stops the others
            env, profile = planned.environment, planned.profile
            if why := unavailable(profile, env.django):
                # Nothing to start: every check is skipped with the reason.
                targets[planned.id] = Target(profile.name, REFERENCE, "http://unavailable.invalid/", token,
                                             dict(profile.session), env.django, profile.expiry,
                                             session_api=profile.session_api, unavailable=why)
                continue
            home = workdir / env.name
            if env.name not in templates:
                templates[env.name] = migrate_template(home, env)
            servers.append((planned, ReferenceServer.spawn(profile, home, templates[env.name], token, env,
                                                           host_for(profile, i))))
        for planned, server in servers:
            try:
                base = server.wait_ready().base_url
                info = fetch_settings(base, token)
                targets[planned.id] = complete(Target(
                    planned.profile.name, REFERENCE, base, token, info["settings"], info.get("django", "?"),
                    planned.profile.expiry, lacks=planned.profile.lacks(),
                    session_api=planned.profile.session_api))
            except (ServerError, ProbeUnavailable) as exc:
                targets[planned.id] = exc
        pytestconfig.stash[TARGETS_KEY] = targets
        conformance_recorder.timings["servers_start_s"] = round(time.time() - began, 2)
        yield targets
    finally:
        stop_all([server for _, server in servers])


def _project_targets(pytestconfig, settings, wanted, complete, recorder, workdir):
    """Project mode: the team's project in each of its environments, one server each, on test
    databases; every profile of an environment is a target on its server. Stopped, and the test
    databases dropped, whatever happens."""
    site, targets, running = settings.site, {}, []
    began = time.time()
    try:
        environments = list({p.environment.name: p.environment for p in wanted}.values())
        for i, env in enumerate(environments):
            workspace = Workspace(settings.project, env, workdir / env.name.replace(" ", "-"), site.token,
                                  f"127.0.0.{10 + i}")
            running.append((workspace, None))  # before its databases exist: an interrupted create is dropped too
            try:
                workspace.create_databases()
                server = workspace.serve(workspace.folder / "server.log")
                running[-1] = (workspace, server)
                server.wait_ready()
                info = fetch_settings(server.base_url, site.token)
                # Where the browser sends the session cookie: under SESSION_COOKIE_PATH (the probe is
                # mounted there too, project/wrap.py).
                base = server.base_url + info["settings"].get("SESSION_COOKIE_PATH", "/").strip("/")
                served = dataclasses.replace(site, base_url=base.rstrip("/") + "/", settings=info["settings"],
                                             django=info.get("django", "?"))
                for planned in (p for p in wanted if p.environment is env):
                    targets[planned.id] = complete(served.target_for(planned.profile))
            except (ServerError, ProbeUnavailable) as exc:
                # The project would not start: its own doing (bad input, exit 4), as a failed sign-in is.
                raise ProjectError(str(exc)) from None
        pytestconfig.stash[TARGETS_KEY] = targets
        recorder.timings["servers_start_s"] = round(time.time() - began, 2)
        yield targets
    finally:
        for workspace, server in running:
            if server is not None:
                server.stop()
            try:
                workspace.destroy_databases()
            except ProjectError as exc:  # every workspace's are dropped; none hides the run's own error
                warnings.warn(PreflightWarning(f"the project's test databases were not dropped: {exc}"), stacklevel=1)


@pytest.fixture(scope="session")
def conformance_observations(request, conformance_targets, conformance_recorder, conformance_browser_setup):
    """Every scenario the selected checks need, observed all at once before the first verdict."""
    needed, scenarios = set(), {}
    for item in request.session.items:
        meta = check_of(item)
        if meta is None:
            continue
        target_id, browser = item.callspec.params["conformance_target"], item.callspec.params["browser_name"]
        target = conformance_targets.get(target_id)
        if isinstance(target, Target) and skip_reason(meta, target):
            continue
        needed.add(ScenarioKey(meta.scenario.name, target_id, browser))
        scenarios[meta.scenario.name] = meta.scenario
    conformance_recorder.timings["scenarios"] = len(needed)

    def observe(keys: set, phases: dict) -> dict:
        results = campaign.run(keys, scenarios, conformance_targets, conformance_browser_setup, phases)
        paces = {id(t.sign_in_pace): t.sign_in_pace for t in conformance_targets.values()
                 if isinstance(t, Target) and t.sign_in_pace is not None}
        for pace in paces.values():  # the rehearsal's sign-ins and the campaign's
            phases["sign_ins"] = pace.describe()
        return results

    return Observations(observe, needed, conformance_recorder.timings, per_browser=is_worker(request.config))


class Observations:
    """The observations, made on first use: the whole run at once (both browsers side by side),
    or, in a pytest-xdist worker, one browser at a time, since a worker is handed whole browsers
    (plugin/xdist.py) but learns which only as items arrive."""

    def __init__(self, observe, needed: set, timings: dict, per_browser: bool):
        self.observe, self.needed, self.timings, self.per_browser = observe, needed, timings, per_browser
        self.results: dict = {}
        self.done: set = set()

    def get(self, key: ScenarioKey):
        group = key.browser if self.per_browser else "all"
        if group not in self.done:
            self.done.add(group)
            keys = {k for k in self.needed if group == "all" or k.browser == group}
            phases: dict = {}
            self.results.update(self.observe(keys, phases))
            self.timings.update(phases if group == "all" else {f"{group}.{k}": v for k, v in phases.items()})
        return self.results.get(key)


@pytest.fixture
def conformance_target(request):
    """The id of the target this check item judges (plugin/state.Planned)."""
    return request.param


@pytest.fixture
def run(request, conformance_target, browser_name, conformance_targets, conformance_observations) -> Run:
    """This check's target promise and its scenario's observation. A check that does not apply is
    skipped here (judge/applicability.py); a setup problem is an error."""
    meta = check_of(request.node)
    target = conformance_targets[conformance_target]
    if isinstance(target, Exception):
        raise ServerError(str(target))
    reason = skip_reason(meta, target)
    if reason:
        result = outcome.result_for(meta, Verdict.skip(reason), target, target.profile, browser_name,
                                    request.config.stash[KNOWN_KEY], request.node.nodeid)
        request.node.stash[RESULT_KEY] = result
        pytest.skip(result.note)
    observed = conformance_observations.get(ScenarioKey(meta.scenario.name, conformance_target, browser_name))
    if observed is None:
        raise RuntimeError(f"scenario {meta.scenario.name} was not run for {conformance_target}/{browser_name}")
    if observed.observation is None or (observed.error and observed.observation.step("start") is None):
        raise ScenarioError(observed.error)  # nothing began: no check has anything to judge
    # A scenario that stopped early still serves the checks whose steps it reached; the others
    # report an error naming why it stopped (or are judged on its re-observation).
    latest = Run(target.profile, browser_name, target.promise, observed.observation, observed.error)
    if observed.first is None:
        return latest
    tries = len(observed.earlier) + 1
    return Run(target.profile, browser_name, target.promise, observed.first,
               f"{REASONS.get(observed.first_unobserved, observed.first_unobserved)} (observed {tries} times)",
               later=latest)


# Why a first observation was cut short, in the words of a check's error.
REASONS = {TOO_BUSY: "the machine was too busy", STUCK: "a browser call never returned",
           REFUSED: "the site refused the sign-in"}


class ScenarioError(Exception):
    """The scenario could not observe what the check needs (reported as a pytest error)."""


@pytest.fixture
def conformance_conclude(request, conformance_targets, conformance_recorder):
    """Turn a check's verdict into its Result and the pytest outcome."""
    recorder = conformance_recorder

    def conclude(meta, verdict, run=None):
        params = request.node.callspec.params
        target = conformance_targets.get(params["conformance_target"])
        result = outcome.result_for(meta, verdict, target, target.profile, params["browser_name"],
                                    request.config.stash[KNOWN_KEY], request.node.nodeid,
                                    reobserved=bool(run and run.obs.notes.get("reobserved")))
        request.node.stash[RESULT_KEY] = result
        if run is not None:
            name = timeline.key(meta.scenario.name, target.profile, params["browser_name"])
            recorder.timelines.setdefault((target.django, name),
                                          timeline.timeline(run.obs, target.promise, target.profile, target.django))
        outcome.end_test(result)

    return conclude
