"""Where a team's project runs: its own Python (the one the suite was installed into, beside the
project's requirements) by default; with --django SPEC, a site environment made for that Django
(sites/prepare.py) with the project's requirements installed beside it, any Django pin in them
replaced by the release asked for."""

from __future__ import annotations

import hashlib
import re

from ..sites.environment import SiteEnvironment, runner
from ..sites.prepare import Extra, environment_for

# A requirement line naming Django itself (not django-something).
DJANGO_LINE = re.compile(r"^\s*django\s*(\[[^\]]*\])?\s*([<>=!~;@]|$)", re.IGNORECASE)


def extra_for(project) -> Extra:
    """The project's requirements, Django taken out, and a folder name of their own."""
    text = project.requirements.read_text() if project.requirements else ""
    kept = "".join(line + "\n" for line in text.splitlines()
                   if line.strip() and not line.lstrip().startswith("#") and not DJANGO_LINE.match(line))
    digest = hashlib.sha256(f"{project.folder}\n{kept}".encode()).hexdigest()[:8]
    source = f"the project's requirements ({project.requirements})" if project.requirements else "no requirements"
    return Extra(f"project-{digest}", kept, source)


def project_environment_for(project, spec, say=print) -> SiteEnvironment:
    if spec is None:
        return runner()
    return environment_for(spec, say, extra_for(project))
