"""`plan --job`, `export --job` and `archive export --job` choose the same objects: the job,
the scripts it runs, and the resources it names by name or by OBS location (a Spark node names
its jar by location). core/selection.py is the one implementation behind all three."""

from __future__ import annotations

import shutil
import zipfile

from support import job_body, sql_node

from jobsync.core.model import Kind

JAR = "obs://dlf-bucket/jars/etl-1.0.jar"
EXPECTED = ["job etl", "resource etl_jar", "script load_orders"]


def spark_node(name: str, jar: str) -> dict:
    return {"name": name, "type": "DLISpark", "properties": [{"name": "jobJar", "value": jar}]}


def make_workspace(local) -> None:
    local.put(Kind.RESOURCE, {"name": "etl_jar", "type": "jar", "location": JAR, "directory": "/jars"})
    local.put(Kind.RESOURCE, {"name": "unused_jar", "type": "jar", "location": "obs://dlf-bucket/jars/other.jar"})
    local.put(Kind.SCRIPT, {"name": "load_orders", "type": "DLISQL", "content": "select 1", "directory": "/etl"})
    local.put(Kind.SCRIPT, {"name": "other_sql", "type": "DLISQL", "content": "select 2", "directory": "/etl"})
    local.put(Kind.JOB, job_body("etl", nodes=[sql_node("load", "load_orders"), spark_node("spark", JAR)]))
    local.put(Kind.JOB, job_body("other", nodes=[sql_node("load", "other_sql")]))
    local.commit("objects")
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0


def test_plan_export_and_archive_export_select_the_same_objects(local, tmp_path):
    make_workspace(local)

    # plan --job: the selection the plan records
    planned = local.run("plan", "-w", "dev", "--job", "etl", "--format", "json")
    assert planned.exit_code == 0, planned.stderr
    assert planned.json()["selection"] == EXPECTED

    # export --job into a repo folder emptied of its objects: the files it writes back
    for folder in ("jobs", "scripts", "resources"):
        shutil.rmtree(local.folder / folder)
    exported = local.run("export", "-w", "dev", "--job", "etl", "--no-commit")
    assert exported.exit_code == 0, exported.stderr
    written = sorted(
        f"{path.parent.relative_to(local.folder).parts[0][:-1]} {path.stem}"
        for path in local.folder.rglob("*.yaml")
        if path.name != "workspace.yaml"
    )
    assert written == EXPECTED

    # archive export --job: the members of the console .zip
    out = tmp_path / "etl.zip"
    archived = local.run("archive", "export", "-w", "dev", "--job", "etl", "--out", str(out), "--repo", str(local.root))
    assert archived.exit_code == 0, archived.stderr
    with zipfile.ZipFile(out) as archive:
        members = sorted(
            f"{name.split('/')[0][:-1]} {name.rsplit('/', 1)[-1].rsplit('.', 1)[0]}" for name in archive.namelist()
        )
    assert members == EXPECTED
