"""Broken and hostile archives: each is refused with an error naming the zip and the member."""

from __future__ import annotations

import stat
import struct
import time
import zipfile
from pathlib import Path

import pytest

from jobsync.consolezip import Limits, read_archive
from jobsync.errors import ArchiveError

JOB = {"name": "myJob", "nodes": []}


def refused(path: Path, *, limits: Limits | None = None) -> str:
    with pytest.raises(ArchiveError) as raised:
        read_archive(path) if limits is None else read_archive(path, limits=limits)
    message = str(raised.value)
    assert str(path) in message
    return message


def set_declared_size(path: Path, size: int) -> None:
    """Overwrite the uncompressed size of the first member in the central directory."""
    raw = bytearray(path.read_bytes())
    header = raw.index(b"PK\x01\x02")
    raw[header + 24 : header + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(raw))


def test_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "export.zip"
    path.write_text('{"name": "myJob"}')

    assert "not a readable .zip file" in refused(path)


def test_missing_file(tmp_path):
    assert "cannot open the archive" in refused(tmp_path / "absent.zip")


def test_truncated_zip(make_zip):
    path = make_zip("cut.zip", {"jobs/myJob.job": JOB})
    path.write_bytes(path.read_bytes()[:-30])

    assert "not a readable .zip file" in refused(path)


def test_member_with_corrupt_data(make_zip):
    path = make_zip("bad.zip", {"jobs/myJob.job": {"name": "myJob", "nodes": [], "x": "y" * 200}})
    raw = bytearray(path.read_bytes())
    data_start = 30 + len("jobs/myJob.job")
    for offset in range(data_start + 2, data_start + 12):
        raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))

    assert "jobs/myJob.job: member is corrupt" in refused(path)


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("../myJob.job", "leaves the archive folder"),
        ("jobs/../../myJob.job", "leaves the archive folder"),
        ("/etc/myJob.job", "path is absolute"),
        ("C:/temp/myJob.job", "drive letter"),
        ("jobs\\..\\myJob.job", "backslash"),
    ],
)
def test_member_path_that_leaves_the_target(make_zip, member, problem):
    path = make_zip("evil.zip", {"jobs/ok.job": dict(JOB, name="ok"), member: JOB})

    message = refused(path)

    assert repr(member) in message
    assert problem in message


def test_directory_entry_that_leaves_the_target(make_zip):
    path = make_zip("evil.zip", {"../outside/": b"", "jobs/myJob.job": JOB})

    assert "'../outside/': path leaves" in refused(path)


def test_symbolic_link_member(make_zip):
    link = zipfile.ZipInfo("jobs/myJob.job")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = make_zip("link.zip", [(link, b"/etc/passwd")])

    assert "'jobs/myJob.job': member is a symbolic link" in refused(path)


def test_encrypted_member(make_zip):
    path = make_zip("locked.zip", {"jobs/myJob.job": b"ciphertext"})
    raw = bytearray(path.read_bytes())
    raw[6] |= 0x1  # local header general purpose flags: encrypted
    raw[raw.index(b"PK\x01\x02") + 8] |= 0x1  # the same flag in the central directory
    path.write_bytes(bytes(raw))

    assert "member is encrypted" in refused(path)


def test_member_that_holds_less_than_it_declares(make_zip):
    path = make_zip("short.zip", {"jobs/myJob.job": JOB})
    set_declared_size(path, 5000)

    assert "jobs/myJob.job: declares 5,000 bytes but holds" in refused(path)


def test_member_that_holds_more_than_it_declares_is_not_inflated(make_zip):
    big = {"name": "myJob", "nodes": [], "pad": " " * (30 * 1024 * 1024)}
    path = make_zip("long.zip", {"jobs/myJob.job": big})
    set_declared_size(path, 100)

    started = time.perf_counter()
    message = refused(path)

    assert "jobs/myJob.job: member is corrupt" in message
    assert time.perf_counter() - started < 0.5


def test_zip_bomb_member_with_a_huge_compression_ratio(make_zip):
    bomb = {"name": "myJob", "nodes": [], "pad": "0" * (20 * 1024 * 1024)}
    path = make_zip("bomb.zip", {"jobs/myJob.job": bomb})

    message = refused(path)

    assert "jobs/myJob.job: expands" in message
    assert "over the 200x limit" in message


def test_member_over_the_per_member_limit(make_zip):
    path = make_zip("big.zip", {"jobs/myJob.job": dict(JOB, pad="x" * 2000)})

    message = refused(path, limits=Limits(max_entry_bytes=1000))

    assert "jobs/myJob.job: declares" in message
    assert "over the 1,000-byte limit" in message


def test_archive_over_the_total_limit(make_zip):
    members = {f"jobs/j{i}.job": {"name": f"j{i}", "nodes": [], "pad": "x" * 600} for i in range(3)}
    path = make_zip("many.zip", members)

    assert "over the 1,500-byte limit" in refused(path, limits=Limits(max_total_bytes=1500))


def test_archive_over_the_member_count_limit(make_zip):
    members = {f"jobs/j{i}.job": {"name": f"j{i}", "nodes": []} for i in range(4)}
    path = make_zip("many.zip", members)

    assert "holds 4 members, over the 3-member limit" in refused(path, limits=Limits(max_entries=3))


def test_member_with_an_unknown_extension(make_zip):
    path = make_zip("x.zip", {"jobs/myJob.job": JOB, "jobs/readme.txt": "hello"})

    assert "jobs/readme.txt: not a .job, .script or .resource file" in refused(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"name": "myJob", "nodes": [', "not valid JSON"),
        (b'["myJob"]', "must hold a JSON object, not list"),
        (b'{"name": "myJob", "nodes": [], "x": NaN}', "NaN is not valid JSON"),
        (b'{"name": "myJob", "name": "other", "nodes": []}', "field 'name' appears twice"),
        (b'{"name": "myJob"}', "job field 'nodes' is missing"),
        (b'{"name": "myJob", "nodes": {}}', "job field 'nodes' must be a list"),
        (b'{"name": "", "nodes": []}', "'name' must be a non-empty string"),
    ],
)
def test_job_member_that_is_not_a_job(make_zip, data, problem):
    path = make_zip("x.zip", {"jobs/myJob.job": data})

    message = refused(path)

    assert "jobs/myJob.job: " in message
    assert problem in message


def test_script_member_without_a_type(make_zip):
    path = make_zip("x.zip", {"scripts/s.script": {"name": "s", "content": "ls"}})

    assert "scripts/s.script: script field 'type' is missing" in refused(path)


def test_resource_member_without_a_location(make_zip):
    path = make_zip("x.zip", {"resources/r.resource": {"name": "r", "type": "jar"}})

    assert "resources/r.resource: resource field 'location' is missing" in refused(path)
