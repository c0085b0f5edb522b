"""Reading console exports in both documented layouts (reference §2.2)."""

from __future__ import annotations

import zipfile

import pytest

from jobsync.consolezip import ArchiveEntry, read_archive
from jobsync.core.model import Kind
from jobsync.errors import ArchiveError


def by_key(entries: list[ArchiveEntry]) -> dict[tuple[Kind, str], ArchiveEntry]:
    return {(entry.kind, entry.name): entry for entry in entries}


def test_read_single_layout_returns_every_body_as_written(single_layout_zip, bodies):
    entries = read_archive(single_layout_zip)

    assert [(e.kind, e.name) for e in entries] == [
        (Kind.RESOURCE, "test"),
        (Kind.SCRIPT, "echoTimeShell"),
        (Kind.SCRIPT, "test_hive_sql"),
        (Kind.JOB, "myJob"),
    ]
    for entry in entries:
        assert entry.body == bodies[entry.name]
        assert list(entry.body) == list(bodies[entry.name])
    assert by_key(entries)[(Kind.JOB, "myJob")].entry == "jobs/myJob.job"


def test_read_batch_layout_finds_files_in_job_folders_and_keeps_shared_script_once(batch_layout_zip, bodies):
    entries = read_archive(batch_layout_zip)

    assert sorted((e.kind.value, e.name) for e in entries) == [
        ("job", "job_batch"),
        ("job", "myJob"),
        ("resource", "test"),
        ("script", "dws_sql"),
        ("script", "test_hive_sql"),
    ]
    assert by_key(entries)[(Kind.SCRIPT, "dws_sql")].entry == "jobs/job_batch/dws_sql.script"


def test_read_keeps_undocumented_fields_and_their_order(single_layout_zip, make_zip, bodies):
    path = make_zip("DLF_job_batch.zip", {"jobs/job_batch.job": bodies["job_batch"]})

    [entry] = read_archive(path)

    assert entry.body == bodies["job_batch"]
    assert list(entry.body) == list(bodies["job_batch"])
    assert entry.body["resouces"] == []
    assert entry.body["maskedParams"] == []
    node_property = entry.body["nodes"][0]["properties"][0]
    assert list(node_property) == ["name", "value", "value_is_sensitive"]


def test_read_skips_directories_and_files_added_by_operating_systems(make_zip, bodies):
    path = make_zip(
        "mac.zip",
        [
            ("jobs/", b""),
            ("jobs/myJob.job", bodies["myJob"]),
            ("__MACOSX/jobs/._myJob.job", b"\x00\x05\x16\x07 binary resource fork"),
            ("jobs/.DS_Store", b"\x00\x00\x00\x01Bud1"),
            ("Thumbs.db", b"\xd0\xcf"),
        ],
    )

    assert [e.name for e in read_archive(path)] == ["myJob"]


def test_read_accepts_upper_case_extensions_and_a_utf8_bom(make_zip, bodies):
    raw = b"\xef\xbb\xbf" + b'{"name": "echoTimeShell", "type": "Shell"}'
    path = make_zip("x.zip", {"JOBS/myJob.JOB": bodies["myJob"], "s/echoTimeShell.Script": raw})

    assert [(e.kind, e.name) for e in read_archive(path)] == [
        (Kind.SCRIPT, "echoTimeShell"),
        (Kind.JOB, "myJob"),
    ]


def test_read_takes_the_file_stem_as_name_when_the_body_has_none(make_zip):
    path = make_zip("x.zip", {"scripts/nameless.script": {"type": "Shell", "content": "ls"}})

    [entry] = read_archive(path)

    assert entry.name == "nameless"
    assert list(entry.body.items()) == [("name", "nameless"), ("type", "Shell"), ("content", "ls")]


def test_read_matches_chinese_names_zipped_in_gbk_without_the_utf8_flag(tmp_path):
    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("jobs/abcd.job", '{"name": "作业", "nodes": []}'.encode())
    # Store the name as GBK bytes (same length) with the UTF-8 flag off, as Chinese Windows does.
    raw = path.read_bytes().replace(b"jobs/abcd.job", "jobs/作业.job".encode("gbk"))
    path.write_bytes(raw)

    [entry] = read_archive(path)

    assert entry.name == "作业"


def test_read_refuses_a_name_that_differs_from_its_file(make_zip, bodies):
    path = make_zip("x.zip", {"jobs/other.job": bodies["myJob"]})

    with pytest.raises(ArchiveError, match=r"x\.zip: jobs/other\.job: job is named 'myJob'"):
        read_archive(path)


def test_read_refuses_the_same_name_twice_with_different_bodies(make_zip, bodies):
    changed = dict(bodies["dws_sql"], content="SELECT 2;")
    path = make_zip(
        "jobs.zip",
        {
            "jobs/a/dws_sql.script": bodies["dws_sql"],
            "jobs/b/dws_sql.script": changed,
        },
    )

    with pytest.raises(ArchiveError) as raised:
        read_archive(path)

    assert "jobs/b/dws_sql.script" in str(raised.value)
    assert "jobs/a/dws_sql.script" in str(raised.value)


def test_read_allows_one_name_in_two_kinds(make_zip):
    path = make_zip(
        "x.zip",
        {
            "jobs/same.job": {"name": "same", "nodes": []},
            "scripts/same.script": {"name": "same", "type": "Shell"},
        },
    )

    assert {e.kind for e in read_archive(path)} == {Kind.JOB, Kind.SCRIPT}
