"""The local document's fingerprints are cached by each body's text: a hand edit, even one
that only changes a type (1 -> 1.0), is planned; an unchanged document writes nothing."""

from __future__ import annotations

import json
import time

import pytest
from support import job_body, remote_job

from jobsync.core.model import Kind


def test_a_hand_edit_of_the_document_is_planned_despite_the_cached_fingerprints(local):
    body = {**job_body("日报"), "priority": 1}
    local.put(Kind.JOB, body)
    document = local.document()
    document["jobs"].append(remote_job(body))
    local.seed(document)
    cache = local.state_path.with_name("dev.json.fingerprints")

    first = local.run("plan", "-w", "dev", "--detailed-exitcode")
    saved = cache.read_bytes()
    again = local.run("plan", "-w", "dev", "--detailed-exitcode")

    assert first.exit_code == again.exit_code == 0
    assert cache.read_bytes() == saved  # nothing new: nothing written
    document = json.loads(local.state_path.read_text())
    document["jobs"][-1]["definition"]["priority"] = 1.0  # by hand: no lastUpdateTime moved
    local.state_path.write_text(json.dumps(document))

    edited = local.run("plan", "-w", "dev", "--detailed-exitcode")

    assert edited.exit_code == 2
    assert "priority" in edited.stdout
    assert cache.read_bytes().startswith(saved) and len(cache.read_bytes()) > len(saved)


def test_the_names_index_is_used_only_for_the_document_it_was_written_for(tmp_path, monkeypatch):
    from jobsync.backends import fingerprints
    from jobsync.core.model import ObjectKey
    from jobsync.core.normalize import body_fingerprint
    from jobsync.core.snapshot import RemoteObject

    key = ObjectKey(Kind.JOB, "日报")
    objects = {key: RemoteObject(key=key, body={**job_body("日报"), "priority": 1})}
    cache = tmp_path / "dev.json.fingerprints"
    old = (7, time.time_ns() - 10_000_000_000, 100)  # written ten seconds ago
    first = fingerprints.with_fingerprints(objects, cache, old)
    assert first[key].digest == body_fingerprint(Kind.JOB, objects[key].body)

    def refuse(self, remote):
        raise AssertionError("fingerprinted again")

    monkeypatch.setattr(fingerprints.FingerprintCache, "fingerprint", refuse)
    assert fingerprints.with_fingerprints(objects, cache, old)[key].digest == first[key].digest
    with pytest.raises(AssertionError, match="fingerprinted again"):
        fingerprints.with_fingerprints(objects, cache, old, "submitted")  # another state: not trusted
    with pytest.raises(AssertionError, match="fingerprinted again"):
        fingerprints.with_fingerprints(objects, cache, (8, old[1], 100))  # another document: not trusted
    with pytest.raises(AssertionError, match="fingerprinted again"):
        fingerprints.with_fingerprints(objects, cache, (7, time.time_ns(), 100))  # racy: not trusted
