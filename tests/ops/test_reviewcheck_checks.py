"""ops/reviewcheck.py on the policies.yaml section of a plan: what apply enforces (failures,
approvals, the rules' commit) must equal the reviewed plan's; what describes the pull request
(where the rules were read, notes to it, the head approvals are bound to) may differ at the
merge, and a head this repo does not have is refused."""

from __future__ import annotations

import copy

import pytest

from jobsync.ops.reviewcheck import field_differences

HEAD = "a" * 40
FAILURE = {
    "rule": "finance-deletes",
    "severity": "error",
    "kind": "job",
    "name": "财务日报",
    "message": "deleting a finance job needs the data owner",
    "rule_file": "policies.yaml",
    "rule_line": 8,
    "approved_by": "alice",
    "approved_commit": HEAD,
}
REVIEWED = {
    "format_version": "1.1",
    "checks": {
        "rules_from": "main (cb247aa)",
        "rules_commit": "c" * 40,
        "head": HEAD,
        "notes": ["this branch changes the rules (policies.yaml); it is checked with those of main"],
        "failures": [FAILURE],
    },
}


def known(commit: str) -> bool:
    return commit == HEAD


def fresh(**changes: object) -> dict:
    document = copy.deepcopy(REVIEWED)
    document["checks"].update(changes)
    return document


@pytest.mark.parametrize(
    ("case", "plan"),
    [
        ("the merge's own spelling of where the rules came from", fresh(rules_from="cb247aa00986 (cb247aa)")),
        ("no notes to a pull request at the merge", fresh(notes=[])),
        ("the head is the merge commit", fresh(head="b" * 40)),
    ],
)
def test_what_describes_the_pull_request_may_differ(case, plan):
    assert field_differences(REVIEWED, plan, known) == []


@pytest.mark.parametrize(
    ("case", "plan", "named"),
    [
        ("another rules commit", fresh(rules_commit="d" * 40), "checks.rules_commit"),
        ("an approval by someone else", fresh(failures=[{**FAILURE, "approved_by": "mallory"}]), "checks.failures"),
        ("a failure dropped", fresh(failures=[]), "checks.failures"),
        ("a warning made of an error", fresh(failures=[{**FAILURE, "severity": "warning"}]), "checks.failures"),
    ],
)
def test_what_apply_enforces_is_bound(case, plan, named):
    found = field_differences(REVIEWED, plan, known)
    assert found and all(line.startswith(named) for line in found), found


def test_a_reviewed_head_the_repo_lacks_is_refused():
    reviewed = copy.deepcopy(REVIEWED)
    reviewed["checks"]["head"] = "e" * 40
    assert field_differences(reviewed, fresh(head="b" * 40), known) == [
        f"checks.head: the reviewed plan shows {'e' * 40!r}, which is not a commit of this repo"
    ]
