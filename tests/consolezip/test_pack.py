"""Writing console-importable zips: layout, round trip, determinism, errors."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jobsync.consolezip import LOCAL_LIMIT, OBS_LIMIT, Package, pack, parse_size, read_archive
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.errors import ArchiveError


def spec(kind: Kind, body: dict[str, Any]) -> Spec:
    return Spec(ObjectKey(kind, body["name"]), body)


def specs_of(path: Path) -> list[Spec]:
    return [Spec(ObjectKey(e.kind, e.name), e.body) for e in read_archive(path)]


def write(package: Package, folder: Path) -> Path:
    path = folder / package.filename
    path.write_bytes(package.data)
    return path


def members(package: Package) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(package.data)).namelist()


@pytest.fixture
def all_specs(bodies) -> list[Spec]:
    kinds = {"myJob": Kind.JOB, "job_batch": Kind.JOB, "test": Kind.RESOURCE}
    return [spec(kinds.get(name, Kind.SCRIPT), body) for name, body in bodies.items()]


@pytest.mark.parametrize("layout", ["single", "batch"])
@pytest.mark.parametrize("source", ["single_layout_zip", "batch_layout_zip"])
def test_round_trip_read_pack_read_keeps_every_body(request, tmp_path, source, layout):
    original = read_archive(request.getfixturevalue(source))

    [package] = pack([Spec(ObjectKey(e.kind, e.name), e.body) for e in original], layout=layout)
    again = read_archive(write(package, tmp_path))

    assert [(e.kind, e.name, e.body) for e in again] == [(e.kind, e.name, e.body) for e in original]
    assert all(list(a.body) == list(b.body) for a, b in zip(again, original, strict=True))


def test_round_trip_keeps_undocumented_console_fields(tmp_path, bodies):
    [package] = pack([spec(Kind.JOB, bodies["job_batch"])])

    [entry] = read_archive(write(package, tmp_path))

    assert entry.body == bodies["job_batch"]
    assert entry.body["nodes"][0]["properties"][0]["value_is_sensitive"] is False
    assert "resouces" in entry.body
    assert "maskedParams" in entry.body


def test_single_layout_paths_and_contents(all_specs):
    [package] = pack(all_specs)

    assert members(package) == [
        "jobs/job_batch.job",
        "jobs/myJob.job",
        "resources/test.resource",
        "scripts/dws_sql.script",
        "scripts/echoTimeShell.script",
        "scripts/test_hive_sql.script",
    ]
    assert package.filename == "jobs.zip"
    assert package.jobs == ("job_batch", "myJob")
    assert package.scripts == ("dws_sql", "echoTimeShell", "test_hive_sql")
    assert package.resources == ("test",)


def test_batch_layout_puts_what_a_job_uses_in_its_folder(all_specs):
    [package] = pack(all_specs, layout="batch")

    assert members(package) == [
        "jobs/job_batch/dws_sql.script",
        "jobs/job_batch/job_batch.job",
        "jobs/job_batch/test.resource",
        "jobs/myJob/myJob.job",
        "jobs/myJob/test_hive_sql.script",
        "scripts/echoTimeShell.script",
    ]


def test_members_have_fixed_timestamps_and_regular_file_modes(all_specs):
    [package] = pack(all_specs)

    for info in zipfile.ZipFile(io.BytesIO(package.data)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_same_specs_in_any_order_give_the_same_bytes(all_specs):
    first = pack(all_specs, layout="batch")
    second = pack(list(reversed(all_specs)), layout="batch")

    assert [p.data for p in first] == [p.data for p in second]


def test_a_package_exactly_at_the_limit_fits_and_one_byte_less_does_not(bodies):
    job = spec(Kind.JOB, bodies["job_batch"])
    size = len(pack([job])[0].data)

    assert len(pack([job], max_bytes=size)) == 1
    with pytest.raises(ArchiveError, match=f"is {size:,} bytes zipped, over the {size - 1:,}-byte"):
        pack([job], max_bytes=size - 1)


def test_unknown_layout_is_refused(all_specs):
    with pytest.raises(ArchiveError, match="unknown archive layout 'flat'"):
        pack(all_specs, layout="flat")


def test_the_same_definition_twice_is_refused(bodies):
    job = spec(Kind.JOB, bodies["myJob"])

    with pytest.raises(ArchiveError, match="job myJob is given twice"):
        pack([job, job])


@pytest.mark.parametrize("name", ["..", "a/b", "a\\b", ""])
def test_a_name_that_cannot_be_a_file_name_is_refused(name):
    with pytest.raises(ArchiveError, match="cannot be a file name"):
        pack([Spec(ObjectKey(Kind.SCRIPT, name), {"name": name, "type": "Shell"})])


def test_nothing_to_pack_gives_no_packages():
    assert pack([]) == []


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1MB", LOCAL_LIMIT),
        ("10MB", OBS_LIMIT),
        ("512KB", 524_288),
        ("123456", 123_456),
        (" 10 mb ", OBS_LIMIT),
        ("1MiB", LOCAL_LIMIT),
        ("1.5MB", 1_572_864),
        ("100B", 100),
    ],
)
def test_parse_size_reads_bytes_and_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "1TB", "-1MB", "0", "ten", "1 M B"])
def test_parse_size_refuses_anything_else(text):
    with pytest.raises(ArchiveError, match=r"invalid size .*e\.g\. 1MB"):
        parse_size(text)


def test_random_order_does_not_change_grouping(all_specs):
    shuffled = list(all_specs)
    random.Random(7).shuffle(shuffled)

    assert pack(shuffled) == pack(all_specs)
