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
