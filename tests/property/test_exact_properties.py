"""Any change of value or JSON type is planned and applied, after which plan and
export change nothing; a purely non-canonical rewrite plans nothing and export keeps the file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import Scenario, environment, git, job_body, remote_job

from jobsync.core.model import Kind, canonical_json

text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"), max_size=8)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    text,
)
where = st.sampled_from(["basicConfig", "node", "top"])


def body_with(place: str, value) -> dict:
    node = {"name": "run", "type": "Dummy", "properties": []}
    if place == "node":
        node["custom"] = value
    body = job_body("etl", directory="/d", nodes=[node], basicConfig={"owner": "x"})
    if place == "basicConfig":
        body["basicConfig"]["custom"] = value
    if place == "top":
        body["custom"] = value
    return body


def fresh(root: Path) -> Scenario:
    scenario = Scenario(root, "local")
    scenario.seed(environment())
    return scenario


def changes(scenario: Scenario) -> dict[str, str]:
    result = scenario.run("plan", "-w", "dev", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {c["name"]: c["action"] for c in result.json()["changes"] if c["action"] != "noop"}


@settings(derandomize=True, max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where, scalars, scalars)
def test_any_change_of_value_or_type_is_planned_applied_and_then_stable(place, before, after):
    if canonical_json(before) == canonical_json(after):
        after = [after]  # a different JSON value whatever was drawn
    with tempfile.TemporaryDirectory() as folder:
        scenario = fresh(Path(folder))
        document = scenario.document()
        document["jobs"].append(remote_job(body_with(place, before)))
        scenario.seed(document)
        scenario.put(Kind.JOB, body_with(place, after))
        scenario.commit()

        assert changes(scenario) == {"etl": "update"}
        assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
        assert changes(scenario) == {}
        assert scenario.run("export", "-w", "dev", "--no-commit").exit_code == 0
        assert git(scenario.root, "status", "--porcelain") == ""


@settings(derandomize=True, max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where, scalars, st.booleans(), st.booleans())
def test_a_non_canonical_rewrite_plans_nothing_and_export_keeps_the_file(place, value, defaults, slash):
    with tempfile.TemporaryDirectory() as folder:
        scenario = fresh(Path(folder))
        body = body_with(place, value)
        document = scenario.document()
        document["jobs"].append(remote_job(body))
        scenario.seed(document)
        written = dict(body)
        if defaults:  # explicit defaults the service fills in
            written.update(description="", params=[])
            written["nodes"] = [{**body["nodes"][0], "retryInterval": 120, "failPolicy": "FAIL"}]
        else:
            del written["processType"]
        written["directory"] = "/d/" if slash else "d"
        path = scenario.folder / "jobs" / "d" / "etl.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml.safe_dump(written, sort_keys=True, allow_unicode=True))
        scenario.commit()

        assert changes(scenario) == {}
        assert scenario.run("export", "-w", "dev", "--no-commit").exit_code == 0
        assert git(scenario.root, "status", "--porcelain") == ""
