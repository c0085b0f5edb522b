"""The programmatic API returns data: a plan to inspect, an apply result, and a clear error for
a plan that went stale, without parsing any output."""

from __future__ import annotations

import pytest
from support import job_body

import jobsync
from jobsync.core.model import Kind, ObjectKey
from jobsync.errors import StalePlanError


def test_load_plan_apply_then_nothing_left(local):
    local.put(Kind.JOB, job_body("daily_sales"))
    local.commit()

    config = jobsync.load_workspace(local.root, "dev")
    plan = jobsync.make_plan(config)
    assert [(c.key, c.action) for c in plan.pending()] == [(ObjectKey(Kind.JOB, "daily_sales"), jobsync.Action.CREATE)]

    result = jobsync.apply_plan(config, plan)
    assert result.ok and [c.key.name for c, _ in result.applied] == ["daily_sales"]
    assert local.entry("jobs", "daily_sales")["versions"][-1]["description"].startswith("jobsync apply ")
    assert not jobsync.make_plan(config).has_changes


def test_a_plan_whose_object_changed_since_is_refused(local):
    local.put(Kind.JOB, job_body("daily_sales"))
    local.commit()
    config = jobsync.load_workspace(local.root)
    plan = jobsync.make_plan(config)

    local.put(Kind.JOB, job_body("daily_sales", description="edited after the plan"))
    with pytest.raises(StalePlanError, match="job daily_sales"):
        jobsync.apply_plan(config, plan)
    assert local.entry("jobs", "daily_sales") is None


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = jobsync.nothing
    assert set(jobsync.__all__) >= {"load_workspace", "make_plan", "apply_plan", "JobsyncError"}
