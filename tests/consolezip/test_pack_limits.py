"""Splitting over the console's import limits, with real archives around 1 MB and 10 MB.

Script contents are seeded random base64, which deflate cannot shrink much, so archive sizes
are predictable and each test runs in well under a second.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import pytest

from jobsync.consolezip import LOCAL_LIMIT, OBS_LIMIT, Package, pack, read_archive
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.errors import ArchiveError

JAR = "obs://bucket/lib/udf.jar"


def spec(kind: Kind, body: dict[str, Any]) -> Spec:
    return Spec(ObjectKey(kind, body["name"]), body)


def noise(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size * 3 // 4)).decode()


def script(rng: random.Random, name: str, size: int) -> Spec:
    return spec(Kind.SCRIPT, {"name": name, "type": "Shell", "content": noise(rng, size)})


def job(name: str, *scripts: str, jar: str | None = None) -> Spec:
    nodes = [
        {"name": f"n{i}", "type": "Shell", "properties": [{"name": "scriptName", "value": s}]}
        for i, s in enumerate(scripts)
    ]
    if jar:
        nodes.append({"name": "spark", "type": "DLISpark", "properties": [{"name": "resourcePath", "value": jar}]})
    return spec(Kind.JOB, {"name": name, "nodes": nodes, "processType": "BATCH"})


def contents(package: Package, folder: Path) -> dict[tuple[Kind, str], dict[str, Any]]:
    path = folder / package.filename
    path.write_bytes(package.data)
    return {(e.kind, e.name): e.body for e in read_archive(path)}


@pytest.fixture
def fifteen_jobs_of_200_kb() -> list[Spec]:
    """15 jobs, each with its own ~200 KB script, all sharing one ~60 KB script; a jar used by
    job_03 through its OBS path; one script no job uses. About 2.4 MB zipped in all."""
    rng = random.Random(4)
    specs = [script(rng, "shared", 60_000), script(rng, "lonely", 1_000)]
    specs.append(spec(Kind.RESOURCE, {"name": "udf", "type": "jar", "location": JAR}))
    for i in range(15):
        specs.append(script(rng, f"own_{i:02d}", 200_000))
        specs.append(job(f"job_{i:02d}", f"own_{i:02d}", "shared", jar=JAR if i == 3 else None))
    return specs


def test_split_at_1_mb_keeps_each_job_with_what_it_uses(fifteen_jobs_of_200_kb, tmp_path):
    packages = pack(fifteen_jobs_of_200_kb)
    given = {spec.key: spec.body for spec in fifteen_jobs_of_200_kb}

    assert len(packages) == 3
    assert [p.filename for p in packages] == ["jobs-01.zip", "jobs-02.zip", "jobs-03.zip"]
    assert [name for p in packages for name in p.jobs] == [f"job_{i:02d}" for i in range(15)]
    for package in packages:
        assert len(package.data) <= LOCAL_LIMIT
        read = contents(package, tmp_path)
        assert all(body == given[ObjectKey(kind, name)] for (kind, name), body in read.items())
        for name in package.jobs:
            number = name.removeprefix("job_")
            assert (Kind.SCRIPT, f"own_{number}") in read
            assert (Kind.SCRIPT, "shared") in read
    assert [("udf" in p.resources) for p in packages] == [True, False, False]
    assert "lonely" in packages[-1].scripts


def test_split_fills_each_file_before_starting_the_next(fifteen_jobs_of_200_kb):
    packages = pack(fifteen_jobs_of_200_kb)
    group = len(pack([s for s in fifteen_jobs_of_200_kb if s.name in ("job_05", "own_05", "shared")])[0].data)

    assert all(len(p.data) > LOCAL_LIMIT - group for p in packages[:-1])


def test_split_is_deterministic(fifteen_jobs_of_200_kb):
    reordered = list(reversed(fifteen_jobs_of_200_kb))

    assert pack(fifteen_jobs_of_200_kb) == pack(reordered)


def test_split_at_10_mb_for_obs_import(tmp_path):
    rng = random.Random(10)
    specs = []
    for i in range(14):
        specs += [script(rng, f"big_{i:02d}", 1_000_000), job(f"job_{i:02d}", f"big_{i:02d}")]

    packages = pack(specs, max_bytes=OBS_LIMIT)

    assert len(packages) == 2
    assert all(len(p.data) <= OBS_LIMIT for p in packages)
    assert len(packages[0].data) > 9 * 1024 * 1024
    for package in packages:
        read = contents(package, tmp_path)
        assert {name for kind, name in read if kind is Kind.JOB} == set(package.jobs)
        assert len(read) == 2 * len(package.jobs)


def test_one_job_over_the_limit_is_an_error_naming_it():
    rng = random.Random(1)
    specs = [script(rng, "huge", 1_500_000), job("big_job", "huge"), job("small_job")]

    with pytest.raises(ArchiveError) as raised:
        pack(specs)

    message = str(raised.value)
    assert message.startswith("job big_job with 1 script and 0 resources is ")
    assert "over the 1,048,576-byte limit; OBS import allows 10 MB" in message
    assert len(pack(specs, max_bytes=OBS_LIMIT)) == 1


def test_one_unused_script_over_the_limit_is_an_error_naming_it():
    rng = random.Random(2)

    with pytest.raises(ArchiveError, match=r"script huge alone is .* over the 1,048,576-byte"):
        pack([script(rng, "huge", 1_500_000)])
