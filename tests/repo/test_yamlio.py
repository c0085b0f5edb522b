"""YAML 1.2 core schema for reading and writing, and duplicate keys."""

from __future__ import annotations

import pytest
import yaml
from support import job_body

from jobsync.core.model import Kind
from jobsync.repo import yamlio

AMBIGUOUS = ["0o17", "1e3", "-.5", "6:00", "0123", "yes", "no", "on", "off", "2026-01-01", "1.0", "12", "null", "true"]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_a_string_any_yaml_reads_otherwise_is_quoted_and_read_back_as_a_string(text):
    written = yamlio.dump({"value": text})

    assert yamlio.load(written) == {"value": text}
    assert yaml.safe_load(written) == {"value": text}  # YAML 1.1 tools read it as a string too


@pytest.mark.parametrize(("text", "value"), [("6:00", "6:00"), ("0123", "0123"), ("yes", "yes"), ("1e3", 1000.0)])
def test_hand_written_values_read_as_yaml_1_2_does(text, value):
    loaded = yamlio.load(f"value: {text}\n")["value"]

    assert loaded == value and type(loaded) is type(value)


def test_a_duplicate_key_is_an_error_naming_both_lines(local):
    path = local.folder / "jobs" / "etl.yaml"
    local.put(Kind.JOB, job_body("etl"))
    path.write_text(path.read_text() + "processType: REAL_TIME\n")

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "duplicate key 'processType' (lines 3 and 12)" in result.stderr and "etl.yaml" in result.stderr
