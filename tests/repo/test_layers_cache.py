"""The repo's checks are skipped only when they would give the same answer: every job is the
parse cache's text of its body and exactly these texts passed before."""

from __future__ import annotations

import pytest
from support import job_body

import jobsync
from jobsync.core.model import Kind
from jobsync.errors import ConfigError
from jobsync.repo import layers


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = layers.semantic_problems

    def counting(specs):
        calls.append(len(specs))
        return real(specs)

    monkeypatch.setattr(layers, "semantic_problems", counting)
    return calls


def test_unchanged_jobs_are_not_checked_again_and_an_edit_is(local, counted):
    local.put(Kind.JOB, job_body("a"))
    local.put(Kind.JOB, job_body("b", depends=["a"]))
    local.commit()
    config = jobsync.load_workspace(local.root, "dev")

    layers.desired(config)  # parses the files: checked, and remembered
    layers.desired(config)  # the same bodies, now the cache's texts: skipped
    assert len(counted) == 1

    local.put(Kind.JOB, job_body("a", depends=["b"]))  # a cycle, in a file the cache has not seen
    with pytest.raises(ConfigError, match="dependJobs form a cycle"):
        layers.desired(config)
    with pytest.raises(ConfigError, match="dependJobs form a cycle"):
        layers.desired(config)  # its text is cached now, and still checked: it never passed
    assert len(counted) == 3
