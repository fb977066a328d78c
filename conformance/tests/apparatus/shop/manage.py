#!/usr/bin/env python
"""A small shop, for the project's own tests of project mode: a Django project that has never
heard of the suite (its own settings module, cookie name, backend and middleware)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.config")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
