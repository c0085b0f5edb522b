"""Plan and apply times on the embedded local workspace, at N jobs.

    python benchmarks/local_plan.py --jobs 10000

Builds a git repo of N jobs (1-20 nodes each) and N scripts, a local workspace document
holding the same objects, then times, each in a fresh `python -m jobsync` process: a cold
no-op plan (no caches), a warm no-op plan, the no-op plan in a fresh clone (no parse cache;
the document and its fingerprints copied in, as the local workspace lives beside the repo),
the same given a copy of the repo's .jobsync/cache, a plan with 1% of the jobs edited in the
repo, and its apply. Prints one JSON document (seconds, peak RSS in MB, repo files from the
cache and parsed); progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peak import measured

from jobsync.core.model import Kind, ObjectKey
from jobsync.repo.files import render_files
from jobsync.repo.schemas import schema_dir


def job(index: int, rng: random.Random) -> dict:
    nodes = [
        {
            "name": f"n{k}",
            "type": "DLISQL",
            "preNodeName": [f"n{k - 1}"] if k else [],
            "properties": [{"name": "scriptName", "value": f"s{index:05d}"}, {"name": "queueName", "value": "default"}],
            "pollingInterval": 20,
            "location": {"x": str(k * 100), "y": "0"},
        }
        for k in range(rng.randint(1, 20))
    ]
    return {
        "name": f"job_{index:05d}",
        "directory": f"/d{index % 50}",
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"expression": "0 0 2 * * ?"}},
        "nodes": nodes,
    }


def build(root: Path, count: int) -> list[dict]:
    rng = random.Random(1)
    folder = root / "workspaces" / "dev"
    folder.mkdir(parents=True)
    (folder / "workspace.yaml").write_text("backend: {type: local, path: .jobsync/state/dev.json}\n")
    jobs = [job(i, rng) for i in range(count)]
    scripts = [
        {"name": f"s{i:05d}", "type": "DLISQL", "queueName": "default", "content": f"select {i};\n"}
        for i in range(count)
    ]
    for kind, bodies in ((Kind.JOB, jobs), (Kind.SCRIPT, scripts)):
        for body in bodies:
            key = ObjectKey(kind, body["name"])
            for path, data in render_files(folder, key, body, schema_dir=schema_dir()).items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    state = {
        "dliQueues": ["default"],
        "jobs": [{"definition": b, "status": "STOPPED", "versions": []} for b in jobs],
        "scripts": [{"definition": s} for s in scripts],
    }
    (root / ".jobsync" / "state").mkdir(parents=True)
    (root / ".jobsync" / "state" / "dev.json").write_text(json.dumps(state))
    (root / ".gitignore").write_text(".jobsync/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return jobs


REPO_READ = re.compile(r"read the repo: (\d+) files from the cache, (\d+) parsed")


def measure(root: Path, *args: str) -> dict:
    """Wall time and the step's own peak RSS (peak.py: measured through a small launcher)."""
    out, err = root / ".jobsync" / "step.out", root / ".jobsync" / "step.err"  # ignored by git
    command = [sys.executable, "-m", "jobsync", *args, "--repo", str(root)]
    seconds, rss_kb, code = measured(command, out, err, env=os.environ, cwd=root)
    figures = {"seconds": round(seconds, 2), "peak_rss_mb": round(rss_kb / 1024), "exit": code}
    read = REPO_READ.search(err.read_text())
    if read:
        figures["repo_files"] = {"cached": int(read[1]), "parsed": int(read[2])}
    print(f"{args[0]} in {root.name}: {figures}", file=sys.stderr)
    return figures


def fresh_clone(root: Path, name: str, *, with_cache: bool) -> Path:
    """A clone of `root` with its workspace document (and the document's fingerprints) copied
    in, and optionally its .jobsync/cache."""
    target = root.parent / name
    subprocess.run(["git", "clone", "-q", str(root), str(target)], check=True)
    shutil.copytree(root / ".jobsync" / "state", target / ".jobsync" / "state")
    if with_cache:
        shutil.copytree(root / ".jobsync" / "cache", target / ".jobsync" / "cache")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        root.mkdir()
        start = time.perf_counter()
        jobs = build(root, args.jobs)
        print(f"built {args.jobs} jobs in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        figures: dict = {"jobs": args.jobs, "scripts": args.jobs, "load_average_at_start": os.getloadavg()}
        figures["plan_noop_cold"] = measure(root, "plan", "-w", "dev")
        figures["plan_noop_warm"] = measure(root, "plan", "-w", "dev")
        figures["plan_fresh_clone"] = measure(fresh_clone(root, "fresh", with_cache=False), "plan", "-w", "dev")
        cached = fresh_clone(root, "fresh-cached", with_cache=True)
        figures["plan_fresh_clone_cached"] = measure(cached, "plan", "-w", "dev")
        changed = jobs[::100]
        for body in changed:
            path = root / "workspaces" / "dev" / "jobs" / body["directory"].strip("/") / f"{body['name']}.yaml"
            path.write_text(path.read_text().replace("0 0 2 * * ?", "0 30 2 * * ?"))
        figures["changed_jobs"] = len(changed)
        figures["plan_1pct"] = measure(root, "plan", "-w", "dev")
        figures["apply_1pct"] = measure(root, "apply", "-w", "dev", "--auto-approve")
        figures["plan_after_apply"] = measure(root, "plan", "-w", "dev", "--detailed-exitcode")
        figures["load_average_at_end"] = os.getloadavg()
        print(f"done in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
