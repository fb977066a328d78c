"""The `conformance` subcommands, each a function of its arguments returning the exit code."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from ..report import compare, html
from ..report.results import ReportError, load
from ..sites.environment import SiteEnvironmentError, clone_root
from ..sites.spec import PYTHONS, DjangoSpec, SpecError

USAGE_ERROR, FAILED = 4, 1
PACKAGE = Path(__file__).resolve().parents[1]
CHECKS = PACKAGE / "checks"
SUITE_INI = Path(__file__).resolve().with_name("suite.ini")  # the clone's pytest.ini, less testpaths
MATRIX_REPORT = Path("reports/matrix/conformance.json")


def _error(message: str) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return USAGE_ERROR


def run(args: list[str]) -> int:
    """pytest on the checks, with pytest's own exit code, from any folder: the suite's own
    configuration (-c), the working folder as rootdir (reports/ land there, not beside
    site-packages), and the plugin (-p: an installed package has no conftest of the clone). The
    caller's arguments come last and win."""
    import pytest

    own = ["-c", str(SUITE_INI), f"--rootdir={Path.cwd()}", "-p", "conformance.plugin"]
    return int(pytest.main([*own, str(CHECKS), *args]))


def matrix(args: list[str]) -> int:
    """The reference site on each Django version, in one run (one campaign: the versions' scenarios
    side by side), a report each, and the comparison across them."""
    specs, extra = (args[:args.index("--")], args[args.index("--") + 1:]) if "--" in args else (args, [])
    if len(specs) < 2:
        return _error("conformance matrix needs two or more Django versions, e.g. conformance matrix 4.2 5.2 6.1")
    try:
        for spec in specs:
            DjangoSpec.parse(spec)
    except SpecError as exc:
        return _error(str(exc))
    wanted = [f"--django={spec}" for spec in specs]
    report = [] if any(a.startswith("--conformance-report") for a in extra) else \
        [f"--conformance-report={MATRIX_REPORT}", f"--html-report={MATRIX_REPORT.with_suffix('.html')}"]
    return run([*wanted, *report, *extra])


def diff(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="conformance diff", description="compare two conformance reports")
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--gate", choices=compare.GATES, default="none",
                        help="exit 1 on regressions, or on any change of verdict (default: never)")
    parser.add_argument("--html", type=Path, help="also write the comparison as an HTML report of NEW")
    parser.add_argument("--json", type=Path, help="also write the comparison as JSON")
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:
        return USAGE_ERROR if exc.code else 0
    try:
        old, new = load(options.old), load(options.new)
        d = compare.diff(old, new)
    except (ReportError, compare.CompareError) as exc:
        return _error(str(exc))
    for line in compare.lines(d, str(options.old), str(options.new)):
        print(line)
    if options.html:
        from ..checks import families

        html.write(options.html, [new], [d], [], families())
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(d.to_json(), indent=2))
    if d.fails(options.gate):
        print(f"gate '{options.gate}': FAILED")
        return FAILED
    return 0


def merge(args: list[str]) -> int:
    """The shards of one run (--shard K/N), merged into the report, HTML and summary one run would
    have made; --baseline and --gate work on the result. Exit 0, 1 (a fail, an error, or the gate)
    or 4 (not the parts of one run, each once)."""
    parser = argparse.ArgumentParser(prog="conformance merge", description="merge the reports of a run's shards")
    parser.add_argument("reports", nargs="*", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path("reports/conformance.json"),
                        help="the merged report (one per Django version when several); the HTML beside it")
    parser.add_argument("--baseline", type=Path, help="compare the merged run with this earlier report")
    parser.add_argument("--gate", choices=compare.GATES, help="what fails the run (as conformance run --gate)")
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:
        return USAGE_ERROR if exc.code else 0
    from ..checks import families
    from ..report.findings import conclude, summary_lines
    from ..report.merge import MergeError
    from ..report.merge import merge as merged

    try:
        reports = merged([(str(path), load(path)) for path in options.reports], families())
        baseline = load(options.baseline) if options.baseline else None
        if options.gate and baseline is None and len(reports) < 2:
            return _error(f"--gate {options.gate} compares with a baseline: give --baseline REPORT, or shards of "
                          "a run on two Django versions")
        findings = conclude(reports, families(), options.output, options.output.with_suffix(".html"), baseline,
                            options.gate, str(options.baseline or ""))
    except (ReportError, MergeError, compare.CompareError) as exc:
        return _error(str(exc))
    for section, line in summary_lines(findings, families()):
        print(f"{'=' * 20} {section} {'=' * 20}" if section else line)
    for path in findings.written:
        print(f"report: {path}")
    code = FAILED if findings.failed else 0
    from ..report.terminal import exit_line

    print(exit_line(findings.reports, findings.gate_line, code))
    return code


def sites(args: list[str]) -> int:
    from ..sites.environment import sites_home
    from ..sites.prepare import environment_for

    if args[:1] == ["list"]:
        home = sites_home()
        for folder in sorted(home.glob("django-*")) if home.exists() else []:
            stamp = folder / ".conformance-env.json"
            if stamp.exists():
                data = json.loads(stamp.read_text())
                print(f"{folder.name}: Django {data['django']}, Python {data['python_version']}"
                      f"{' in ' + data['root'] + ' root' if data.get('root') else ''}")
        return 0
    if args[:1] != ["prepare"] or len(args) < 2:
        return _error("usage: conformance sites prepare SPEC... | conformance sites list")
    try:
        for text in args[1:]:
            env = environment_for(DjangoSpec.parse(text), say=lambda line: print(f"conformance: {line}"))
            print(f"{text}: {env.label()}")
    except (SpecError, SiteEnvironmentError) as exc:
        return _error(str(exc))
    return 0


def browsers(args: list[str]) -> int:
    """Say which browser each engine launches; with --install, first install what is missing."""
    from ..observe import install
    from ..observe.browsers import KNOWN, main as browsers_main

    names = [a for a in args if a != "--install"]
    bad = [n for n in names if n not in KNOWN]
    if bad:
        return _error(f"unknown browser {', '.join(bad)}: choose from {', '.join(KNOWN)}")
    if "--install" in args:
        return install.install(names or ["chromium", "firefox"])
    return browsers_main(names)


def lock(args: list[str]) -> int:
    """Re-lock what `make deps` and the site environments install, with every file's hash: the
    runner's in the clone's locks/, each Django line's in the package (it ships with a wheel)."""
    from ..sites.prepare import LOCKS

    repo = clone_root()
    if repo is None:
        return _error("conformance lock re-locks a clone's dependencies: run it in a clone (make lock)")
    uv = Path(sys.executable).parent / "uv"
    jobs = [(repo / "requirements.txt", repo / "locks" / "runner.txt", "3.10")]
    for line, (oldest, _) in sorted(PYTHONS.items()):
        source = LOCKS / f"site-django-{line}.in"
        source.write_text(DjangoSpec(line).requirements)
        jobs.append((source, LOCKS / f"site-django-{line}.txt", f"{oldest[0]}.{oldest[1]}"))
    for source, target, python in jobs:
        done = subprocess.run([str(uv), "pip", "compile", "--quiet", "--universal", "--generate-hashes",
                               "--python-version", python, str(source.relative_to(repo)), "-o",
                               str(target.relative_to(repo))], cwd=repo, capture_output=True, text=True)
        if done.returncode != 0:
            return _error(f"locking {source.name} failed: {done.stderr.strip().splitlines()[-1:]}")
        print(f"locked {target.relative_to(repo)}")
    return 0


COMMANDS = {"run": run, "matrix": matrix, "diff": diff, "merge": merge, "sites": sites, "browsers": browsers,
            "lock": lock}
