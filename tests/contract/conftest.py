"""Workspaces for the contract suite: the local backend and the dataarts backend talking to
the emulator over a real socket, both seeded from the same workspace document."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from obs import ObsClient

from jobsync.backends.base import Workspace
from jobsync.backends.dataarts import DataArtsWorkspace
from jobsync.backends.dataarts_config import parse_config
from jobsync.backends.dataarts_http import Credentials
from jobsync.backends.dataarts_import import ObsTransfer
from jobsync.backends.local import LocalWorkspace
from jobsync.emulator.testing import EmulatorServer, running_emulator

BUCKET = "jobsync-transfer"


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with running_emulator() as server:
        yield server


@dataclass
class Harness:
    """Opens the workspace as a user and reads back the raw workspace document."""

    open: Callable[[str], Workspace]
    document: Callable[[], dict[str, Any]]


def dataarts_workspace(emulator: EmulatorServer, workspace_id: str, user: str) -> DataArtsWorkspace:
    ak, sk = emulator.credential(user)
    backend = {
        "type": "dataarts",
        "region": "cn-north-4",
        "project_id": emulator.project_id,
        "workspace_id": workspace_id,
        "endpoint": emulator.url,
        "obs": {"bucket": BUCKET, "endpoint": emulator.obs_url},
    }
    config = parse_config(backend, "workspace.yaml")
    obs = ObsTransfer(
        ObsClient(access_key_id=ak, secret_access_key=sk, server=emulator.obs_url, path_style=True),
        BUCKET,
    )
    return DataArtsWorkspace(config, Credentials(ak=ak, sk=sk), obs=obs)


@pytest.fixture(params=["local", "dataarts"])
def seeded(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[dict[str, Any]], Harness]]:
    """seeded(document) -> Harness over a workspace holding that document."""
    opened: list[Workspace] = []

    def make(document: dict[str, Any]) -> Harness:
        if request.param == "local":
            path = tmp_path / "state.json"
            path.write_text(json.dumps(document))

            def open_local(user: str) -> Workspace:
                opened.append(LocalWorkspace(path))
                return opened[-1]

            return Harness(open_local, lambda: json.loads(path.read_text()))
        emulator = request.getfixturevalue("emulator")
        workspace_id = uuid.uuid4().hex[:8]
        emulator.set_workspace(workspace_id, document)

        def open_remote(user: str) -> Workspace:
            opened.append(dataarts_workspace(emulator, workspace_id, user))
            return opened[-1]

        return Harness(open_remote, lambda: emulator.workspace(workspace_id))

    yield make
    for workspace in opened:
        workspace.close()
