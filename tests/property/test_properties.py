"""Properties: the YAML form round-trips, and plan-apply-plan converges to no changes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsync.backends.local import LocalWorkspace
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import PlanSettings
from jobsync.core.planner import compute_plan
from jobsync.ops.apply import apply_plan
from jobsync.repo import yamlio
from jobsync.repo.files import from_file_form, to_file_form

# No verdict depends on how fast this machine is: on CI's two shared cores, generating a body
# can take over Hypothesis's one-second budget (too_slow) and an example over its 200 ms deadline.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"), max_size=20)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), text)
extras = st.dictionaries(
    st.from_regex(r"[a-zA-Z]{1,8}", fullmatch=True).filter(lambda k: k not in {"name", "nodes"}), scalars, max_size=3
)


@st.composite
def jobs(draw):
    node_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    nodes = []
    for node in node_names:
        props = draw(st.lists(st.tuples(names, text), max_size=3, unique_by=lambda p: p[0]))
        nodes.append(
            {
                "name": node,
                "type": draw(st.sampled_from(["Dummy", "Shell", "RESTAPI"])),
                "properties": [{"name": k, "value": v} for k, v in props],
                **draw(extras),
            }
        )
    return {"name": draw(names), "schedule": {"type": "CRON"}, "nodes": nodes, **draw(extras)}


@settings(derandomize=True, max_examples=60, **UNTIMED)
@given(jobs())
def test_file_form_round_trips_through_yaml(body):
    data, content = to_file_form(Kind.JOB, body)

    again = from_file_form(Kind.JOB, yamlio.load(yamlio.dump(data)), content)

    assert again == body


@settings(derandomize=True, max_examples=25, **UNTIMED)
@given(
    st.lists(jobs(), max_size=4, unique_by=lambda b: b["name"]),
    st.lists(jobs(), max_size=4, unique_by=lambda b: b["name"]),
)
def test_plan_apply_plan_converges(wanted_bodies, remote_bodies):
    with tempfile.TemporaryDirectory() as folder:
        workspace = LocalWorkspace(Path(folder) / "state.json")
        workspace.write(Kind.JOB, remote_bodies, user="seed", message="")
        wanted = {ObjectKey(Kind.JOB, b["name"]): Spec(ObjectKey(Kind.JOB, b["name"]), b) for b in wanted_bodies}
        settings_ = PlanSettings(workspace="dev", user="me")

        first = compute_plan(wanted, workspace.snapshot(), settings_)
        result = apply_plan(first, workspace, message="", backup_root=Path(folder) / "backups")
        second = compute_plan(wanted, workspace.snapshot(), settings_)

        assert result.ok
        assert not second.has_changes
        assert compute_plan(wanted, workspace.snapshot(), settings_) == second
