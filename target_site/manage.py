#!/usr/bin/env python
"""Django's command-line utility for the reference site."""

import os
import sys
from pathlib import Path


def main():
    # Run as a script, sys.path[0] is target_site/; the package needs its parent.
    repo_root = str(Path(__file__).resolve().parent.parent)
    if repo_root not in sys.path:
        sys.path.insert(0, repo_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "target_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
