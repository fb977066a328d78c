"""What the suite asks of a team's project, run inside the project's own Python with the settings
module project/wrap.py generates around theirs (DJANGO_SETTINGS_MODULE):

    python -m conformance.project.child inspect   the Django version and SESSION_* settings, and
                                                  whether every database server answers
    python -m conformance.project.child create    make the test databases, as Django's test
                                                  runner does (test_<NAME>, migrated)
    python -m conformance.project.child destroy   drop them again

Each prints one JSON object on its last line: the answer, or {"error": "<one line>"} (exit 2).
Imports Django and the standard library only, like the probe.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

TEST_DATABASES = "CONFORMANCE_TEST_DATABASES"  # alias -> the test database's NAME (set by the suite)


def _answer(payload: dict, code: int = 0) -> int:
    print(json.dumps(payload), flush=True)
    return code


def _setup() -> None:
    import django

    django.setup()


def _describe(alias: str, db: dict) -> str:
    where = db.get("HOST") or "local"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"'{alias}' ({db.get('ENGINE', '?')}, NAME {db.get('NAME')!s} at {where}{port})"


def inspect() -> int:
    from django.conf import settings
    from django.db import connections

    import django

    names = sorted(n for n in dir(settings) if n.startswith("SESSION_"))
    values = {}
    for name in names:
        value = getattr(settings, name)
        values[name] = value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
    for alias in connections:
        if connections[alias].vendor == "sqlite":
            continue  # a file, nothing to reach (and connecting would create their database file)
        try:
            connections[alias].ensure_connection()
        except Exception as exc:  # the database server's own error, in one line
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return _answer({"error": f"cannot connect to the project's database "
                                     f"{_describe(alias, connections[alias].settings_dict)}: {first} (the suite "
                                     "makes a test database beside it there, as Django's test runner does)"}, 2)
    return _answer({"django": django.get_version(), "settings": values})


def create() -> int:
    from django.db import connections

    made, originals = {}, {}
    for alias in connections:
        if connections[alias].settings_dict.get("TEST", {}).get("MIRROR"):
            continue
        originals[alias] = str(connections[alias].settings_dict["NAME"])
        try:
            made[alias] = str(connections[alias].creation.create_test_db(verbosity=0, autoclobber=True,
                                                                         serialize=False, keepdb=False))
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return _answer({"error": f"making the test database for {_describe(alias, connections[alias].settings_dict)}"
                                     f" failed: {type(exc).__name__}: {first}"}, 2)
    return _answer({"test_databases": made, "originals": originals})


def destroy() -> int:
    from django.db import connections

    originals = json.loads(os.environ.get("CONFORMANCE_ORIGINAL_DATABASES", "{}"))
    for alias, name in originals.items():
        connections[alias].creation.destroy_test_db(old_database_name=name, verbosity=0, keepdb=False)
    return _answer({"destroyed": sorted(originals)})


def main(argv: list[str]) -> int:
    action = argv[0] if argv else ""
    if action not in ("inspect", "create", "destroy"):
        return _answer({"error": "usage: python -m conformance.project.child inspect|create|destroy"}, 2)
    try:
        _setup()
    except Exception as exc:
        module = os.environ.get("CONFORMANCE_PROJECT_SETTINGS", "?")
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return _answer({"error": f"cannot set the project up with its settings {module}: {last}"}, 2)
    return {"inspect": inspect, "create": create, "destroy": destroy}[action]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
