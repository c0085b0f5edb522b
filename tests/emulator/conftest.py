from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobsync.emulator.testing import EmulatorServer, running_emulator


@pytest.fixture(scope="session")
def server() -> Iterator[EmulatorServer]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def emulator(server: EmulatorServer) -> EmulatorServer:
    """The session's emulator, back to the default state and options."""
    server.reset()
    return server
