"""Where a team's project runs: its own Python (the one the suite was installed into, beside the
project's requirements) by default; with --django SPEC, a site environment made for that Django
with the project's requirements installed beside it."""

from __future__ import annotations

from ..sites.environment import SiteEnvironment, SiteEnvironmentError, runner


def project_environment_for(project, spec, say=print) -> SiteEnvironment:
    if spec is None:
        return runner()
    raise SiteEnvironmentError(f"--django {spec} with --project: not available yet")
