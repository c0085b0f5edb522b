"""repo/located.py: the file and line of the reference a blocked reason quotes."""

from __future__ import annotations

from jobsync.repo.located import where

JOB = """name: 每日
nodes:
- name: 迁移
  type: CDMJob
  properties:
    clusterName: cdm-开发
    jobName: 迁移订单
"""


def test_the_line_of_the_reference_not_of_the_node_that_holds_it(tmp_path):
    (tmp_path / "j.yaml").write_text(JOB)

    found = where(tmp_path, "j.yaml", "node '迁移' runs CDM job '迁移订单', which ... (did you mean '迁移单'?)")

    assert found == "j.yaml:7"


def test_a_name_the_file_does_not_hold_gives_the_file_and_a_missing_file_nothing(tmp_path):
    (tmp_path / "j.yaml").write_text(JOB)

    assert where(tmp_path, "j.yaml", "CDM cluster 'elsewhere' is not running") == "j.yaml"
    assert where(tmp_path, "gone.yaml", "refers to 'x'") is None
