"""Every fixture. Lifecycles are yield fixtures that clean up on failure: servers stop, browsers
close (inside the campaign), temporary folders go. Browsers are launched with pytest-playwright's
browser_type_launch_args and every context opened with its browser_context_args, so a conftest
extending either (the way pytest-playwright documents) changes this suite's browsers too."""

from __future__ import annotations

import dataclasses
import secrets
import time

import pytest

from ..drivers import with_driver_lacks
from ..judge.applicability import skip_reason
from ..judge.check import Run, check_of
from ..judge.verdict import Verdict
from ..observe import campaign
from ..observe.campaign import BrowserSetup
from ..observe.preflight import rehearse
from ..observe.scenario import ScenarioKey
from ..sites import environment
from ..targets.capabilities import RELAUNCH
from ..targets.probe_client import ProbeUnavailable, fetch_settings
from ..targets.reference import ReferenceServer, ServerError, host_for, migrate_template
from ..targets.target import BLACK_BOX, REFERENCE, Target
from . import outcome
from .state import KNOWN_KEY, PLAN_KEY, RECORDER_KEY, RESULT_KEY, SETTINGS_KEY, TARGETS_KEY
from .xdist import is_worker

NO_RELAUNCH = ("a remote browser server (--connect) cannot relaunch a persistent profile; the restart by a "
               "new context is still checked")


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
                        connect=settings.connect_args or connect_options)


@pytest.fixture(scope="session")
def conformance_targets(pytestconfig, conformance_settings, conformance_recorder, conformance_browser_setup,
                        tmp_path_factory):
    """One Target per profile that collected checks need (values are a Target, or the error that
    stopped its server). The reference site: one server per profile, all spawned first and then
    awaited, so start-up overlaps. A deployment: nothing to start; in black-box mode its sign-in is
    rehearsed first (observe/preflight.py)."""
    settings, plan = conformance_settings, pytestconfig.stash[PLAN_KEY]
    wanted = [p for p in settings.profiles if p.name in plan.profiles]
    run_lacks = {RELAUNCH: NO_RELAUNCH} if settings.connect else {}

    def complete(target: Target) -> Target:
        target = with_driver_lacks(target)
        return dataclasses.replace(target, lacks={**run_lacks, **target.lacks})

    if settings.mode != REFERENCE:
        targets = {p.name: complete(settings.site.target_for(p)) for p in wanted}
        pytestconfig.stash[TARGETS_KEY] = targets
        conformance_recorder.django = settings.site.django
        if settings.mode == BLACK_BOX and targets:
            browser = "chromium" if "chromium" in settings.browsers else settings.browsers[0]
            rehearse(next(iter(targets.values())), browser, conformance_browser_setup)
        yield targets
        return
    workdir = tmp_path_factory.mktemp("targets")
    site_environment = environment.runner()
    servers: list[ReferenceServer] = []
    targets: dict[str, Target | Exception] = {}
    try:
        template = migrate_template(workdir, site_environment) if wanted else None
        token = secrets.token_hex(16)
        began = time.time()
        for i, profile in enumerate(wanted):  # appended one by one: a failed spawn still stops the others
            servers.append(ReferenceServer.spawn(profile, workdir, template, token, site_environment,
                                                 host_for(profile, i)))
        for server in servers:
            try:
                base = server.wait_ready().base_url
                info = fetch_settings(base, token)
                targets[server.profile.name] = complete(Target(
                    server.profile.name, REFERENCE, base, token, info["settings"], info.get("django", "?"),
                    server.profile.expiry, lacks=dict(server.profile.withholds)))
            except (ServerError, ProbeUnavailable) as exc:
                targets[server.profile.name] = exc
        pytestconfig.stash[TARGETS_KEY] = targets
        conformance_recorder.django = next((t.django for t in targets.values() if isinstance(t, Target)),
                                           site_environment.django)
        conformance_recorder.timings["servers_start_s"] = round(time.time() - began, 2)
        yield targets
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def conformance_observations(request, conformance_targets, conformance_recorder, conformance_browser_setup):
    """Every scenario the selected checks need, observed all at once before the first verdict."""
    needed, scenarios = set(), {}
    for item in request.session.items:
        meta = check_of(item)
        if meta is None:
            continue
        profile, browser = item.callspec.params["conformance_profile"], item.callspec.params["browser_name"]
        target = conformance_targets.get(profile)
        if isinstance(target, Target) and skip_reason(meta, target):
            continue
        needed.add(ScenarioKey(meta.scenario.name, profile, browser))
        scenarios[meta.scenario.name] = meta.scenario
    conformance_recorder.timings["scenarios"] = len(needed)

    def observe(keys: set, phases: dict) -> dict:
        return campaign.run(keys, scenarios, conformance_targets, conformance_browser_setup, phases)

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
def conformance_profile(request):
    return request.param


@pytest.fixture
def run(request, conformance_profile, browser_name, conformance_targets, conformance_observations) -> Run:
    """This check's target promise and its scenario's observation. A check that does not apply is
    skipped here (judge/applicability.py); a setup problem is an error."""
    meta = check_of(request.node)
    target = conformance_targets[conformance_profile]
    if isinstance(target, Exception):
        raise ServerError(str(target))
    reason = skip_reason(meta, target)
    if reason:
        result = outcome.result_for(meta, Verdict.skip(reason), target, conformance_profile, browser_name,
                                    request.config.stash[KNOWN_KEY], request.node.nodeid)
        request.node.stash[RESULT_KEY] = result
        pytest.skip(result.note)
    observed = conformance_observations.get(ScenarioKey(meta.scenario.name, conformance_profile, browser_name))
    if observed is None:
        raise RuntimeError(f"scenario {meta.scenario.name} was not run for {conformance_profile}/{browser_name}")
    if observed.observation is None or (observed.error and observed.observation.step("start") is None):
        raise ScenarioError(observed.error)  # nothing began: no check has anything to judge
    # A scenario that stopped early still serves the checks whose steps it reached; the others
    # report an error naming why it stopped (or are judged on its re-observation).
    latest = Run(conformance_profile, browser_name, target.promise, observed.observation, observed.error)
    if observed.first is None:
        return latest
    return Run(conformance_profile, browser_name, target.promise, observed.first,
               "the machine was too busy (re-observed)", later=latest)


class ScenarioError(Exception):
    """The scenario could not observe what the check needs (reported as a pytest error)."""


@pytest.fixture
def conformance_conclude(request, conformance_targets):
    """Turn a check's verdict into its Result and the pytest outcome."""
    def conclude(meta, verdict, run=None):
        params = request.node.callspec.params
        profile, browser = params["conformance_profile"], params["browser_name"]
        result = outcome.result_for(meta, verdict, conformance_targets.get(profile), profile, browser,
                                    request.config.stash[KNOWN_KEY], request.node.nodeid,
                                    reobserved=bool(run and run.obs.notes.get("reobserved")))
        request.node.stash[RESULT_KEY] = result
        outcome.end_test(result)

    return conclude
