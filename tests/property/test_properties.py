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


# Server-managed fields a repo may spell (reference §5.1, core/normalize.SERVER_FIELDS), and the
# job's `version` number: the plan never compares them, so apply must never send them.
server_fields = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.integers(0, 9), st.sampled_from(["1.0", "2.0"])),
        "owner": names,
        "createTime": st.integers(0, 10**12),
        "lastUpdateUser": names,
        "id": st.integers(1, 10**6),
        "status": st.sampled_from(["NORMAL", "STOPPED"]),
    },
)


@settings(derandomize=True, max_examples=25, **UNTIMED)
@given(st.lists(st.tuples(jobs(), server_fields), min_size=1, max_size=3, unique_by=lambda p: p[0]["name"]))
def test_what_apply_sends_is_what_the_plan_compared_server_fields_included(wanted_pairs):
    from jobsync.core.normalize import SERVER_FIELDS, comparable

    wanted_bodies = [{**body, **extra} for body, extra in wanted_pairs]
    with tempfile.TemporaryDirectory() as folder:
        workspace = LocalWorkspace(Path(folder) / "state.json")
        wanted = {ObjectKey(Kind.JOB, b["name"]): Spec(ObjectKey(Kind.JOB, b["name"]), b) for b in wanted_bodies}
        settings_ = PlanSettings(workspace="dev", user="me")

        plan = compute_plan(wanted, workspace.snapshot(), settings_)
        sent = {c.key.name: dict(c.desired or {}) for c in plan.pending()}
        apply_plan(plan, workspace, message="", backup_root=Path(folder) / "backups")
        stored = {key.name: remote.body for key, remote in workspace.snapshot().objects.items()}

    for name, body in sent.items():
        assert not set(body) & SERVER_FIELDS[Kind.JOB], body
        assert not isinstance(body.get("version"), int), body
        assert comparable(Kind.JOB, stored[name]) == comparable(Kind.JOB, body)
        wanted_version = next(b for b in wanted_bodies if b["name"] == name).get("version")
        if not isinstance(wanted_version, str):
            assert "version" not in stored[name] or not isinstance(stored[name]["version"], int)
