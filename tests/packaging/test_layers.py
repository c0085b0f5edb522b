"""The import contracts in pyproject.toml catch a wrong import, and jobsync has no import cycle.

lint-imports runs on a copy of the package in a tmp dir (with the repo's pyproject.toml beside
it), so a test can add a forbidden import without touching the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def contract_names() -> dict[str, str]:
    """id -> name of each contract in pyproject.toml (tomllib is 3.11+; CI also runs 3.10)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return dict(re.findall(r'^id = "([^"]+)"\s*\nname = "([^"]+)"', text, flags=re.M))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "jobsync", tmp_path / "jobsync", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(root: Path) -> tuple[int, str]:
    """(exit code, output with runs of whitespace made one space: the report wraps long names)."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # the copy's jobsync, not the checkout's
    done = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, " ".join((done.stdout + done.stderr).split())


def test_the_clean_package_keeps_every_contract(copy: Path) -> None:
    names = contract_names()
    assert {
        "layers",
        "typer-only-in-cli",
        "git-only-in-repo",
        "http-only-in-backends",
        "backends-asked-not-probed",
    } <= set(names)
    code, output = lint_imports(copy)
    assert code == 0, output
    for name in names.values():
        assert f"{name} KEPT" in output
    assert f"Contracts: {len(names)} kept, 0 broken." in output


@pytest.mark.parametrize(
    ("module", "statement", "contract", "chain"),
    [
        ("core/model.py", "import jobsync.cli", "layers", "jobsync.core.model -> jobsync.cli"),
        ("repo/files.py", "from jobsync.ops import plan", "layers", "jobsync.repo.files -> jobsync.ops.plan"),
        ("errors.py", "import jobsync.core.model", "layers", "jobsync.errors -> jobsync.core.model"),
        ("core/diff.py", "import typer", "typer-only-in-cli", "jobsync.core.diff -> typer"),
        ("ops/plan.py", "import git", "git-only-in-repo", "jobsync.ops.plan -> git"),
        ("backends/local.py", "import requests", "http-only-in-backends", "jobsync.backends.local -> requests"),
        (
            "ops/release.py",
            "from jobsync.backends.dataarts.releases import Package",
            "backends-asked-not-probed",
            "jobsync.ops.release -> jobsync.backends.dataarts.releases",
        ),
        (
            "cli/commands.py",
            "from jobsync.backends.local import LocalWorkspace",
            "backends-asked-not-probed",
            "jobsync.cli.commands -> jobsync.backends.local",
        ),
    ],
)
def test_a_wrong_import_breaks_the_contract_it_names(
    copy: Path, module: str, statement: str, contract: str, chain: str
) -> None:
    target = copy / "jobsync" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{statement}  # the wrong import\n", encoding="utf-8")
    code, output = lint_imports(copy)
    assert code != 0, output
    assert f"{contract_names()[contract]} BROKEN" in output
    assert chain in output
    assert "1 broken." in output


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or with a self-import
    (Tarjan's algorithm, iterative so a deep graph cannot hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def test_cycles_finds_a_cycle_and_only_the_cycle() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["e"], "e": [], "f": ["f"]}
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["f"]]
    assert cycles({"a": ["b"], "b": ["c"], "c": []}) == []


def test_no_import_cycles_among_jobsync_modules() -> None:
    built = grimp.build_graph("jobsync")
    modules = {m for m in built.modules if m == "jobsync" or m.startswith("jobsync.")}
    assert {"jobsync.cli.app", "jobsync.core.plan", "jobsync.repo.files", "jobsync.emulator.http"} <= modules
    graph = {m: {i for i in built.find_modules_directly_imported_by(m) if i in modules} for m in modules}
    assert cycles(graph) == []
