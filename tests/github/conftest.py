"""Fixtures for the GitHub workflow tests: a fake GitHub REST API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fake_github import FakeGitHub, running_fake_github


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with running_fake_github() as fake:
        yield fake
