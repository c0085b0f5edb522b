"""cli/: the commands parse, call the use case and render: data on stdout, the plan and
progress on stderr, one JSON encoder, the formats a command offers and no other."""

from __future__ import annotations

import json

import pytest
from support import job_body

from jobsync.core.model import Kind


@pytest.fixture
def changed(local):
    local.put(Kind.JOB, job_body("日报", description="新的"))
    local.commit()
    return local


def test_apply_json_puts_the_result_on_stdout_and_the_plan_on_stderr(changed):
    result = changed.run("apply", "-w", "dev", "--auto-approve", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [row["name"] for row in document["applied"]] == ["日报"]
    assert "日报" in result.stdout and "\\u" not in result.stdout
    assert "1 to create" in result.stderr


@pytest.mark.parametrize(("fmt", "expected"), [("text", "Apply: 1 applied"), ("markdown", "日报")])
def test_apply_shows_the_plan_and_the_result_on_stdout(changed, fmt, expected):
    result = changed.run("apply", "-w", "dev", "--auto-approve", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert "1 to create" in result.stdout
    assert expected in result.stdout


def test_apply_without_a_terminal_asks_for_auto_approve(changed):
    result = changed.run("apply", "-w", "dev")
    assert result.exit_code == 1
    assert "pass --auto-approve" in result.stderr
    assert changed.entry("jobs", "日报") is None


def test_plan_json_is_the_document_on_stdout(changed):
    result = changed.run("plan", "-w", "dev", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["changes"][0]["name"] == "日报"
    assert "reading local" in result.stderr


@pytest.mark.parametrize("command", [["history", "日报"], ["release", "status"]])
def test_a_text_or_json_command_refuses_markdown(changed, command):
    result = changed.run(*command, "-w", "dev", "-f", "markdown", "--repo", str(changed.root))
    assert result.exit_code == 2
    assert "this command writes text or json" in result.stderr


def test_export_reports_the_files_as_json_with_names_as_written(local):
    local.put(Kind.JOB, job_body("日报"))
    local.commit()
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    (local.folder / "jobs" / "日报.yaml").unlink()
    local.commit("the job left the repo")

    result = local.run("export", "-w", "dev", "--no-commit", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "日报" in result.stdout and "\\u" not in result.stdout
    assert any("日报" in path for path in json.loads(result.stdout)["added"])
