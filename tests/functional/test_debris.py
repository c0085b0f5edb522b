"""What a killed run leaves behind (temporary files, a backup without its manifest) is removed
or named by the next apply or export."""

from __future__ import annotations

import os
import time

from support import job_body

from jobsync.core.model import Kind


def _old(path, content="partial"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    stamp = time.time() - 3600
    os.utime(path, (stamp, stamp))
    return path


def test_the_next_run_removes_stale_temporary_files_and_marks_a_backup_without_manifest(local):
    local.put(Kind.JOB, job_body("etl"))
    local.commit()
    stale = [
        _old(local.state_path.parent / ".dev.json.k2j4h5g6.tmp"),
        _old(local.root / ".jobsync/cache/.repo-dev.json.a1b2c3d4.tmp"),
        _old(local.folder / "jobs/.etl.yaml.zz99yy88.tmp"),
    ]
    fresh = local.state_path.parent / ".dev.json.freshtmp.tmp"
    fresh.write_text("another run is writing this right now")
    partial = local.root / ".jobsync/backups/dev/20261126T000000000000Z"
    _old(partial / "jobs/etl.yaml", "name: etl\n")

    result = local.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 0, result.stderr
    assert [path.exists() for path in stale] == [False, False, False]
    assert fresh.exists()
    assert not partial.exists()
    assert (partial.parent / (partial.name + ".incomplete") / "jobs/etl.yaml").exists()
    assert "removed 3 temporary file(s)" in result.stderr
    assert "has no manifest" in result.stderr
