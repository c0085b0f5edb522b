"""Shared fixtures: the one emulator of the test run (a real socket, one per session and worker),
a scenario per backend, and (support/zips.py) console .zip builders."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import BACKENDS, WORKSPACE_ID, Scenario, environment

# Test-only credentials of the emulator: one per user the scenarios act as.
EMULATOR_STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [
        {"ak": f"AK{user.upper()}TEST", "sk": f"sk-{user}-not-a-secret", "user": user}
        for user in ("jobsync", "admin", "alice")
    ],
    "tokens": {"token-jobsync": "jobsync"},
    "workspaces": {},
}


pytest_plugins = ["support.zips"]

CHECKOUT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Every `jobsync` a test starts (workflow steps, subprocesses) runs this checkout with
    this interpreter, whatever jobsync is installed elsewhere on the machine."""
    bin_dir = Path(tempfile.mkdtemp(prefix="jobsync-tests-bin-"))
    atexit.register(shutil.rmtree, bin_dir, True)
    launcher = bin_dir / "jobsync"
    launcher.write_text(f"#!{sys.executable}\nimport sys\nfrom jobsync.cli.app import main\nsys.exit(main())\n")
    launcher.chmod(0o755)
    os.environ["PATH"] = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(CHECKOUT), os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Any]:
    """The emulator every test of this worker shares."""
    from jobsync.emulator.testing import running_emulator

    with running_emulator() as server:
        yield server


@pytest.fixture
def emulator(emulator_server: Any) -> Any:
    """The session's emulator, back to the default state and options."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture(params=BACKENDS)
def scenario(request: pytest.FixtureRequest, tmp_path: Path) -> Scenario:
    """A fresh repo with workspace `dev` on each backend."""
    if request.param == "emulator":
        server = request.getfixturevalue("emulator_server")
        server.reset(EMULATOR_STATE)
        server.set_workspace(WORKSPACE_ID, environment())
        return Scenario(tmp_path, "emulator", server)
    scenario = Scenario(tmp_path, "local")
    scenario.seed(environment())
    return scenario


@pytest.fixture
def local(tmp_path: Path) -> Scenario:
    """A fresh repo with workspace `dev` on the local backend only."""
    scenario = Scenario(tmp_path, "local")
    scenario.seed(environment())
    return scenario


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that talks to the emulator, so `-m "not emulator"` is the quick loop: one
    asking for the emulator fixtures, or run on the emulator backend by a parametrized fixture
    (scenario, environments: "emulator"; the contract suite's seeded: "dataarts", "enterprise")."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        uses = {"emulator", "emulator_server"} & set(getattr(item, "fixturenames", ()))
        if uses or {"emulator", "dataarts", "enterprise"} & {v for v in params.values() if isinstance(v, str)}:
            item.add_marker(pytest.mark.emulator)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/*/plan.*")


@pytest.fixture(params=BACKENDS)
def environments(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A repo with workspaces dev and prod (not configured yet) on each backend."""
    from support.environments import Environments

    if request.param == "emulator":
        server = request.getfixturevalue("emulator_server")
        server.reset(EMULATOR_STATE)
        return Environments(tmp_path, "emulator", server)
    return Environments(tmp_path, "local")
