"""The tests mirror the tree: every module of jobsync/core has a unit test under tests/core that
imports it, and tests/ops, tests/cli and tests/render hold tests of their layers."""

from __future__ import annotations

import ast
from pathlib import Path

import jobsync

TESTS = Path(__file__).resolve().parents[1]
CORE = Path(jobsync.__file__).parent / "core"


def imported_modules(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_every_core_module_is_imported_by_a_unit_test_under_tests_core():
    modules = {f"jobsync.core.{path.stem}" for path in CORE.glob("*.py") if path.stem != "__init__"}
    assert sorted(modules - imported_modules(TESTS / "core")) == []


def test_the_upper_layers_have_test_folders_of_their_own():
    for layer in ("ops", "cli", "render"):
        tests = sorted((TESTS / layer).glob("test_*.py"))
        assert tests, f"tests/{layer} has no tests"
        assert any(f"jobsync.{layer}" in module for module in imported_modules(TESTS / layer)), layer
