"""The CI recipes in examples/ci/ parse, and every command they run (make targets and variables, the
`conformance` subcommands and their options) is one the documentation describes: the README or a page
of the documentation site (docs/), read without the regions that include the recipes themselves (a
recipe cannot document itself)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RECIPES = sorted((REPO / "examples" / "ci").glob("*.yml"))
INCLUDED = re.compile(r"^<!-- include: [^ ]+ -->$.*?^<!-- /include -->$", re.S | re.M)
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
DOCS = "\n".join(INCLUDED.sub("", page.read_text()) for page in PAGES)  # what users read, recipes aside
CODE = "\n".join(re.findall(r"```(?:sh|console|yaml)?\n(.*?)```", DOCS, re.S))


def commands(data) -> list[str]:
    """Every shell command a recipe runs (GitHub steps' `run`, GitLab's script lists)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("run", "script", "before_script"):
                    found.extend(value if isinstance(value, list) else [value])
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(data)
    return [line for text in found for line in str(text).replace("\\\n", " ").splitlines() if line.strip()]


def invocations(line: str):
    """(program, words) for each make and conformance command in a shell line: the first word of a
    command (after NAME=value assignments), commands separated by &&, ||, ; or |."""
    tokens = shlex.split(line.replace("$(", "").replace(")", ""), comments=True)
    command: list[str] = []
    for token in tokens + [";"]:
        if token not in ("&&", "||", ";", "|"):
            command.append(token)
            continue
        while command and re.fullmatch(r"[A-Z_]+=.*", command[0]):
            command.pop(0)
        if command and (command[0] == "make" or command[0].endswith("conformance")):
            yield ("make" if command[0] == "make" else "conformance"), command[1:]
        command = []


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.name for r in RECIPES])
def test_recipe_parses_and_runs_only_documented_commands(recipe):
    data = yaml.safe_load(recipe.read_text())
    assert isinstance(data, dict) and data
    lines = commands(data)
    used = [inv for line in lines for inv in invocations(line)]
    # A team's own repository has no clone of the suite: no make there.
    programs = {"conformance"} if recipe.name.startswith("project-") else {"make", "conformance"}
    assert {program for program, _ in used} == programs, used
    for program, words in used:
        if program == "make":
            skip_next = False
            for word in words:
                if skip_next:
                    skip_next = False
                elif word == "-C":
                    skip_next = True
                elif "=" in word:
                    assert f"{word.split('=')[0]}=" in DOCS, f"{recipe.name}: make variable {word} not in the docs"
                else:
                    assert re.search(rf"make [^\n]*\b{re.escape(word)}\b", CODE), \
                        f"{recipe.name}: make {word} is not in the docs' commands"
        else:
            sub = words[0] if words and not words[0].startswith("-") else "run"
            assert f"conformance {sub}" in DOCS, f"{recipe.name}: conformance {sub} not in the docs"
            for word in words:
                if word.startswith("--"):
                    assert word.split("=")[0] in DOCS, f"{recipe.name}: {word} not in the docs"


def test_both_kinds_of_ci_are_covered():
    text = " ".join(recipe.read_text() for recipe in RECIPES)
    assert {"github-actions.yml", "gitlab-ci.yml"} <= {r.name for r in RECIPES}
    for needle in ("matrix", "GATE=regressions", "--baseline", "--gate regressions", "CONFORMANCE_PROBE_TOKEN",
                   "junit.xml", "conformance.html", "conformance.json", "--project .", "browsers --install"):
        assert needle in text, needle
