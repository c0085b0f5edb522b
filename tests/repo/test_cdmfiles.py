"""CDM links and jobs in the repo: the file form, loading with file and line, fmt, validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import EXAMPLES

from jobsync.core import cdm
from jobsync.core.cdm import CdmKey, CdmKind
from jobsync.errors import ConfigError
from jobsync.repo import cdmfiles

CDM_EXAMPLES = EXAMPLES / "cdm"


def example(name: str) -> dict:
    return json.loads((CDM_EXAMPLES / name).read_text(encoding="utf-8"))


def link_body(name: str = "mysql_link") -> dict:
    body = example("link-create.request.json")["links"][0]
    stored, _ = cdm.with_secret_references(
        CdmKey("c", CdmKind.LINK, name), {**body, "name": name}, {"linkConfig.password": "MYSQL_PW"}
    )
    return stored


def job_body(name: str = "迁移订单") -> dict:
    return {**example("job-create.request.json")["jobs"][0], "name": name}


def write(folder: Path, key: CdmKey, body: dict) -> Path:
    return cdmfiles.write(folder, key, body, schema_dir=folder.parents[1] / "schemas")


def test_a_link_file_keys_configs_by_name_and_holds_only_a_secret_reference(local):
    key = CdmKey("cdm-dev", CdmKind.LINK, "mysql_link")

    path = write(local.folder, key, link_body())

    text = path.read_text()
    assert path == local.folder / "cdm" / "cdm-dev" / "links" / "mysql_link.yaml"
    assert text.startswith("# yaml-language-server: $schema=../../../../../schemas/cdm-link.v1.json\n")
    assert "  configs:\n    linkConfig:\n      databaseType: MYSQL\n" in text
    assert "      password:\n        secret: MYSQL_PW\n" in text
    assert "usingNative: false" in text and "port: '3306'" in text  # a boolean and a string stay so
    assert "DB_password" not in text


def test_files_load_back_to_the_same_stored_body_type_exactly(local):
    link, job = CdmKey("cdm-dev", CdmKind.LINK, "mysql_link"), CdmKey("cdm-dev", CdmKind.JOB, "迁移订单")
    write(local.folder, link, link_body())
    write(local.folder, job, job_body())

    specs = cdmfiles.load(local.folder, local.root)

    assert set(specs) == {link, job}
    assert json.dumps(specs[link].body) == json.dumps(cdm.strip(CdmKind.LINK, link_body()))
    assert json.dumps(specs[job].body, ensure_ascii=False) == json.dumps(
        cdm.strip(CdmKind.JOB, job_body()), ensure_ascii=False
    )
    assert specs[job].lines == {"from-link-name": 5, "to-link-name": 7}


def test_configs_stay_a_list_where_a_mapping_would_lose_something(local):
    body = link_body()
    body["link-config-values"]["configs"][0]["inputs"].append({"name": "other.host", "value": "x"})  # foreign prefix
    key = CdmKey("cdm-dev", CdmKind.LINK, "mysql_link")

    path = write(local.folder, key, body)

    assert "  - name: other.host\n" in path.read_text() or "name: other.host" in path.read_text()
    assert cdmfiles.load(local.folder, local.root)[key].body == cdm.strip(CdmKind.LINK, body)


def test_a_secret_value_in_a_file_is_refused_with_file_line_and_what_to_do(local):
    path = local.folder / "cdm" / "cdm-dev" / "links" / "mysql_link.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "name: mysql_link\nconnector-name: generic-jdbc-connector\nlink-config-values:\n  configs:\n"
        "    linkConfig:\n      host: h\n      password: hunter2\n"
    )

    with pytest.raises(ConfigError) as refused:
        cdmfiles.load(local.folder, local.root)

    problem = refused.value.problems[0]
    assert problem.file == "workspaces/dev/cdm/cdm-dev/links/mysql_link.yaml" and problem.line == 7
    assert "secret: ENV_NAME" in problem.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: j\njob_type: NORMAL_JOB\n", ["has no `from-link-name`, which it needs"]),
        (json.dumps(job_body("other")), ["must match the file name"]),
        ("name: [\n", ["not valid YAML"]),
    ],
)
def test_a_bad_job_file_is_a_problem_naming_the_file(local, text, words):
    path = local.folder / "cdm" / "c" / "jobs" / "j.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)

    with pytest.raises(ConfigError) as refused:
        cdmfiles.load(local.folder, local.root)

    message = str(refused.value)
    assert "workspaces/dev/cdm/c/jobs/j.yaml" in message
    for word in words:
        assert word in message


def test_an_unknown_folder_under_a_cluster_is_a_problem(local):
    (local.folder / "cdm" / "c" / "link").mkdir(parents=True)

    with pytest.raises(ConfigError) as refused:
        cdmfiles.load(local.folder, local.root)

    assert "workspaces/dev/cdm/c/link" in str(refused.value)


def test_validate_counts_cdm_objects_and_fmt_rewrites_a_hand_written_file(local):
    path = local.folder / "cdm" / "cdm-dev" / "links" / "l.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "connector-name: obs-connector\nname: l\nlink-config-values: {configs: {linkConfig: {server: s, port: 443,"
        " securityKey: {secret: OBS_SK}}}}\n"
    )

    checked = local.run("validate")
    unformatted = local.run("fmt", "--check", "--repo", str(local.root))
    formatted = local.run("fmt", "--repo", str(local.root))

    assert checked.exit_code == 0 and "1 of them CDM links and jobs" in checked.stderr
    assert unformatted.exit_code == 1 and "workspaces/dev/cdm/cdm-dev/links/l.yaml" in unformatted.stdout
    assert formatted.exit_code == 0
    text = path.read_text()
    assert text.index("name: l") < text.index("connector-name") and "port: 443\n" in text
    assert local.run("fmt", "--check", "--repo", str(local.root)).exit_code == 0


def test_validate_refuses_a_cdm_file_with_a_secret_value(local):
    path = local.folder / "cdm" / "cdm-dev" / "links" / "l.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("name: l\nconnector-name: dli-connector\nlink-config-values: {configs: {linkConfig: {sk: abc}}}\n")

    result = local.run("validate")

    assert result.exit_code == 1
    assert "workspaces/dev/cdm/cdm-dev/links/l.yaml:3" in result.stderr and "linkConfig.sk" in result.stderr
