"""What the suite asks of a team's project, run inside the project's own Python with the settings
module project/wrap.py generates around theirs (DJANGO_SETTINGS_MODULE):

    python -m conformance.project.child inspect   the Django version and SESSION_* settings, and
                                                  whether every database server answers
    python -m conformance.project.child names     the test databases' names (known before they
                                                  are made, so an interrupted create is dropped too)
    python -m conformance.project.child create    make the test databases, as Django's test
                                                  runner does (migrated; names from wrap.py)
    python -m conformance.project.child destroy   drop them again

Each writes one JSON object to the file CONFORMANCE_ANSWER names (not stdout, where a project may
print): the answer, or {"error": "<one line>"}. Imports Django and the standard library only,
like the probe.
"""

from __future__ import annotations

import inspect as _inspect
import json
import os
import sys
import traceback

TEST_DATABASES = "CONFORMANCE_TEST_DATABASES"  # alias -> the test database's NAME (set by the suite)
ANSWER = "CONFORMANCE_ANSWER"  # the file the answer is written to


def _answer(payload: dict, code: int = 0) -> int:
    with open(os.environ[ANSWER], "w") as out:
        json.dump(payload, out)
    return code


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _describe(alias: str, db: dict) -> str:
    where = db.get("HOST") or "local"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"'{alias}' ({db.get('ENGINE', '?')}, NAME {db.get('NAME')!s} at {where}{port})"


def _created(connections) -> list:
    """The aliases that get a test database of their own (a test mirror uses its primary's)."""
    return [alias for alias in connections if not connections[alias].settings_dict.get("TEST", {}).get("MIRROR")]


def inspect() -> int:
    from django.conf import settings
    from django.db import connections

    import django

    names = sorted(n for n in dir(settings) if n.startswith("SESSION_"))
    values = {}
    for name in names:
        value = getattr(settings, name)
        values[name] = value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
    for alias in _created(connections):
        connection = connections[alias]
        if connection.vendor == "sqlite":
            continue  # a file, nothing to reach (and connecting would create their database file)
        try:
            # The server, not the project's database: Django's test runner never needs that one.
            with connection._nodb_cursor():
                pass
        except Exception as exc:  # the database server's own error, in one line
            return _answer({"error": f"cannot connect to the project's database server for "
                                     f"{_describe(alias, connection.settings_dict)}: {_first_line(exc)} (the suite "
                                     "makes a test database there, as Django's test runner does)"}, 2)
    return _answer({"django": django.get_version(), "settings": values})


def names() -> int:
    from django.db import connections

    return _answer({"test_databases": {a: str(connections[a].creation._get_test_db_name()) for a in _created(connections)},
                    "originals": {a: str(connections[a].settings_dict["NAME"]) for a in _created(connections)}})


def _create_test_db(connection):
    """create_test_db() without serializing (the suite never rolls back); `serialize` is deprecated
    where its default is None (Django 6.1)."""
    creation = connection.creation
    serialize = _inspect.signature(creation.create_test_db).parameters.get("serialize")
    extra = {} if serialize is None or serialize.default is None else {"serialize": False}
    return str(creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, **extra))


def create() -> int:
    from django.db import connections

    made, originals = {}, {}
    for alias in _created(connections):
        originals[alias] = str(connections[alias].settings_dict["NAME"])
        try:
            made[alias] = _create_test_db(connections[alias])
        except Exception as exc:
            _drop(connections, {a: originals[a] for a in made})  # what was made before this one
            return _answer({"error": f"making the test database for {_describe(alias, connections[alias].settings_dict)}"
                                     f" failed: {type(exc).__name__}: {_first_line(exc)}"}, 2)
    return _answer({"test_databases": made, "originals": originals})


def _drop(connections, originals: dict) -> list[str]:
    """Drop each alias's test database, every one tried; what could not be dropped, said."""
    failed = []
    for alias, name in originals.items():
        try:
            connections[alias].creation.destroy_test_db(old_database_name=name, verbosity=0, keepdb=False)
        except Exception as exc:
            failed.append(f"{alias}: {_first_line(exc)}")
    return failed


def destroy() -> int:
    from django.db import connections

    failed = _drop(connections, json.loads(os.environ.get("CONFORMANCE_ORIGINAL_DATABASES", "{}")))
    if failed:
        return _answer({"error": f"dropping the test databases failed ({'; '.join(failed)})"}, 2)
    return _answer({"destroyed": True})


def main(argv: list[str]) -> int:
    action = argv[0] if argv else ""
    if action not in ("inspect", "names", "create", "destroy"):
        return _answer({"error": "usage: python -m conformance.project.child inspect|names|create|destroy"}, 2)
    try:
        import django

        django.setup()
    except Exception as exc:
        module = os.environ.get("CONFORMANCE_PROJECT_SETTINGS", "?")
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return _answer({"error": f"cannot set the project up with its settings {module}: {last}"}, 2)
    return {"inspect": inspect, "names": names, "create": create, "destroy": destroy}[action]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
