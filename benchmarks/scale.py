"""Scale benchmark: jobsync against the DataArts emulator with N jobs, latency L and rate limit R.

    python benchmarks/scale.py --jobs 1000 --latency-ms 30 --rate-limit 30 [--out FILE]

Builds a realistic workspace in the emulator (1-20 nodes a job, half the jobs with their own
script, some resources, dependJobs chains), then runs each step as its own `python -m jobsync`
process and measures wall time, API requests by endpoint (the emulator's request counts), the
step's own peak RSS (os.wait4 in a small launcher, see peak.py), the emulator's CPU seconds
during the step (the benchmark process does nothing else meanwhile) and, for plans, how many
repo files came from the parse cache and how many were parsed:

    export                  cold export of everything into an empty repo (and its commit)
    plan_noop               plan with nothing changed (warm caches, as export leaves them)
    plan_fresh_clone        the same in a fresh clone (as actions/checkout gives it: no cache)
    plan_fresh_clone_cached the same in a fresh clone given a copy of the repo's .jobsync/cache
    plan_refresh            plan --refresh (every definition read again)
    plan_changed            plan with 1% of the jobs changed: half edited in the repo, half
                            edited in the workspace through the API by another user
    plan_pr_fresh_clone     that plan in a fresh clone of the edited repo, no cache
    plan_pr_fresh_clone_cached  the same with the cache the repo had before the edit (what the
                            base branch's CI runs saved)
    apply_changed           apply of those changes
    plan_after_apply        plan after that apply
    apply_empty             apply of the whole repo into an empty workspace (N creates)

and, in the same run, a per-object baseline: list, then one GET /jobs/{name} per job at
parallelism 10 within the same rate limit, as per-object tools read a workspace.

The emulator keeps its state in a file (`emulator serve --state`, as teams run it in CI)
unless --no-state-file. Prints one JSON document to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from peak import measured

from jobsync.backends.dataarts.http import Credentials, SignedClient, TokenBucket
from jobsync.backends.dataarts.read import list_all
from jobsync.emulator.state import default_state
from jobsync.emulator.testing import EmulatorServer, running_emulator

WORKSPACE = "bench"
WS_ID = "bench-ws"
USER = "analyst"
OTHER_USER = "reviewer"
FOLDERS = 20
CHAIN = 4  # dependJobs chains of up to 4 jobs: 4 apply waves
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def log(text: str) -> None:
    print(f"[scale] {text}", file=sys.stderr, flush=True)


# -- the workspace ---------------------------------------------------------------------------


def node(index: int, kind: str, rng: random.Random, refs: Mapping[str, str]) -> dict[str, Any]:
    properties = [{"name": key, "value": value} for key, value in refs.items()]
    properties.append({"name": "emptyRunningJob", "value": "0"})
    return {
        "name": f"n{index}",
        "type": kind,
        "location": {"x": 120 * index, "y": rng.randint(0, 600)},
        "preNodeNames": [f"n{index - 1}"] if index else [],
        "conditions": [],
        "properties": properties,
        "pollingInterval": 20,
        "maxExecutionTime": 360,
        "retryTimes": rng.randint(0, 3),
        "retryInterval": 120,
        "failPolicy": "FAIL_CHILD",
        "eventTrigger": {},
    }


def job(i: int, rng: random.Random, resources: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(job body, its own script or None)."""
    name = f"job_{i:05d}"
    script = None
    nodes = []
    for k in range(rng.randint(1, 20)):
        if k == 0 and i % 2 == 0:
            script = {
                "name": f"sql_{i:05d}",
                "type": "DLISQL",
                "directory": f"/team{i % FOLDERS}/",
                "content": f"insert into t_{i} select * from s_{i} where dt = '${{dt}}';\n" * 5,
                "queueName": "default",
                "configuration": {},
                "description": f"script of {name}",
            }
            nodes.append(node(k, "DLISQL", rng, {"scriptName": script["name"], "queueName": "default"}))
        elif k % 7 == 3 and resources:
            nodes.append(
                node(
                    k,
                    "DLISpark",
                    rng,
                    {"resourceName": f"udf_{rng.randrange(resources):04d}", "clusterName": "default"},
                )
            )
        elif k % 5 == 2:
            nodes.append(node(k, "DWSSQL", rng, {"connectionName": "dws_conn", "sql": f"select {k}"}))
        else:
            nodes.append(node(k, "Dummy", rng, {}))
    cron: dict[str, Any] = {
        "startTime": "2024-01-01T00:00:00+08",
        "expression": f"0 {i % 60} 2 * * ?",
        "expressionTimeZone": "GMT+08:00",
    }
    if i % CHAIN and i % 3 == 0 and i > 0:
        cron["dependJobs"] = {"jobs": [f"job_{i - 1:05d}"], "dependPeriod": "SAME_PERIOD", "dependFailPolicy": "FAIL"}
    body = {
        "name": name,
        "directory": f"/team{i % FOLDERS}/",
        "processType": "BATCH",
        "basicConfig": {
            "owner": USER,
            "priority": 0,
            "executeUser": "",
            "instanceTimeout": 0,
            "customFields": {},
            "tags": [],
        },
        "params": [{"name": "dt", "value": "${yesterday}", "type": "variable"}],
        "schedule": {"type": "CRON", "cron": cron},
        "nodes": nodes,
        "logPath": "obs://bench-logs/dlf/",
    }
    return body, script


def extended(body: dict[str, Any], i: int) -> dict[str, Any]:
    """`body` shaped like the reference's extended examples (job-show responses, console
    exports): server and undocumented fields at the top, in basicConfig and in every node,
    which jobsync must keep as they are (reference §5.6). Roughly doubles a body's size."""
    nodes = [
        {
            **node,
            "singleNodeJobFlag": False,
            "singleNodeJobType": "",
            "cronTrigger": {"period": "1,day", "dependPrePeriod": False, "concurrent": 1},
            "eventTrigger": {"eventType": "KAFKA", "channel": "", "readPolicy": "LAST", "concurrent": 1},
            "nodeTemplateId": f"tmpl-{i % 13}",
            "emptyRunningJob": "0",
            "resources": [],
            "priority": 0,
            "executeUser": "",
            "ignoreWaitTime": 0,
            "x-console": {"expanded": True, "width": 160.0, "color": "#2f7ed8", "labels": ["etl", "daily"]},
        }
        for node in body["nodes"]
    ]
    return {
        **body,
        "basicConfig": {**body["basicConfig"], "isIgnoreWaiting": 0, "agency": "", "executeQueue": None},
        "nodes": nodes,
        "singleNodeJobFlag": False,
        "singleNodeJobType": "",
        "lastUpdateUser": USER,
        "createUser": USER,
        "version": "1.0",
        "jobId": i + 1,
        "approvers": [],
        "targetStatus": None,
        "x-ext": {"source": "console", "schemaVersion": 3, "flags": [True, False, 0, 1.5]},
    }


def workspace_document(n: int, seed: int = 7, shape: str = "plain") -> dict[str, Any]:
    rng = random.Random(seed)
    resources = max(1, n // 50)
    stamp = 1_700_000_000_000
    document: dict[str, Any] = {
        "lock_policy": "soft",
        "admins": ["admin"],
        "connections": [{"name": "dws_conn", "type": "DWS"}],
        "dliQueues": ["default"],
        "disStreams": [],
        "gesGraphs": [],
        "tags": [],
        "jobs": [],
        "scripts": [],
        "resources": [
            {
                "definition": {
                    "name": f"udf_{r:04d}",
                    "type": "jar",
                    "location": f"obs://bench/udf_{r}.jar",
                    "directory": "/udf/",
                    "dependFiles": [],
                    "description": "",
                },
                "id": f"res{r:08d}",
                "lastUpdateTime": stamp,
                "lastUpdateUser": USER,
            }
            for r in range(resources)
        ],
    }
    for i in range(n):
        body, script = job(i, rng, resources)
        if shape == "extended":
            body = extended(body, i)
        t = stamp + i
        document["jobs"].append(
            {
                "definition": body,
                "status": "STOPPED",
                "lockedBy": None,
                "tags": [],
                "versions": [
                    {"version": 1, "definition": body, "submitUser": USER, "submitTime": t, "description": "seed"}
                ],
                "id": f"{i + 1:012x}",
                "createTime": t,
                "createUser": USER,
                "lastUpdateTime": t,
                "lastUpdateUser": USER,
            }
        )
        if script is not None:
            document["scripts"].append(
                {"definition": script, "lockedBy": None, "id": f"s{i:08d}", "lastUpdateTime": t, "lastUpdateUser": USER}
            )
    return document


def empty_document(document: Mapping[str, Any]) -> dict[str, Any]:
    return {**document, "jobs": [], "scripts": [], "resources": []}


# -- measuring -------------------------------------------------------------------------------


def delta(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in sorted(after) if after[k] - before.get(k, 0)}


def api_calls(counts: Mapping[str, int]) -> int:
    return sum(v for k, v in counts.items() if not k.endswith(" obs"))


class Runner:
    def __init__(self, emulator: EmulatorServer, root: Path, env: dict[str, str]) -> None:
        self.emulator = emulator
        self.root = root
        self.env = env
        self.results: dict[str, Any] = {}

    def step(
        self, label: str, *argv: str, check: Callable[[str], Any] | None = None, repo: Path | None = None
    ) -> dict[str, Any]:
        root = repo or self.root
        log(f"{label}: jobsync {' '.join(argv)}" + (f" (in {root.name})" if repo else ""))
        before = self.emulator.request_counts
        out, err = self.root.parent / f"{label}.out", self.root.parent / f"{label}.err"
        command = [sys.executable, "-m", "jobsync", *argv, "--repo", str(root)]
        cpu = time.process_time()
        wall, peak_kb, code = measured(command, out, err, env=self.env, cwd=root)
        emulator_cpu = time.process_time() - cpu
        counts = delta(self.emulator.request_counts, before)
        figures = {
            "wall_s": round(wall, 2),
            "exit_code": code,
            "peak_rss_mb": round(peak_kb / 1024, 1),
            "api_calls": api_calls(counts),
            "emulator_cpu_s": round(emulator_cpu, 2),
            "emulator_share": round(emulator_cpu / wall, 3) if wall else 0,
            "requests": counts,
        }
        text, errors = out.read_text(), err.read_text()
        read = REPO_READ.search(errors)
        if read:
            figures["repo_files"] = {"cached": int(read[1]), "parsed": int(read[2])}
        if code not in (0, 2):
            log(errors[-3000:])
        if check is not None:
            figures.update(check(text))
        log(
            f"{label}: {figures['wall_s']} s, {figures['api_calls']} API calls, "
            f"{figures['peak_rss_mb']} MB, emulator {figures['emulator_cpu_s']} s CPU, exit {code}"
            + (f", {read[0]}" if read else "")
        )
        self.results[label] = figures
        return figures

    def clone(self, name: str, *, cache_from: Path | None = None) -> Path:
        """A fresh clone of the repo, as actions/checkout gives it (no .jobsync), optionally
        given a copy of a cache folder (what actions/cache restores)."""
        target = self.root.parent / name
        subprocess.run(["git", "clone", "-q", str(self.root), str(target)], check=True)
        if cache_from is not None:
            shutil.copytree(cache_from, target / ".jobsync" / "cache")
        return target


REPO_READ = re.compile(r"read the repo: (\d+) files from the cache, (\d+) parsed")


def plan_summary(text: str) -> dict[str, Any]:
    document = json.loads(text)
    counts = Counter(change["action"] for change in document.get("changes", []))
    return {"plan": dict(sorted(counts.items()))}


def apply_summary(text: str) -> dict[str, Any]:
    line = [row for row in text.splitlines() if row.startswith("Apply:")]
    return {"summary": line[-1] if line else text[-200:]}


def baseline(emulator: EmulatorServer, rate: float, parallelism: int = 10) -> dict[str, Any]:
    """Read every job the per-object way: list pages, then GET jobs/{name} each."""
    ak, sk = emulator.credential(USER)
    client = SignedClient(
        emulator.url,
        Credentials(ak=ak, sk=sk),
        project_id=emulator.project_id,
        headers={"workspace": WS_ID},
        bucket=TokenBucket(rate),
    )
    before = emulator.request_counts
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        names = [
            str(item["name"])
            for item in list_all(client, client.path("jobs"), "jobs", query=[("jobType", "BATCH")], pool=pool)
        ]
        for _ in pool.map(lambda name: client.get_json(client.path("jobs", name)), names):
            pass
    wall = time.perf_counter() - start
    client.close()
    counts = delta(emulator.request_counts, before)
    return {
        "wall_s": round(wall, 2),
        "jobs_read": len(names),
        "api_calls": api_calls(counts),
        "requests": counts,
        "parallelism": parallelism,
    }


# -- the run ---------------------------------------------------------------------------------


def make_repo(root: Path, backend: dict[str, Any]) -> None:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / ".gitignore").write_text(".jobsync/\n")
    folder = root / "workspaces" / WORKSPACE
    folder.mkdir(parents=True)
    config = {
        "backend": backend,
        "user": USER,
        "policies": {"duplicate_name": "overwrite", "lock": "soft", "running_jobs": "fail", "prune": False},
    }
    (folder / "workspace.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    shutil.copytree(Path(__file__).resolve().parents[1] / "schemas", root / "schemas")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=root, check=True)


def change_jobs(runner: Runner, n: int, rng: random.Random) -> dict[str, Any]:
    """Edit 1% of the jobs: half in the repo (committed), half in the workspace by another user."""
    count = max(2, n // 100)
    names = sorted(rng.sample(range(n), count))
    in_repo, in_workspace = names[: count // 2], names[count // 2 :]
    for i in in_repo:
        [path] = (runner.root / "workspaces" / WORKSPACE / "jobs").rglob(f"job_{i:05d}.yaml")
        text = path.read_text()
        path.write_text(text.replace("maxExecutionTime: 360", "maxExecutionTime: 720", 1))
    subprocess.run(["git", "commit", "-q", "-am", "edit 0.5% of the jobs"], cwd=runner.root, check=True)
    document = runner.emulator.workspace(WS_ID)
    other = runner.emulator.dataarts_workspace(WS_ID, user=OTHER_USER)
    try:
        for i in in_workspace:
            body = dict(document["jobs"][i]["definition"])
            body["params"] = [{"name": "dt", "value": "${today}", "type": "variable"}]
            other.client.call("PUT", other.client.path("jobs", body["name"]), body=body, replay_safe=False)
    finally:
        other.close()
    return {"changed_in_repo": len(in_repo), "changed_in_workspace": len(in_workspace)}


def minimal_apply_calls(runner: Runner, plan_step: Mapping[str, Any]) -> dict[str, Any]:
    """What an apply of the changed jobs cannot do with less: the reads of a no-op plan (list
    pages and environment lists), one batch export per 100 jobs that changed in the workspace,
    and per import one POST and one task poll (all changed jobs fit in one import per wave)."""
    reads = runner.results["plan_noop"]["api_calls"]
    exports = math.ceil(runner.results["change"]["changed_in_workspace"] / 100)
    waves = plan_step.get("waves", 1)
    return {"calls": reads + exports + 2 * waves, "reads": reads, "exports": exports, "imports": waves}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=30)
    parser.add_argument("--rate-limit", type=float, default=30)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-baseline", action="store_true", help="skip the per-object baseline")
    parser.add_argument("--no-state-file", action="store_true", help="the emulator keeps its state in memory only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--shape",
        choices=("plain", "extended"),
        default="plain",
        help="extended: jobs carrying the extended examples' server and undocumented fields",
    )
    args = parser.parse_args(argv)
    n, rate = args.jobs, args.rate_limit
    rng = random.Random(11)
    tmp = Path(tempfile.mkdtemp(prefix="jobsync-scale-"))
    log(f"generating {n} jobs in {tmp}")
    start = time.perf_counter()
    document = workspace_document(n, shape=args.shape)
    state = default_state()
    state["workspaces"] = {WS_ID: document}
    report: dict[str, Any] = {
        "jobs": n,
        "scripts": len(document["scripts"]),
        "resources": len(document["resources"]),
        "latency_ms": args.latency_ms,
        "rate_limit": rate,
        "shape": args.shape,
        "machine": machine(),
    }
    state_file = None if args.no_state_file else tmp / "emulator-state.json"
    report["emulator_state_file"] = state_file is not None
    with running_emulator(state, latency_ms=args.latency_ms, rate_limit=rate, state_file=state_file) as emulator:
        report["generate_s"] = round(time.perf_counter() - start, 2)
        root = tmp / "repo"
        backend = emulator.backend_config(WS_ID, rate_limit=rate)
        make_repo(root, backend)
        env = {**os.environ, **GIT_ENV, **emulator.environment(USER)}
        runner = Runner(emulator, root, env)
        floor = measured([sys.executable, "-c", "pass"], tmp / "floor.out", tmp / "floor.err", env=env, cwd=tmp)
        report["launcher_rss_mb"] = round(floor[1] / 1024, 1)  # a Python that does nothing, measured alike
        plan = ("plan", "-w", WORKSPACE, "--format", "json")
        runner.step("export", "export", "-w", WORKSPACE)
        runner.step("plan_noop", *plan, check=plan_summary)
        cache = tmp / "base-cache"
        shutil.copytree(root / ".jobsync" / "cache", cache)  # what the base branch's CI runs saved
        runner.step("plan_fresh_clone", *plan, check=plan_summary, repo=runner.clone("fresh"))
        cached = runner.clone("fresh-cached", cache_from=cache)
        runner.step("plan_fresh_clone_cached", *plan, check=plan_summary, repo=cached)
        runner.step("plan_refresh", *plan, "--refresh", check=plan_summary)
        runner.results["change"] = change_jobs(runner, n, rng)
        runner.step("plan_changed", *plan, check=plan_summary)
        runner.step("plan_pr_fresh_clone", *plan, check=plan_summary, repo=runner.clone("pr"))
        pr_cached = runner.clone("pr-cached", cache_from=cache)
        runner.step("plan_pr_fresh_clone_cached", *plan, check=plan_summary, repo=pr_cached)
        applied = runner.step("apply_changed", "apply", "-w", WORKSPACE, "--auto-approve", check=apply_summary)
        imports = applied["requests"].get("POST v1/jobs/import", 0)
        minimal = minimal_apply_calls(runner, {"waves": max(1, imports)})
        minimal["time_at_rate_s"] = round(minimal["calls"] / rate, 2)
        minimal["achieved_ratio"] = round(applied["wall_s"] / minimal["time_at_rate_s"], 2)
        report["apply_changed_minimal"] = minimal
        runner.step("plan_after_apply", *plan, check=plan_summary)
        if not args.no_baseline:
            log("baseline: list + one GET per job at parallelism 10")
            runner.results["baseline_per_object"] = baseline(emulator, rate)
        emulator.set_workspace(WS_ID, empty_document(document))
        runner.step("apply_empty", "apply", "-w", WORKSPACE, "--auto-approve", check=apply_summary)
    report["steps"] = runner.results
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = targets(runner.results, report["apply_changed_minimal"])
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def targets(steps: Mapping[str, Any], minimal: Mapping[str, Any]) -> dict[str, Any]:
    """The issue's ratios: fresh-clone plans against the warm one and the per-object reader,
    the 1% apply against its minimal API time."""
    warm = steps["plan_noop"]["wall_s"]
    found: dict[str, Any] = {
        "fresh_clone_vs_warm": round(steps["plan_fresh_clone"]["wall_s"] / warm, 2),
        "fresh_clone_cached_vs_warm": round(steps["plan_fresh_clone_cached"]["wall_s"] / warm, 2),
        "pr_fresh_clone_vs_warm": round(steps["plan_pr_fresh_clone"]["wall_s"] / warm, 2),
        "apply_vs_minimal_api_time": minimal["achieved_ratio"],
        "peak_rss_mb_plans": max(v["peak_rss_mb"] for k, v in steps.items() if k.startswith("plan")),
        "peak_rss_mb_export": steps["export"]["peak_rss_mb"],
    }
    if "baseline_per_object" in steps:
        base = steps["baseline_per_object"]["wall_s"]
        found["warm_speedup_vs_per_object"] = round(base / warm, 1)
        found["fresh_clone_speedup_vs_per_object"] = round(base / steps["plan_fresh_clone"]["wall_s"], 1)
    return found


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }


if __name__ == "__main__":
    sys.exit(main())
