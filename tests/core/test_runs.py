"""A run's report: passed or not, finished or not, the failed node and its message."""

from __future__ import annotations

from jobsync.core.runs import NodeRun, RunReport


def test_a_failed_job_run_names_its_node_and_message():
    report = RunReport(
        "job", "日报", "1001", "fail", 0, 3000, (NodeRun("a", "success"), NodeRun("load_dw", "fail", "table not found"))
    )
    assert (report.finished, report.passed, report.duration_s) == (True, False, 3.0)
    assert report.to_dict()["failed_node"] == "load_dw"
    assert report.to_dict()["message"] == "table not found"


def test_script_statuses_read_as_the_script_result_gives_them():
    assert RunReport("script", "s", "1", "FINISHED").passed
    assert not RunReport("script", "s", "1", "RUNNING").finished
    assert RunReport("script", "s", "1", "FAILED").finished
    assert not RunReport("job", "j", "1", "running").finished
