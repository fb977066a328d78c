"""The package layout shows the data flow, and stays that way: modules import no circle, and each
subpackage imports only from those before it in the flow (profile -> server process -> browser
session -> observation -> verdict -> report, with pytest's glue last). The probe, installed into
sites that have nothing but Django, imports only the stdlib contract."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
# The flow, first to last. A module may import from its own layer or an earlier one.
LAYERS = (
    ("protocol", "exchange"),  # the vocabulary: the probe's contract, what was observed
    ("probe",),  # the Django app inside the site
    ("sites",),  # which Python and Django run the reference site
    ("targets", "project"),  # profiles, promises, servers and deployments; a team's own project, started
    ("drivers",),  # the browser session: how a browser acts on a site
    ("observe",),  # scenarios, the campaign, timing
    ("judge",),  # check declarations, applicability, verdicts, known defects
    ("checks",),  # the families
    ("report",),  # results, JSON, terminal
    ("config",),  # options and settings
    ("plugin", "tools"),  # pytest's glue; developer tools
    ("cli",),  # the `conformance` command
)
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "tests":
            continue
        parts = ("conformance",) + rel.with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Modules of this package that importing `name` imports (a package's __init__ included)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("conformance") and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_no_import_circles():
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(GRAPH):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def _layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYER.get(parts[1]) if len(parts) > 1 else None


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) is not None))
def test_imports_follow_the_flow(name):
    mine = _layer(name)
    later = sorted(t for t in GRAPH[name] if _layer(t) is not None and _layer(t) > mine)
    assert not later, f"{name} imports from later in the flow: {later}"


def test_every_subpackage_is_placed_in_the_flow_and_says_its_job():
    for path in PACKAGE.iterdir():
        if path.is_dir() and (path / "__init__.py").exists() and path.name != "tests":
            assert path.name in LAYER, f"{path.name}/ is not in LAYERS"
            assert ast.get_docstring(ast.parse((path / "__init__.py").read_text())), f"{path.name}/ has no docstring"


def test_the_probe_needs_only_django_and_the_protocol():
    for name in (n for n in MODULES if n.startswith("conformance.probe")):
        assert GRAPH[name] <= {"conformance", "conformance.protocol", "conformance.probe",
                               *(n for n in MODULES if n.startswith("conformance.probe."))}, name
