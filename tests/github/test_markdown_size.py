"""The Markdown plan fits one GitHub comment for any plan size, summary first."""

from __future__ import annotations

import re

from jobsync.github.comment import plan_comment
from jobsync.render.markdown import GITHUB_LIMIT, render


def big_plan(count: int, workspace: str = "prod") -> dict:
    changes = [
        {
            "kind": "job",
            "name": f"job_{n:05}",
            "directory": "etl",
            "action": "update",
            "reason": "2 field(s) differ",
            "diff": [
                {
                    "path": "schedule.cron.expression",
                    "change": "changed",
                    "before": "0 0 2 * * ?",
                    "after": "0 30 2 * * ?",
                },
                {"path": "description", "change": "changed", "before": "old " * 20, "after": "new " * 20},
            ],
            "before_fingerprint": "a" * 16,
            "after_fingerprint": "b" * 16,
        }
        for n in range(count)
    ]
    summary = {"create": 0, "update": count, "delete": 0, "skip": 0, "blocked": 0, "noop": 0, "unmanaged": 0}
    return {"format_version": "1.0", "workspace": workspace, "summary": summary, "changes": changes}


def test_five_thousand_changed_jobs_fit_one_comment_with_the_summary_intact():
    text = render(big_plan(5000))

    assert len(text) < GITHUB_LIMIT
    assert text.startswith("<!-- jobsync-plan:prod -->\n")
    assert "**Plan: 0 to create, 5000 to update, 0 to delete, 0 skipped, 0 blocked.**" in text
    shown = len(re.findall(r"<details>", text))
    left_out = int(re.search(r"_(\d+) more object\(s\) left out", text).group(1))
    assert shown > 50 and shown + left_out == 5000
    assert "`jobsync-plan` artifact" in text


def test_two_big_workspaces_share_one_comment():
    body = plan_comment([big_plan(5000, "dev"), big_plan(5000, "prod")])

    assert len(body) < GITHUB_LIMIT
    assert body.count("5000 to update") == 2


def with_impact(document: dict) -> dict:
    """Each job depends on the one before it (a 5,000-job chain) and on job_00000."""
    names = [c["name"] for c in document["changes"]]
    impact = {}
    for n, name in enumerate(names):
        upstream = sorted({names[n - 1], names[0]} - {name}) if n else []
        downstream = [names[n + 1]] if n + 1 < len(names) else []
        if n == 0:
            downstream = names[1:]
        impact[name] = {"upstream": upstream, "downstream": downstream, "affected": names[n + 1 :]}
    return {**document, "impact": impact}


def test_five_thousand_jobs_with_their_dependency_graph_still_fit_with_the_summary():
    text = render(with_impact(big_plan(5000)))

    assert len(text) < GITHUB_LIMIT
    assert "**Plan: 0 to create, 5000 to update, 0 to delete, 0 skipped, 0 blocked.**" in text
    assert "**Impact:** 5000 changed job(s); 4999 job(s) downstream of them (dependJobs)." in text
    graph = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert graph.startswith("flowchart LR\n") and len(graph) <= 6_000
    drawn = graph.count(" --> ")
    left = int(re.search(r"_(\d+) more dependency edge\(s\) left out", text).group(1))
    assert drawn > 50 and drawn + left == 9997  # 4,999 from job_00000, 4,998 along the chain
    assert "Downstream (dependJobs): <code>job_00001</code>" in text
    assert "(+4989 more)" in text  # job_00000's 4,999 downstream jobs: 10 named


def test_two_big_workspaces_with_graphs_share_one_comment():
    body = plan_comment([with_impact(big_plan(5000, "dev")), with_impact(big_plan(5000, "prod"))])

    assert len(body) < GITHUB_LIMIT
    assert body.count("```mermaid") == 2
