"""Hostile and broken input files: each is an error naming the file (and line, field or byte
offset), exit 1, never an internal error (exit 3) or a hang."""

from __future__ import annotations

import json

import pytest
from support import job_body

from jobsync.core.model import Kind

BOMB = (
    "name: etl\nprocessType: BATCH\nschedule: {type: EXECUTE_ONCE}\nnodes: []\n"
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
)
JOB_HEAD = "name: etl\nprocessType: BATCH\nschedule: {type: EXECUTE_ONCE}\nnodes: []\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BOMB, "aliases expand this document"),
        (JOB_HEAD + "description: !!binary aGVsbG8=\n", "!!binary"),
        (JOB_HEAD + "params: !!set {a, b}\n", "!!set"),
        (JOB_HEAD + "params: &p [*p]\n", "recursive alias"),
        (JOB_HEAD + "params: " + "[" * 200 + "]" * 200 + "\n", "nested deeper than 100"),
        (JOB_HEAD + "params: {1: x}\n", "the key 1 is not a string"),
    ],
    ids=["alias-bomb", "binary", "set", "recursive", "deep", "int-key"],
)
def test_yaml_that_is_not_a_json_document_is_refused_naming_the_file(local, text, says):
    (local.folder / "jobs").mkdir()
    (local.folder / "jobs" / "etl.yaml").write_text(text)
    local.commit()

    validate = local.run("validate")
    apply = local.run("apply", "-w", "dev", "--auto-approve")

    assert validate.exit_code == 1, validate.stderr
    assert "workspaces/dev/jobs/etl.yaml" in validate.stderr and says in validate.stderr
    assert apply.exit_code == 1
    assert local.document()["jobs"] == []


def test_a_date_is_text_under_yaml_1_2_and_reaches_the_workspace_unchanged(local):
    (local.folder / "jobs").mkdir()
    (local.folder / "jobs" / "etl.yaml").write_text(JOB_HEAD + "description: 2024-01-01\n")
    local.commit()

    result = local.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 0, result.stderr
    assert local.entry("jobs", "etl")["definition"]["description"] == "2024-01-01"


def test_a_gbk_sql_file_is_refused_naming_the_file_and_the_byte_offset(scenario):
    scenario.put(Kind.SCRIPT, {"name": "load", "type": "DLISQL", "content": "x", "queueName": "default"})
    (scenario.folder / "scripts" / "load.sql").write_bytes("select '数据'".encode("gbk"))
    scenario.commit()

    result = scenario.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "workspaces/dev/scripts/load.sql: not UTF-8: byte 0xCA at offset 8" in result.stderr
    assert "iconv -f GBK -t UTF-8" in result.stderr


def test_a_non_utf8_workspace_yaml_is_refused(local):
    path = local.folder / "workspace.yaml"
    path.write_bytes(path.read_bytes() + "# 注释\n".encode("gbk"))
    local.commit()

    result = local.run("validate")

    assert result.exit_code == 1
    assert "workspaces/dev/workspace.yaml: not UTF-8" in result.stderr


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d["jobs"].append({"definition": {"name": "a"}, "versions": [{}]}), "jobs[0].versions[0]"),
        (lambda d: d.update(admins=5), "admins: 5 is not of type 'array'"),
        (lambda d: d.update(tags=5), "tags: 5 is not of type 'array'"),
        (lambda d: d["jobs"].append({"definition": {"name": 5}}), "jobs[0].definition.name"),
    ],
    ids=["versions", "admins", "tags", "name"],
)
def test_a_hand_edited_state_document_of_the_wrong_shape_is_named_field_by_field(local, change, says):
    document = local.document()
    change(document)
    local.state_path.write_text(json.dumps(document))
    local.put(Kind.JOB, job_body("etl"))
    local.commit()

    result = local.run("plan", "-w", "dev")

    assert result.exit_code == 1, result.stderr
    assert "the workspace document has the wrong shape" in result.stderr and says in result.stderr


def test_a_non_utf8_state_document_is_refused_with_the_offset(local):
    local.state_path.write_bytes(b'{"jobs": [], "admins": ["\xff"]}')
    local.commit()

    result = local.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "not UTF-8: byte 0xFF at offset 25" in result.stderr


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d.update(changes=[1]), "not a valid jobsync plan file"),
        (lambda d: d.update(changes=[{}]), "not a valid jobsync plan file"),
        (lambda d: d.update(selection=["nonsense"]), "are not '<kind> <name>'"),
        (None, "nested too deeply"),
    ],
    ids=["int-change", "empty-change", "selection", "deep"],
)
def test_a_malformed_plan_file_is_refused(local, tmp_path, edit, says):
    local.put(Kind.JOB, job_body("etl"))
    local.commit()
    planfile = tmp_path / "plan.json"
    local.run("plan", "-w", "dev", "--out", str(planfile))
    document = json.loads(planfile.read_text())
    if edit is None:  # deeper than the JSON reader can go
        planfile.write_text(json.dumps(document)[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}")
    else:
        edit(document)
        planfile.write_text(json.dumps(document))

    result = local.run("apply", "-w", "dev", str(planfile))

    assert result.exit_code == 1, result.stderr
    assert says in result.stderr
    assert local.document()["jobs"] == []


def test_plan_out_a_directory_is_a_clear_error(local, tmp_path):
    result = local.run("plan", "-w", "dev", "--out", str(tmp_path))

    assert result.exit_code == 1
    assert "is a directory" in result.stderr
