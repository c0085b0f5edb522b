"""What the tests share, one copy each: scenario builders and git helpers (scenario.py), body
builders, the fake GitHub API (fake_github.py), console .zip fixtures (zips.py, a pytest plugin
registered in tests/conftest.py)."""

from support.scenario import (
    BACKENDS,
    CONSOLE,
    DEFAULT_POLICIES,
    EXAMPLES,
    WORKSPACE_ID,
    Result,
    Scenario,
    environment,
    git,
    job_body,
    remote_job,
    sql_node,
)

__all__ = [
    "BACKENDS",
    "CONSOLE",
    "DEFAULT_POLICIES",
    "EXAMPLES",
    "WORKSPACE_ID",
    "Result",
    "Scenario",
    "environment",
    "git",
    "job_body",
    "remote_job",
    "sql_node",
]
