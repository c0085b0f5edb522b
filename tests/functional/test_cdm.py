"""CDM links and jobs end to end on both backends: export, plan, apply, secrets, promote."""

from __future__ import annotations

import json
from pathlib import Path

from support import EXAMPLES, Scenario, git, job_body

from jobsync.core import cdm
from jobsync.core.cdm import CdmKey, CdmKind
from jobsync.core.model import Kind
from jobsync.repo import cdmfiles
from jobsync.repo.schemas import schema_dir

CDM_EXAMPLES = EXAMPLES / "cdm"
SECRET = "s3cr3t-行-密码"  # a secret value that must appear in no file and no commit
OTHER_SECRET = "another-Secret-9"


def example(name: str) -> dict:
    return json.loads((CDM_EXAMPLES / name).read_text(encoding="utf-8"))


def link(name: str, password: str = SECRET) -> dict:
    body = example("link-create.request.json")["links"][0]
    body["name"] = name
    for item in body["link-config-values"]["configs"][0]["inputs"]:
        if item["name"] == "linkConfig.password":
            item["value"] = password
    return body


def job(name: str, from_link: str, to_link: str) -> dict:
    body = example("job-create.request.json")["jobs"][0]
    body.update(
        {
            "name": name,
            "from-connector-name": "generic-jdbc-connector",
            "from-link-name": from_link,
            "to-connector-name": "generic-jdbc-connector",
            "to-link-name": to_link,
        }
    )
    return body


def two_clusters() -> list[dict]:
    return [
        {
            "name": "cdm-开发",
            "id": "aaaaaaaa-0000-0000-0000-000000000001",
            "status": "200",
            "links": [link("mysql_link"), link("dws_link", OTHER_SECRET)],
            "jobs": [job("迁移订单", "mysql_link", "dws_link")],
        },
        {
            "name": "cdm-报表",
            "id": "aaaaaaaa-0000-0000-0000-000000000002",
            "status": "200",
            "links": [link("obs_link")],
            "jobs": [],
        },
    ]


def seed_cdm(scenario: Scenario, clusters: list[dict]) -> None:
    if scenario.backend == "local":
        document = scenario.document()
        document["cdm"] = {"clusters": clusters}
        scenario.seed(document)
    else:
        scenario.emulator.set_cdm(clusters)


def stored_links(scenario: Scenario) -> dict[str, dict]:
    """name -> link as the workspace stores it (the emulator keeps the secret it was sent)."""
    clusters = scenario.document()["cdm"]["clusters"] if scenario.backend == "local" else scenario.emulator.cdm()
    return {f"{c['name']}/{link['name']}": link for c in clusters for link in c["links"]}


def secret_of(link_body: dict) -> object:
    inputs = link_body["link-config-values"]["configs"][0]["inputs"]
    return next((i.get("value") for i in inputs if i["name"] == "linkConfig.password"), None)


def every_written_text(root: Path) -> str:
    files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts and ".jobsync" not in p.parts]
    history = git(root, "log", "-p", "--all")
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files) + history


def test_export_writes_two_clusters_with_secret_references_only_and_plans_clean(scenario):
    seed_cdm(scenario, two_clusters())

    exported = scenario.run("export", "-w", "dev")
    planned = scenario.run("plan", "-w", "dev")

    assert exported.exit_code == 0, exported.stderr
    cdm = scenario.folder / "cdm"
    assert sorted(p.relative_to(cdm).as_posix() for p in cdm.rglob("*.yaml")) == [
        "cdm-开发/jobs/迁移订单.yaml",
        "cdm-开发/links/dws_link.yaml",
        "cdm-开发/links/mysql_link.yaml",
        "cdm-报表/links/obs_link.yaml",
    ]
    text = (cdm / "cdm-开发" / "links" / "mysql_link.yaml").read_text()
    assert "password:\n        secret: CDM_CDM_" in text
    assert "CDM_CDM_" in exported.stderr  # the variables to set are named
    written = every_written_text(scenario.root)
    assert SECRET not in written and OTHER_SECRET not in written and "Add password here" not in written
    assert planned.exit_code == 0, planned.stderr
    assert "No changes" in planned.stdout + planned.stderr


def test_a_changed_cdm_job_field_plans_one_update_applies_and_plans_clean(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    path = scenario.folder / "cdm" / "cdm-开发" / "jobs" / "迁移订单.yaml"
    path.write_text(path.read_text().replace("numExtractors: '1'", "numExtractors: '4'"))
    scenario.commit("more extractors")
    env = secrets_env(scenario)

    planned = scenario.run("plan", "-w", "dev", "--format", "json", env=env)
    applied = scenario.run("apply", "-w", "dev", "--auto-approve", env=env)
    again = scenario.run("plan", "-w", "dev", env=env)

    assert planned.stdout, planned.stderr
    changes = [c for c in json.loads(planned.stdout)["changes"] if c["action"] != "noop"]
    assert [(c["kind"], c["name"], c["action"]) for c in changes] == [("cdm-job", "cdm-开发/迁移订单", "update")]
    assert applied.exit_code == 0, applied.stderr
    assert "No changes" in again.stdout + again.stderr


def secrets_env(scenario: Scenario) -> dict[str, str]:
    found = {}
    for path in (scenario.folder / "cdm").rglob("links/*.yaml"):
        for line in path.read_text().splitlines():
            if "secret:" in line:
                found[line.split("secret:")[1].strip()] = SECRET
    return found


def test_a_link_update_sends_the_secret_from_the_environment(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    path = scenario.folder / "cdm" / "cdm-报表" / "links" / "obs_link.yaml"
    path.write_text(path.read_text().replace("host: 100.94.8.163", "host: 10.0.0.9"))
    scenario.commit("new host")
    variable = next(line.split("secret:")[1].strip() for line in path.read_text().splitlines() if "secret:" in line)

    planned = scenario.run("plan", "-w", "dev", env={variable: "rotated-🔑"})
    applied = scenario.run("apply", "-w", "dev", "--auto-approve", env={variable: "rotated-🔑"})

    assert "secrets are not compared" in planned.stdout + planned.stderr
    assert applied.exit_code == 0, applied.stderr
    stored = stored_links(scenario)["cdm-报表/obs_link"]
    inputs = {i["name"]: i.get("value") for i in stored["link-config-values"]["configs"][0]["inputs"]}
    assert inputs["linkConfig.host"] == "10.0.0.9"
    if scenario.backend == "emulator":  # the local workspace keeps no secret
        assert inputs["linkConfig.password"] == "rotated-🔑"
    assert "rotated-🔑" not in every_written_text(scenario.root)
    assert not any(
        "rotated" in p.read_text(errors="replace") for p in (scenario.root / ".jobsync").rglob("*") if p.is_file()
    )


def test_a_missing_secret_variable_refuses_the_apply_before_any_write(scenario):
    """The service needs the secret; a workspace kept in a local file is never sent one."""
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    path = scenario.folder / "cdm" / "cdm-报表" / "links" / "obs_link.yaml"
    path.write_text(path.read_text().replace("host: 100.94.8.163", "host: 10.0.0.9"))
    scenario.commit("new host")
    before = stored_links(scenario)

    applied = scenario.run("apply", "-w", "dev", "--auto-approve")

    if scenario.backend == "local":
        assert applied.exit_code == 0, applied.stderr
        assert secret_of(stored_links(scenario)["cdm-报表/obs_link"]) is None  # no value kept on disk
        return
    assert applied.exit_code == 1
    assert "CDM_CDM_" in applied.stderr and "nothing was written" in applied.stderr
    assert stored_links(scenario) == before


def test_a_cdm_job_naming_a_missing_link_is_blocked_naming_the_closest_link(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    path = scenario.folder / "cdm" / "cdm-开发" / "jobs" / "迁移订单.yaml"
    path.write_text(path.read_text().replace("to-link-name: dws_link", "to-link-name: dws_lnk"))
    scenario.commit("typo")

    planned = scenario.run("plan", "-w", "dev", env=secrets_env(scenario))

    out = planned.stdout + planned.stderr
    assert "blocked" in out and "to-link-name names link 'dws_lnk'" in out and "did you mean 'dws_link'" in out


def test_a_cluster_that_is_not_running_blocks_its_objects(scenario):
    clusters = two_clusters()
    seed_cdm(scenario, clusters)
    scenario.run("export", "-w", "dev")
    clusters[1]["status"] = "900"
    clusters[1]["links"] = []
    seed_cdm(scenario, clusters)

    planned = scenario.run("plan", "-w", "dev", env=secrets_env(scenario))

    out = planned.stdout + planned.stderr
    assert "workspaces/dev/cdm/cdm-报表/links/obs_link.yaml: CDM cluster 'cdm-报表'" in out
    assert "is not running (status 900: stopped)" in out and "mappings.cdm_clusters" in out


PROD_YAML = """\
backend: {backend}
user: jobsync
source: {{workspace: dev, ref: v1}}
mappings:
  cdm_clusters: {{cdm-开发: cdm-生产}}
"""


def cdm_job_caller() -> dict:
    properties = [{"name": "clusterName", "value": "cdm-开发"}, {"name": "jobName", "value": "迁移订单"}]
    return job_body("每日迁移", nodes=[{"name": "迁移", "type": "CDMJob", "properties": properties}])


def test_promote_creates_the_cdm_job_before_the_factory_job_with_prods_cluster(environments):
    envs = environments
    clusters = [{"name": "cdm-开发", "status": "200"}, {"name": "cdm-生产", "status": "200"}]
    for ws in ("dev", "prod"):
        if envs.backend == "local":
            document = envs.document(ws)
            document["cdm"] = {"clusters": [c for c in clusters if (c["name"] == "cdm-开发") == (ws == "dev")]}
            envs.seed(ws, document)
    if envs.backend == "emulator":
        envs.emulator.set_cdm(clusters)
    envs.configure("dev")
    envs.configure("prod")
    envs.write("workspaces/prod/workspace.yaml", PROD_YAML.format(backend=json.dumps(envs.backend_config("prod"))))
    envs.commit("release 1", tag="v1")
    dev = envs.folder("dev")
    for key, body in (
        (CdmKey("cdm-开发", CdmKind.LINK, "mysql_link"), link("mysql_link")),
        (CdmKey("cdm-开发", CdmKind.LINK, "dws_link"), link("dws_link")),
        (CdmKey("cdm-开发", CdmKind.JOB, "迁移订单"), job("迁移订单", "mysql_link", "dws_link")),
    ):
        stored, _ = cdm.with_secret_references(key, body, {"linkConfig.password": "DB_PW"})
        cdmfiles.write(dev, key, stored, schema_dir=schema_dir())
    envs.put("dev", Kind.JOB, cdm_job_caller())
    envs.commit("dev: a migration and the job that runs it", tag="v2")
    envs.env["DB_PW"] = SECRET

    promoted = envs.run("promote", "-w", "prod", "--ref", "v2")
    envs.commit("promote prod to v2")
    applied = envs.run("apply", "-w", "prod", "--auto-approve")

    assert promoted.exit_code == 0, promoted.stdout + promoted.stderr
    shown = promoted.stdout
    assert (
        shown.index("+ cdm-link cdm-生产/dws_link")
        < shown.index("+ cdm-job cdm-生产/迁移订单")
        < shown.index("+ job 每日迁移")
    )
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    out = applied.stdout + applied.stderr
    assert out.index("created cdm-job cdm-生产/迁移订单") < out.index("created job 每日迁移")
    assert out.index("created cdm-link cdm-生产/dws_link") < out.index("created cdm-job cdm-生产/迁移订单")
    node = envs.job("prod", "每日迁移")["definition"]["nodes"][0]
    assert {"name": "clusterName", "value": "cdm-生产"} in node["properties"]  # prod's cluster name
    if envs.backend == "emulator":
        prod = next(c for c in envs.emulator.cdm() if c["name"] == "cdm-生产")
        assert [j["name"] for j in prod["jobs"]] == ["迁移订单"]
        assert secret_of(prod["links"][0]) == SECRET  # sent from the environment, never from git
    else:
        prod = envs.document("prod")["cdm"]["clusters"][0]
        assert prod["name"] == "cdm-生产" and [j["name"] for j in prod["jobs"]] == ["迁移订单"]
    assert SECRET not in every_written_text(envs.root)
    assert "No changes" in envs.run("plan", "-w", "prod").stdout


def caller(
    *, cluster: str = "cdm-开发", cdm_job: str = "迁移订单", connection: str = "dws_conn", quality: str = "订单质量"
):
    nodes = [
        {
            "name": "迁移",
            "type": "CDMJob",
            "properties": [{"name": "clusterName", "value": cluster}, {"name": "jobName", "value": cdm_job}],
        },
        {
            "name": "核对",
            "type": "DWSSQL",
            "preNodeName": ["迁移"],
            "properties": [{"name": "connectionName", "value": connection}, {"name": "statement", "value": "select 1"}],
        },
        {
            "name": "质量",
            "type": "DataQualityMonitor",
            "preNodeName": ["核对"],
            "properties": [{"name": "qualityJobName", "value": quality}],
        },
    ]
    return job_body("每日迁移", nodes=nodes)


def with_quality_jobs(scenario: Scenario) -> None:
    document = scenario.document()
    document["qualityJobs"] = ["订单质量"]
    document["connections"] = [{"name": "dws_conn", "type": "DWS"}]
    scenario.seed(document)


def plan_with(scenario: Scenario, **wrong: str) -> str:
    seed_cdm(scenario, two_clusters())
    with_quality_jobs(scenario)
    scenario.run("export", "-w", "dev")
    scenario.put(Kind.JOB, caller(**wrong))
    scenario.commit("a job that runs a migration")
    planned = scenario.run("plan", "-w", "dev", env=secrets_env(scenario))
    return planned.stdout + planned.stderr


def test_a_job_whose_references_all_resolve_plans_its_create_only(scenario):
    out = plan_with(scenario)

    assert "+ job 每日迁移  [create]" in out and "blocked" not in out.replace("0 blocked", "")


def node_line(scenario: Scenario, value: str) -> str:
    lines = (scenario.folder / "jobs" / "每日迁移.yaml").read_text().splitlines()
    return f"workspaces/dev/jobs/每日迁移.yaml:{next(n for n, line in enumerate(lines, 1) if value in line)}"


def test_a_cdm_node_naming_a_missing_cdm_job_is_blocked_with_file_line_and_closest_name(scenario):
    out = plan_with(scenario, cdm_job="迁移定单")

    assert f"{node_line(scenario, '迁移定单')}: node '迁移' runs CDM job '迁移定单'" in out
    assert "did you mean '迁移订单'" in out and "add cdm/<cluster>/jobs/迁移定单.yaml or fix jobName" in out


def test_a_cdm_node_naming_a_missing_cluster_is_blocked_with_file_line_and_closest_name(scenario):
    out = plan_with(scenario, cluster="cdm-开 发")

    assert f"{node_line(scenario, 'cdm-开 发')}: " in out
    assert "CDM cluster 'cdm-开 发'" in out and "did you mean 'cdm-开发'" in out


def test_a_missing_data_connection_is_blocked_with_file_line_and_closest_name(scenario):
    out = plan_with(scenario, connection="dws_con")

    assert f"{node_line(scenario, 'dws_con')}: refers to data connection 'dws_con'" in out
    assert "did you mean 'dws_conn'" in out


def test_a_missing_quality_job_is_blocked_with_file_line_and_closest_name(scenario):
    out = plan_with(scenario, quality="订单质检")

    assert f"{node_line(scenario, '订单质检')}: node '质量' runs Data Quality quality job '订单质检'" in out
    assert "did you mean '订单质量'" in out


def test_plan_and_export_of_one_job_take_its_cdm_job_and_links(scenario):
    seed_cdm(scenario, two_clusters())
    with_quality_jobs(scenario)
    scenario.put(Kind.JOB, caller())
    scenario.commit("the caller")
    env = secrets_env(scenario) | {"CDM_CDM_DWS_LINK_PASSWORD": "x"}

    planned = scenario.run("plan", "-w", "dev", "--job", "每日迁移", "--format", "json", env=env)
    scenario.run("apply", "-w", "dev", "--auto-approve", env=env)
    exported = scenario.run("export", "-w", "dev", "--job", "每日迁移", "--no-commit")

    assert planned.exit_code == 0, planned.stderr
    chosen = {(c["kind"], c["name"]) for c in json.loads(planned.stdout)["changes"]}
    assert {
        ("cdm-job", "cdm-开发/迁移订单"),
        ("cdm-link", "cdm-开发/mysql_link"),
        ("cdm-link", "cdm-开发/dws_link"),
    } <= chosen
    assert ("cdm-link", "cdm-报表/obs_link") not in chosen
    assert exported.exit_code == 0, exported.stderr
    written = sorted(p.relative_to(scenario.folder).as_posix() for p in (scenario.folder / "cdm").rglob("*.yaml"))
    assert written == [
        "cdm/cdm-开发/jobs/迁移订单.yaml",
        "cdm/cdm-开发/links/dws_link.yaml",
        "cdm/cdm-开发/links/mysql_link.yaml",
    ]


def test_a_cdm_object_only_in_the_workspace_is_unmanaged_unless_prune_deletes_it(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    (scenario.folder / "cdm" / "cdm-报表" / "links" / "obs_link.yaml").unlink()
    scenario.commit("obs_link goes")

    kept = scenario.run("plan", "-w", "dev", "--format", "json")
    scenario.configure(prune=True)
    scenario.commit("prune")
    pruned = scenario.run("apply", "-w", "dev", "--auto-approve")

    actions = {(c["kind"], c["name"]): c["action"] for c in json.loads(kept.stdout)["changes"]}
    assert actions[("cdm-link", "cdm-报表/obs_link")] == "unmanaged"
    assert pruned.exit_code == 0, pruned.stderr
    assert "deleted cdm-link cdm-报表/obs_link" in pruned.stdout + pruned.stderr
    assert "cdm-报表/obs_link" not in stored_links(scenario)
    backups = list((scenario.root / ".jobsync" / "backups").rglob("obs_link.yaml"))
    assert backups and "secret" not in backups[0].read_text()  # the backup holds what was read: no secret


def test_a_saved_plan_with_cdm_changes_applies_as_reviewed(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.run("export", "-w", "dev")
    path = scenario.folder / "cdm" / "cdm-开发" / "jobs" / "迁移订单.yaml"
    path.write_text(path.read_text().replace("numExtractors: '1'", "numExtractors: '2'"))
    scenario.commit("two extractors")
    saved = scenario.root / "plan.json"

    planned = scenario.run("plan", "-w", "dev", "--out", str(saved))
    applied = scenario.run("apply", "-w", "dev", str(saved), "--reviewed")

    assert planned.exit_code == 0, planned.stderr
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "updated cdm-job cdm-开发/迁移订单" in applied.stdout + applied.stderr


def test_prod_overrides_a_link_of_devs_under_the_repo_cluster_name(environments):
    envs = environments
    clusters = [{"name": "cdm-开发", "status": "200"}, {"name": "cdm-生产", "status": "200"}]
    if envs.backend == "emulator":
        envs.emulator.set_cdm(clusters)
    else:
        for ws, cluster in (("dev", clusters[0]), ("prod", clusters[1])):
            document = envs.document(ws)
            document["cdm"] = {"clusters": [cluster]}
            envs.seed(ws, document)
    envs.configure("dev")
    envs.configure("prod")
    envs.write("workspaces/prod/workspace.yaml", PROD_YAML.format(backend=json.dumps(envs.backend_config("prod"))))
    key = CdmKey("cdm-开发", CdmKind.LINK, "dws_link")
    stored, _ = cdm.with_secret_references(key, link("dws_link"), {"linkConfig.password": "DB_PW"})
    cdmfiles.write(envs.folder("dev"), key, stored, schema_dir=schema_dir())
    envs.write(
        "workspaces/prod/overrides/cdm/cdm-开发/links/dws_link.yaml",
        "link-config-values:\n  configs:\n    linkConfig:\n      host: 10.9.9.9\n      database: 生产库\n",
    )
    envs.commit("release 1", tag="v1")
    envs.env["DB_PW"] = SECRET

    applied = envs.run("apply", "-w", "prod", "--auto-approve")

    assert applied.exit_code == 0, applied.stdout + applied.stderr
    if envs.backend == "emulator":
        prod = next(c for c in envs.emulator.cdm() if c["name"] == "cdm-生产")["links"][0]
    else:
        prod = envs.document("prod")["cdm"]["clusters"][0]["links"][0]
    inputs = {i["name"]: i.get("value") for i in prod["link-config-values"]["configs"][0]["inputs"]}
    assert (inputs["linkConfig.host"], inputs["linkConfig.database"]) == ("10.9.9.9", "生产库")
    assert inputs["linkConfig.port"] == "3306"  # the rest is dev's
    assert "No changes" in envs.run("plan", "-w", "prod").stdout


def test_a_running_cdm_job_is_blocked_under_fail_and_stopped_first_under_stop_and_restart(scenario):
    clusters = two_clusters()
    seed_cdm(scenario, clusters)
    scenario.run("export", "-w", "dev")
    clusters[0]["jobs"][0]["status"] = "RUNNING"
    seed_cdm(scenario, clusters)
    path = scenario.folder / "cdm" / "cdm-开发" / "jobs" / "迁移订单.yaml"
    path.write_text(path.read_text().replace("numExtractors: '1'", "numExtractors: '3'"))
    scenario.commit("three extractors")
    env = secrets_env(scenario)

    refused = scenario.run("plan", "-w", "dev", env=env)
    scenario.configure(running_jobs="stop-and-restart")
    scenario.commit("stop and restart")
    applied = scenario.run("apply", "-w", "dev", "--auto-approve", env=env)

    assert "CDM job is running and policies.running_jobs is fail" in refused.stdout
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "apply stops the run, then writes it" in applied.stdout + applied.stderr
    found = scenario.document()["cdm"]["clusters"] if scenario.backend == "local" else scenario.emulator.cdm()
    job = found[0]["jobs"][0]
    assert job["status"] not in ("RUNNING", "BOOTING")  # stopped, and not started again
    inputs = {i["name"]: i["value"] for i in job["driver-config-values"]["configs"][0]["inputs"]}
    assert inputs["throttlingConfig.numExtractors"] == "3"


def test_prod_gets_devs_cdm_job_with_prods_link_names(environments):
    envs = environments
    clusters = [{"name": "cdm-开发", "status": "200"}, {"name": "cdm-生产", "status": "200"}]
    if envs.backend == "emulator":
        envs.emulator.set_cdm(clusters)
    else:
        for ws, cluster in (("dev", clusters[0]), ("prod", clusters[1])):
            document = envs.document(ws)
            document["cdm"] = {"clusters": [cluster]}
            envs.seed(ws, document)
    envs.configure("dev")
    envs.configure("prod")
    prod_yaml = PROD_YAML + "  cdm_links: {{dws_link: 生产_dws}}\n"
    envs.write("workspaces/prod/workspace.yaml", prod_yaml.format(backend=json.dumps(envs.backend_config("prod"))))
    for key, body in (
        (CdmKey("cdm-开发", CdmKind.LINK, "mysql_link"), link("mysql_link")),
        (CdmKey("cdm-开发", CdmKind.LINK, "dws_link"), link("dws_link")),
        (CdmKey("cdm-开发", CdmKind.JOB, "迁移订单"), job("迁移订单", "mysql_link", "dws_link")),
    ):
        stored, _ = cdm.with_secret_references(key, body, {"linkConfig.password": "DB_PW"})
        cdmfiles.write(envs.folder("dev"), key, stored, schema_dir=schema_dir())
    envs.commit("release 1", tag="v1")
    envs.env["DB_PW"] = SECRET

    applied = envs.run("apply", "-w", "prod", "--auto-approve")

    assert applied.exit_code == 0, applied.stdout + applied.stderr
    if envs.backend == "emulator":
        prod = next(c for c in envs.emulator.cdm() if c["name"] == "cdm-生产")
    else:
        prod = envs.document("prod")["cdm"]["clusters"][0]
    assert sorted(link["name"] for link in prod["links"]) == ["mysql_link", "生产_dws"]
    assert prod["jobs"][0]["to-link-name"] == "生产_dws" and prod["jobs"][0]["from-link-name"] == "mysql_link"
    assert "No changes" in envs.run("plan", "-w", "prod").stdout


def test_export_writes_the_repos_names_of_mapped_clusters_and_links(scenario):
    seed_cdm(scenario, two_clusters())
    scenario.configure(mappings={"cdm_clusters": {"etl": "cdm-开发"}, "cdm_links": {"dws": "dws_link"}})
    scenario.commit("mappings")

    exported = scenario.run("export", "-w", "dev")
    planned = scenario.run("plan", "-w", "dev")

    assert exported.exit_code == 0, exported.stderr
    etl = scenario.folder / "cdm" / "etl"
    assert sorted(p.name for p in (etl / "links").iterdir()) == ["dws.yaml", "mysql_link.yaml"]
    assert "to-link-name: dws\n" in (etl / "jobs" / "迁移订单.yaml").read_text()
    assert "No changes" in planned.stdout
