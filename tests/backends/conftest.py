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

from jobsync.backends.base import Workspace
from jobsync.backends.local import LocalWorkspace

BUCKET = "jobsync-transfer"


@dataclass
class Harness:
    """Opens the workspace as a user and reads back the raw workspace document."""

    open: Callable[[str], Workspace]
    document: Callable[[], dict[str, Any]]


@pytest.fixture(params=["local", "dataarts", "enterprise"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Harness]]:
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
        extra: dict[str, Any] = {}
        if request.param == "enterprise":
            # the development environment of an enterprise-mode workspace: every user a developer
            document = {**document, "mode": "enterprise"}
            extra = {"instance_id": "instance-1"}
        emulator.set_workspace(workspace_id, document)

        def open_remote(user: str) -> Workspace:
            opened.append(emulator.dataarts_workspace(workspace_id, user, **extra))
            return opened[-1]

        return Harness(open_remote, lambda: emulator.workspace(workspace_id))

    yield make
    for workspace in opened:
        workspace.close()
