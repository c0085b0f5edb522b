"""`apply --reviewed PLANFILE`: apply only what the reviewed plan showed, or nothing."""

from __future__ import annotations

import json

from support import job_body, remote_job

from jobsync.core.model import Kind


def _reviewed_update(scenario, tmp_path):
    """The workspace holds etl; the repo changes its description; the plan is saved."""
    document = scenario.document()
    document["jobs"].append(remote_job(job_body("etl")))
    scenario.seed(document)
    scenario.put(Kind.JOB, job_body("etl", description="from the repo"))
    scenario.put(Kind.JOB, job_body("load"))
    scenario.commit()
    planfile = tmp_path / "plan.json"
    assert scenario.run("plan", "-w", "dev", "--out", str(planfile)).exit_code == 0
    return planfile


def test_a_plan_that_is_still_the_reviewed_one_is_applied(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 0, apply.stderr
    assert "the plan is the reviewed one" in apply.stderr
    assert scenario.entry("jobs", "etl")["definition"]["description"] == "from the repo"
    assert scenario.entry("jobs", "load") is not None


def test_a_console_edit_since_the_review_is_named_with_its_user_and_nothing_is_applied(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    document = scenario.document()
    entry = next(e for e in document["jobs"] if e["definition"]["name"] == "etl")
    entry["definition"]["description"] = "edited in the console"
    entry["lastUpdateUser"] = "alice"
    entry["lastUpdateTime"] = int(entry.get("lastUpdateTime") or 0) + 600_000
    scenario.seed(document)

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 1
    assert "job etl changed in the workspace since the plan was reviewed (lastUpdateUser alice)" in apply.stderr
    assert "job load" not in apply.stderr  # unchanged since the review
    assert "nothing was applied" in apply.stderr
    assert scenario.entry("jobs", "etl")["definition"]["description"] == "edited in the console"
    assert scenario.entry("jobs", "load") is None, "apply nothing, not even the unchanged part"


def test_a_repo_change_and_a_new_object_since_the_review_are_each_named(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    scenario.put(Kind.JOB, job_body("etl", description="changed again"))
    scenario.put(Kind.JOB, job_body("extra"))
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 1
    assert "job etl changed in the repo since the plan was reviewed" in apply.stderr
    assert "job extra changed since the plan was reviewed" in apply.stderr
    assert "the reviewed plan would leave it as it is, a plan now would create it" in apply.stderr
    assert scenario.entry("jobs", "extra") is None


def test_reviewed_needs_a_plan_file(scenario):
    apply = scenario.run("apply", "-w", "dev", "--reviewed")

    assert apply.exit_code == 1
    assert "--reviewed needs the reviewed plan file" in apply.stderr


def test_differences_compare_action_and_both_fingerprints():
    from jobsync.ops.planfile import differences

    change = {"kind": "job", "name": "a", "action": "update", "before_fingerprint": "b1", "after_fingerprint": "a1"}
    reviewed = {"changes": [change]}

    assert differences(reviewed, json.loads(json.dumps(reviewed))) == []
    blocked = {**change, "action": "blocked", "reason": "locked by bob"}
    assert differences(reviewed, {"changes": [blocked]}) == [
        "job a: the reviewed plan would update it, a plan now would block it (locked by bob)"
    ]
    both = {**change, "before_fingerprint": "b2", "after_fingerprint": "a2"}
    assert differences(reviewed, {"changes": [both]}) == [
        "job a changed in the workspace since the plan was reviewed; changed in the repo since the plan was reviewed"
    ]


# -- a reviewed plan binds everything it shows ------------------------------------------


def _leaves(value, path=()):
    """(path, value) of every scalar and empty container of a plan document."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _other(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return "0" * 40 if len(value) == 40 else value + " EVIL"
    if value is None:
        return "EVIL"
    return [*value, "EVIL"] if isinstance(value, list) else {**value, "EVIL": 1}


def _set(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _named(document, path, stderr: str) -> bool:
    """Whether a refusal names `path`: `changes[job etl].diff`, `policies.prune`, or the schema's
    `changes[0].kind` when the tampered value is not even a valid plan."""
    if "not a valid jobsync plan file" in stderr:
        return str(path[-1]) in stderr
    if path[0] == "changes":
        change = document["changes"][path[1]]
        return f"{change['kind']} {change['name']}" in stderr
    return ".".join(str(p) for p in path[:2]) in stderr or str(path[0]) in stderr


def test_each_field_of_the_reviewed_plan_changed_in_turn_is_refused_by_name(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    reviewed = json.loads(planfile.read_text())
    before = scenario.document()
    cases = [*_leaves(reviewed), (("extra_key",), None), (("changes", 0, "extra_key"), None)]
    assert len(cases) > 30
    if scenario.backend == "emulator":  # the check is the backend's alike: one leaf per field there (20 s -> 8 s)
        firsts: dict[tuple, tuple] = {}
        for path, value in cases:
            firsts.setdefault(path[:1] if path[0] != "changes" else path[::2][:2], (path, value))
        cases = list(firsts.values())

    for path, value in cases:
        changed = json.loads(planfile.read_text())
        _set(changed, path, _other(value) if value is not None or path[-1] != "extra_key" else "EVIL")
        tampered = tmp_path / "tampered.json"
        tampered.write_text(json.dumps(changed, ensure_ascii=False))

        apply = scenario.run("apply", "-w", "dev", "--reviewed", str(tampered))

        assert apply.exit_code == 1, (path, apply.stdout)
        assert _named(reviewed, path, apply.stderr), (path, apply.stderr)
        assert scenario.document() == before, f"{path}: something was applied"


def test_a_diff_text_or_a_flipped_policy_names_the_field(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    document = json.loads(planfile.read_text())
    etl = next(c for c in document["changes"] if c["name"] == "etl")
    etl["diff"][0]["after"] = "EVIL"
    document["policies"]["prune"] = not document["policies"]["prune"]
    document["repo"]["commit"] = "0" * 40
    document["summary"]["update"] = 0
    planfile.write_text(json.dumps(document))

    apply = scenario.run("apply", "-w", "dev", "--reviewed", str(planfile))

    assert apply.exit_code == 1
    for named in ("changes[job etl].diff", "policies.prune", "repo.commit", "summary.update"):
        assert named in apply.stderr, apply.stderr
    assert scenario.entry("jobs", "etl")["definition"].get("description") != "from the repo"


def test_a_plain_apply_refuses_a_plan_made_for_another_backend(scenario, tmp_path):
    planfile = _reviewed_update(scenario, tmp_path)
    document = json.loads(planfile.read_text())
    document["backend"] = "local other-state.json"
    planfile.write_text(json.dumps(document))

    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert apply.exit_code == 1
    assert "the plan was made for backend 'local other-state.json'" in apply.stderr
    assert scenario.entry("jobs", "load") is None
