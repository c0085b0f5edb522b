"""The fuzz suite (tests/property/test_fuzz.py), run longer, with figures.

    python benchmarks/fuzz.py --examples 300 [--kind job] [--seed 1]

Feeds hostile job, script, workspace.yaml, state and plan files through validate, plan and
apply (in-process, a real git repo in a temp folder, the local backend) and prints one JSON
document: inputs tried per kind, outcomes by class (exit code and the error's first words),
internal errors (exit 3, with the input) and invariant failures, peak memory (RSS, MB) and
seconds. Progress on stderr. Exit 1 when an internal error or an invariant failure was found.
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's jobsync, and tests/support

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from support.fuzz import KINDS, Sandbox, cases, error_class  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def fuzz(kind: str, examples: int, seed: int | None, root: Path) -> dict[str, object]:
    root.mkdir(parents=True)
    sandbox = Sandbox.make(root)
    tried = 0
    found: list[str] = []

    @settings(
        derandomize=seed is None,
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(cases(kind))
    def one(case: tuple[str, bytes]) -> None:
        nonlocal tried
        tried += 1
        try:
            sandbox.check(*case)
        except AssertionError as error:
            found.append(str(error)[:500])
        if tried % 25 == 0:
            print(f"{kind}: {tried} inputs", file=sys.stderr)

    if seed is not None:
        one = hypothesis_seed(seed)(one)
    one()
    classes = collections.Counter(f"{o.command} {error_class(o)}" for o in sandbox.outcomes)
    return {
        "inputs": tried,
        "runs": len(sandbox.outcomes),
        "internal_errors": sum(1 for o in sandbox.outcomes if o.code == 3),
        "invariant_failures": found[:20],
        "outcomes": dict(classes.most_common(25)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="inputs per kind")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only these kinds (repeat)")
    parser.add_argument("--seed", type=int, default=None, help="random inputs (default: derandomized)")
    args = parser.parse_args()
    started = time.monotonic()
    report: dict[str, object] = {"examples_per_kind": args.examples, "kinds": {}}
    with tempfile.TemporaryDirectory(prefix="jobsync-fuzz-") as tmp:
        for kind in args.kind or KINDS:
            report["kinds"][kind] = fuzz(kind, args.examples, args.seed, Path(tmp) / kind)  # type: ignore[index]
    kinds = report["kinds"]
    assert isinstance(kinds, dict)
    report["inputs_tried"] = sum(k["inputs"] for k in kinds.values())
    report["internal_errors"] = sum(k["internal_errors"] for k in kinds.values())
    report["invariant_failures"] = sum(len(k["invariant_failures"]) for k in kinds.values())
    report["peak_rss_mb"] = round(peak_mb(), 1)
    report["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if report["internal_errors"] or report["invariant_failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
