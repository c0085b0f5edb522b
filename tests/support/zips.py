"""Fixtures that build real .zip files the way the DataArts console exports them.

Bodies come from tests/data: official request bodies (examples/, reference §9, copied verbatim)
and console-style bodies carrying undocumented fields (console/, §5.6): `resouces`,
`maskedParams`, `value_is_sensitive`, ... A pytest plugin: tests/conftest.py registers it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from support.scenario import CONSOLE, EXAMPLES

Member = tuple[str | zipfile.ZipInfo, bytes | str | Mapping[str, Any]]
MakeZip = Callable[..., Path]


def load(name: str) -> dict[str, Any]:
    folder = EXAMPLES if (EXAMPLES / name).exists() else CONSOLE
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture
def bodies() -> dict[str, dict[str, Any]]:
    """Definition bodies by name, in file key order."""
    files = [
        "job-create-hivesql-batch.request.json",
        "job-console-extra.json",
        "script-create-shell.request.json",
        "script-dws-sql.json",
        "script-hive-sql.json",
        "resource-create-jar.request.json",
    ]
    loaded = [load(name) for name in files]
    return {body["name"]: body for body in loaded}


def _encode(data: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    return json.dumps(data, indent=4, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def make_zip(tmp_path: Path) -> MakeZip:
    """make_zip(name, members) -> path of a real zip; members is a dict or (name, data) pairs.

    A member name may be a ZipInfo for hostile cases (links, flags); data may be bytes, text or
    a JSON object.
    """

    def build(name: str, members: Mapping[str, Any] | Iterable[Member]) -> Path:
        path = tmp_path / name
        pairs = members.items() if isinstance(members, Mapping) else members
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in pairs:
                archive.writestr(member, _encode(data))
        return path

    return build


@pytest.fixture
def single_layout_zip(make_zip: MakeZip, bodies: dict[str, dict[str, Any]]) -> Path:
    """DLF_myJob.zip as a single-job export writes it (reference §2.2, H-0088)."""
    return make_zip(
        "DLF_myJob.zip",
        {
            "jobs/myJob.job": bodies["myJob"],
            "scripts/test_hive_sql.script": bodies["test_hive_sql"],
            "scripts/echoTimeShell.script": bodies["echoTimeShell"],
            "resources/test.resource": bodies["test"],
        },
    )


@pytest.fixture
def batch_layout_zip(make_zip: MakeZip, bodies: dict[str, dict[str, Any]]) -> Path:
    """jobs.zip as a batch export writes it: a folder per job (reference §2.2, H-0089)."""
    return make_zip(
        "jobs.zip",
        [
            ("jobs/", b""),
            ("jobs/job_batch/job_batch.job", bodies["job_batch"]),
            ("jobs/job_batch/dws_sql.script", bodies["dws_sql"]),
            ("jobs/job_batch/test.resource", bodies["test"]),
            ("jobs/myJob/myJob.job", bodies["myJob"]),
            ("jobs/myJob/test_hive_sql.script", bodies["test_hive_sql"]),
            ("jobs/myJob/dws_sql.script", bodies["dws_sql"]),
        ],
    )
