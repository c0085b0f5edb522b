"""The local document's fingerprints are cached by each body's text: a hand edit, even one
that only changes a type (1 -> 1.0), is planned; an unchanged document writes nothing."""

from __future__ import annotations

import json

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
