"""`archive import` of a CDM console JSON export: placeholders become secret references."""

from __future__ import annotations

import json

from support import EXAMPLES, job_body

CDM_EXAMPLES = EXAMPLES / "cdm"


def console_export() -> dict:
    """What the console writes: links with `Add password here`, and jobs (reference §12.7)."""
    link = json.loads((CDM_EXAMPLES / "link-show-doc-variant.response.json").read_text())["links"][0]
    job = json.loads((CDM_EXAMPLES / "job-create.request.json").read_text())["jobs"][0]
    job.update({"name": "迁移日志", "from-link-name": "sftp_link", "from-connector-name": "sftp-connector"})
    return {"links": [link], "jobs": [job]}


def test_a_console_export_becomes_files_with_secret_references_named_in_the_output(local, tmp_path):
    exported = tmp_path / "cdm-export.json"
    exported.write_text(json.dumps(console_export(), ensure_ascii=False))

    result = local.run(
        "archive", "import", str(exported), "-w", "dev", "--cdm-cluster", "cdm-开发", "--repo", str(local.root)
    )

    assert result.exit_code == 0, result.stderr
    link = local.folder / "cdm" / "cdm-开发" / "links" / "sftp_link.yaml"
    text = link.read_text()
    assert "password:\n        secret: CDM_CDM_SFTP_LINK_PASSWORD\n" in text and "Add password here" not in text
    assert "  CDM_CDM_SFTP_LINK_PASSWORD" in result.stderr  # the variable to set, named
    assert json.loads(result.stdout)["secrets"] == ["CDM_CDM_SFTP_LINK_PASSWORD"]
    assert (local.folder / "cdm" / "cdm-开发" / "jobs" / "迁移日志.yaml").is_file()
    assert local.run("validate").exit_code == 0


def test_a_console_json_without_a_cluster_is_refused_before_anything_is_written(local, tmp_path):
    exported = tmp_path / "cdm-export.json"
    exported.write_text(json.dumps(console_export()))

    result = local.run("archive", "import", str(exported), "-w", "dev", "--repo", str(local.root))

    assert result.exit_code == 2 and "--cdm-cluster" in result.stderr
    assert not (local.folder / "cdm").exists()


def test_a_file_that_is_not_a_console_export_is_refused_naming_it(local, tmp_path):
    exported = tmp_path / "other.json"
    exported.write_text('{"nodes": []}')

    result = local.run("archive", "import", str(exported), "-w", "dev", "--cdm-cluster", "c", "--repo", str(local.root))

    assert result.exit_code == 1 and "other.json" in result.stderr and "links" in result.stderr
    assert not (local.folder / "cdm").exists()


def test_archive_export_of_one_job_writes_its_cdm_job_and_links_for_the_cdm_console(local, tmp_path):
    from jobsync.core.model import Kind

    clusters = [{"name": "cdm-开发", "status": "200"}]
    document = local.document()
    document["cdm"] = {"clusters": clusters}
    local.seed(document)
    exported = tmp_path / "cdm-export.json"
    exported.write_text(json.dumps(console_export(), ensure_ascii=False))
    local.run("archive", "import", str(exported), "-w", "dev", "--cdm-cluster", "cdm-开发", "--repo", str(local.root))
    properties = [{"name": "clusterName", "value": "cdm-开发"}, {"name": "jobName", "value": "迁移日志"}]
    local.put(Kind.JOB, job_body("每日", nodes=[{"name": "n", "type": "CDMJob", "properties": properties}]))
    local.commit("a job running the migration")
    out = tmp_path / "每日.zip"

    result = local.run("archive", "export", "-w", "dev", "--job", "每日", "-o", str(out), "--repo", str(local.root))

    assert result.exit_code == 0, result.stderr
    cdm_file = tmp_path / "每日-cdm-cdm-开发.json"
    written = json.loads(cdm_file.read_text())
    assert [link["name"] for link in written["links"]] == ["sftp_link"]
    assert [job["name"] for job in written["jobs"]] == ["迁移日志"]
    password = next(
        i for i in written["links"][0]["link-config-values"]["configs"][0]["inputs"] if "password" in i["name"]
    )
    assert password["value"] == "Add password here"  # the console's placeholder, never a value or a reference
    again = local.run(
        "archive", "import", str(cdm_file), "-w", "dev", "--cdm-cluster", "cdm-开发", "--repo", str(local.root)
    )
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"]  # the round trip changes nothing
