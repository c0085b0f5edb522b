"""The fuzz suite, bounded for CI: hostile job, script, workspace.yaml, state and plan files
through validate, plan and apply; no internal error, no hang, nothing changed after an error.

Derandomized (the same inputs every run) and bounded: FUZZ_EXAMPLES per kind (default 20;
benchmarks/fuzz.py runs many more and prints what it found).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from support.fuzz import KINDS, Sandbox, cases

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_files_never_cause_an_internal_error_or_a_change(tmp_path_factory, kind):
    sandbox = Sandbox.make(tmp_path_factory.mktemp(f"fuzz-{kind}"))

    @settings(
        derandomize=True,
        max_examples=EXAMPLES,
        deadline=None,  # the per-run bound is the suite's timeout; hangs show as a stuck example
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(cases(kind))
    def one(case):
        sandbox.check(*case)

    one()
    assert len(sandbox.outcomes) >= 3 * EXAMPLES
