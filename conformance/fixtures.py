"""Every fixture. Lifecycles are yield fixtures that clean up on failure: servers stop, browsers
close (inside the campaign), temporary folders go."""

from __future__ import annotations

import secrets
import time

import pytest

from . import campaign as campaign_mod
from .check import Run
from .run_state import STATE_KEY, is_xdist_worker
from .server import ServerError, TargetServer, host_for, migrate_template
from .target import ProbeUnavailable, Target, fetch_settings


@pytest.fixture(scope="session")
def conformance_state(pytestconfig):
    return pytestconfig.stash[STATE_KEY]


@pytest.fixture(scope="session")
def conformance_targets(conformance_state, tmp_path_factory):
    """One reference-site server per profile that collected checks need; all are spawned first
    and then awaited, so start-up overlaps. Values are a Target or the error that stopped it."""
    settings = conformance_state.settings
    wanted = [p for p in settings.profiles if p.name in conformance_state.profiles_used]
    if settings.target is not None:
        # A deployment the suite did not start: nothing to spawn, one Target per derived profile.
        site = settings.target
        blackbox = site if settings.blackbox_path else None
        conformance_state.targets = {
            p.name: Target(p.name, site.base_url, site.token, site.settings, site.django or "unknown", p.expiry,
                           p.skips + _mode_skips(settings), blackbox) for p in wanted}
        yield conformance_state.targets
        return
    workdir = tmp_path_factory.mktemp("targets")
    servers: list[TargetServer] = []
    targets: dict[str, Target | Exception] = {}
    try:
        template = migrate_template(workdir) if wanted else None
        token = secrets.token_hex(16)
        began = time.time()
        for i, profile in enumerate(wanted):  # appended one by one: a failed spawn still stops the others
            servers.append(TargetServer.spawn(profile, workdir, template, token, host_for(profile, i)))
        for server in servers:
            try:
                base = server.wait_ready().base_url
                info = fetch_settings(base, token)
                targets[server.profile.name] = Target(server.profile.name, base, token, info["settings"],
                                                      info.get("django", "?"), server.profile.expiry,
                                                      server.profile.skips + _mode_skips(settings))
            except (ServerError, ProbeUnavailable) as exc:
                targets[server.profile.name] = exc
        conformance_state.targets = targets
        conformance_state.timings["servers_start_s"] = round(time.time() - began, 2)
        yield targets
    finally:
        for server in servers:
            server.stop()


def _mode_skips(settings) -> tuple[tuple[str, str], ...]:
    """Checks the way browsers are reached rules out."""
    if settings.connect:
        return (("CLOSE-02", "a remote browser server (--connect) cannot relaunch a persistent profile; "
                             "CLOSE-01 covers the restart by context"),)
    return ()


@pytest.fixture(scope="session")
def conformance_campaign(request, conformance_state, conformance_targets, browser_type_launch_args,
                         connect_options):
    """Observe every scenario the selected checks need, all at once, before the first verdict."""
    needed = set()
    for item in request.session.items:
        meta = getattr(item.function, "conformance_check", None)
        if meta is None:
            continue
        profile, browser = item.callspec.params["conformance_profile"], item.callspec.params["browser_name"]
        target = conformance_targets.get(profile)
        if isinstance(target, Target) and _skip_reason(meta, target):
            continue
        needed.add((meta.scenario, profile, browser))
    conformance_state.timings["scenarios"] = len(needed)
    settings = conformance_state.settings
    connect = settings.connect_args or connect_options

    def observe(keys: set, phases: dict) -> dict:
        return campaign_mod.run(keys, conformance_targets, conformance_state.browser_specs,
                                browser_type_launch_args, connect, phases, settings.context_args)

    return Campaigns(observe, needed, conformance_state.timings, per_browser=is_xdist_worker(request.config))


class Campaigns:
    """The observations, made on first use: the whole run at once (both browsers side by side),
    or, in a pytest-xdist worker, one browser at a time, since a worker is handed whole browsers
    (xdist_scheduling.py) but learns which only as items arrive."""

    def __init__(self, observe, needed: set, timings: dict, per_browser: bool):
        self.observe, self.needed, self.timings, self.per_browser = observe, needed, timings, per_browser
        self.results: dict = {}
        self.done: set = set()

    def get(self, key):
        group = key[2] if self.per_browser else "all"
        if group not in self.done:
            self.done.add(group)
            keys = {k for k in self.needed if group == "all" or k[2] == group}
            phases: dict = {}
            self.results.update(self.observe(keys, phases))
            self.timings.update(phases if group == "all" else {f"{group}.{k}": v for k, v in phases.items()})
        return self.results.get(key)


@pytest.fixture
def conformance_profile(request):
    return request.param


@pytest.fixture
def run(request, conformance_profile, browser_name, conformance_targets, conformance_campaign) -> Run:
    """This check's target promise and its scenario's observation; a setup problem is an error."""
    meta = request.function.conformance_check
    target = conformance_targets[conformance_profile]
    if isinstance(target, Exception):
        raise ServerError(str(target))
    reason = _skip_reason(meta, target)
    if reason:
        pytest.skip(reason)
    outcome = conformance_campaign.get((meta.scenario, conformance_profile, browser_name))
    if outcome is None:
        raise RuntimeError(f"scenario {meta.scenario} was not run for {conformance_profile}/{browser_name}")
    if outcome.observation is None or (outcome.error and outcome.observation.step("start") is None):
        raise ScenarioError(outcome.error)  # nothing began: no check has anything to judge
    # A scenario that stopped early still serves the checks whose steps it reached; the others
    # report an error naming why it stopped (or are judged on its re-observation).
    latest = Run(conformance_profile, browser_name, target.promise, outcome.observation, outcome.error)
    if outcome.first is None:
        return latest
    first = Run(conformance_profile, browser_name, target.promise, outcome.first,
                "the machine was too busy (re-observed)", later=latest)
    return first


def _skip_reason(meta, target: Target) -> str | None:
    return meta.skip_reason(target.promise) or target.skip_reason(meta.id)


class ScenarioError(Exception):
    """The scenario could not observe what the check needs (reported as a pytest error)."""


@pytest.fixture
def conformance_conclude(request, conformance_state):
    """Turn a check's verdict into the pytest outcome and record it for the report."""
    def conclude(meta, verdict, run=None):
        reobserved = bool(run and run.obs.notes.get("reobserved"))
        conformance_state.conclude(request.node, meta, verdict, reobserved)

    return conclude
