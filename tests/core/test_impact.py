"""The dependJobs neighbours of changed jobs (core/impact.py) and their Mermaid drawing."""

from __future__ import annotations

from support import job_body

from jobsync.core.impact import job_impact
from jobsync.render.markdown import impact_graph


def depends(name: str, *upstream: str) -> dict:
    body = job_body(name)
    body["schedule"] = {"type": "CRON", "cron": {"expression": "0 0 3 * * ?", "dependJobs": {"jobs": list(upstream)}}}
    return body


def test_downstream_is_transitive_and_a_cycle_ends():
    bodies = {
        "a": depends("a", "c"),  # a cycle a -> b -> c -> a
        "b": depends("b", "a"),
        "c": depends("c", "b"),
        "d": depends("d", "c", "gone"),  # a job the workspace does not have is not a neighbour
        "e": job_body("e"),
    }

    found = job_impact(["b", "e"], bodies)

    assert found["b"].upstream == ("a",)
    assert found["b"].downstream == ("c",)
    assert found["b"].affected == ("a", "c", "d")
    assert found["e"].upstream == found["e"].downstream == found["e"].affected == ()


def test_the_graph_escapes_names_and_marks_the_changed_jobs():
    document = {
        "impact": {
            '日报 "v2"': {"upstream": ["a<b>`x`"], "downstream": [], "affected": []},
        }
    }

    graph = impact_graph(document)

    assert 'j0["a#lt;b#gt;#96;x#96;"]' in graph and 'j1["日报 #quot;v2#quot;"]' in graph
    assert "  j0 --> j1\n" in graph and "  class j1 changed\n" in graph
    assert impact_graph({"impact": {"x": {"upstream": [], "downstream": [], "affected": []}}}) == ""
