"""The README quick start's verified apply, on a copy of the repository's example workspaces:
after a first apply, starting the local workspace again and applying with --verify runs every
batch job and script once and reports each run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from support import Scenario

from jobsync.backends import clock

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_start_verified_apply_runs_every_batch_job_and_script(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "rm .jobsync/state/dev.json && jobsync apply -w dev --auto-approve --verify" in readme
    shutil.copytree(ROOT / "workspaces", tmp_path / "workspaces")
    scenario = Scenario(tmp_path, "local", configure=False)
    scenario.commit("example")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    scenario.state_path.unlink()
    with clock.using(clock.ManualClock(1_800_000_000_000)):
        result = scenario.run("apply", "-w", "dev", "--auto-approve", "--verify")
    assert result.exit_code == 0, result.stderr
    assert "Verify: 8 passed, 0 failed." in result.stdout
    assert re.search(r"job daily_sales: success in 1s \(instance \d+\)", result.stdout)
    assert "clickstream_ingest" not in result.stdout.split("Verify:")[1]  # a real-time job never runs once
