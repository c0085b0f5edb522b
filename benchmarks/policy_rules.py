"""What policies.yaml adds to a warm plan of N jobs when every job is checked.

    python benchmarks/policy_rules.py --jobs 10000

Builds the repo and local workspace of local_plan.py (N jobs, N scripts), changes every job's
schedule in the repo (so the plan updates all N and every rule and scheduler check sees every
job), then times warm plans in fresh `python -m jobsync` processes, without and with a
policies.yaml of three rules (owner set; retries >= 1 in prod; finance deletes need an owner)
and the six scheduler checks. It also times the rules alone, in process (the CPU seconds of
ops/policy.check_plan on the same plan; wall clocks on a shared machine vary more than the
figure), with the three rules and with the whole built-in rule set enabled as well. Prints one
JSON document (seconds); progress on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from local_plan import build, measure

from jobsync.ops import plan as planning
from jobsync.ops import policy
from jobsync.repo import config as configuration

RULES = """\
rules:
  - id: owner-required
    kinds: [job]
    expression: 'has(object.basicConfig) && has(object.basicConfig.owner) && object.basicConfig.owner != ""'
    message: every job names its owner
    severity: warning
  - id: prod-retries
    kinds: [job]
    when: 'workspace == "dev"'
    expression: 'object.nodes.all(n, has(n.retryTimes) && n.retryTimes >= 1)'
    message: production jobs retry at least once
    severity: warning
  - id: finance-deletes
    kinds: [job]
    when: 'action == "delete" && "finance" in oldObject.basicConfig.tags'
    expression: "false"
    message: deleting a finance job needs the data owner
max_jobs_per_minute: 100000
"""
BUILT_INS = """\
enable: [owner-set, alarm-configured, retries-in-prod, no-personal-execute-user, no-production-from-ci,
  tagged-deletes-need-owner]
"""


def best(root: Path, runs: int) -> float:
    return min(measure(root, "plan", "-w", "dev")["seconds"] for _ in range(runs))


def in_process(root: Path) -> dict[str, object]:
    """CPU seconds of the rules and scheduler checks on the plan (best of three), with the
    three rules, then with the built-in rule set too."""
    config = configuration.load_workspace(root, "dev")
    with contextlib.closing(planning.open_workspace(config)) as workspace:
        planned = planning.make_plan(config, workspace)
    figures: dict[str, object] = {}
    for label, text in (("three_rules", RULES), ("with_built_ins", RULES + BUILT_INS)):
        (root / "policies.yaml").write_text(text)
        rules = policy.rules_for(config)
        times = []
        for _ in range(3):
            start = time.process_time()
            checked = policy.check_plan(config, planned.plan, planned.desired, planned.snapshot, rules)
            times.append(time.process_time() - start)
        assert checked.checks is not None
        figures[f"check_plan_cpu_seconds_{label}"] = round(min(times), 3)
        figures[f"rules_{label}"] = len(rules.rules)
        figures[f"failures_{label}"] = len(checked.checks.failures)
    (root / "policies.yaml").write_text(RULES)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="plans per figure; the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        start = time.perf_counter()
        jobs = build(root, args.jobs)
        for body in jobs:
            path = root / "workspaces" / "dev" / "jobs" / body["directory"].strip("/") / f"{body['name']}.yaml"
            path.write_text(path.read_text().replace("0 0 2 * * ?", "0 30 2 * * ?"))
        print(f"built {args.jobs} jobs, all changed, in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        measure(root, "plan", "-w", "dev")  # warms the parse cache
        figures: dict[str, object] = {"jobs": args.jobs, "changed_jobs": len(jobs)}
        without = best(root, args.runs)
        (root / "policies.yaml").write_text(RULES)
        with_rules = best(root, args.runs)
        figures["plan_warm_without_policies"] = without
        figures["plan_warm_with_policies"] = with_rules
        figures["added_by_policies"] = round(with_rules - without, 2)
        figures.update(in_process(root))
        print(f"done in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
