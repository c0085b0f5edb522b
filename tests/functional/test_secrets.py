"""Credentials reach no output, plan file, backup, cache or committed file."""

from __future__ import annotations

from support import job_body, remote_job

from jobsync.core.model import Kind


def test_credentials_appear_in_no_output_or_file(scenario, tmp_path_factory):
    if scenario.backend != "emulator":
        scenario.env = {"HUAWEICLOUD_SDK_AK": "AKUNUSEDBYLOCAL", "HUAWEICLOUD_SDK_SK": "sk-unused-by-local"}
    secrets = [value.encode() for value in scenario.env.values()]
    document = scenario.document()
    document["jobs"].append(remote_job(job_body("old", description="before")))
    scenario.seed(document)
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    plans = tmp_path_factory.mktemp("plans")

    outputs = [
        scenario.run("plan", "-w", "dev", "--out", str(plans / "plan.json"), "--format", fmt)
        for fmt in ("text", "markdown", "json")
    ]
    outputs.append(scenario.run("apply", "-w", "dev", "--auto-approve"))
    outputs.append(scenario.run("export", "-w", "dev"))
    wrong = dict(scenario.env, HUAWEICLOUD_SDK_SK="wrong-secret-key")
    outputs.append(scenario.run("plan", "-w", "dev", env=wrong))

    assert outputs[3].exit_code == 0, outputs[3].stderr
    assert (scenario.root / ".jobsync" / "backups").exists()
    texts = [(o.stdout + o.stderr).encode() for o in outputs]
    files = [p.read_bytes() for p in [*scenario.root.rglob("*"), *plans.rglob("*")] if p.is_file()]
    for secret in secrets:
        assert not any(secret in blob for blob in texts + files)
    assert not any(b"wrong-secret-key" in (o.stdout + o.stderr).encode() for o in outputs)
