"""Serve the reference site: ``python -m target_site.serve [--host H] [--port P] [--asgi]``
(conformance.sites.serve, with the reference site's settings unless DJANGO_SETTINGS_MODULE names
a profile's own)."""

import os
import sys
from pathlib import Path


def main(argv=None):
    repo_root = str(Path(__file__).resolve().parent.parent)
    if repo_root not in sys.path:
        sys.path.insert(0, repo_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "target_site.settings")
    from conformance.sites.serve import main as serve

    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
