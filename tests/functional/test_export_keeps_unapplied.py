"""Export keeps work that was never applied: `archive import --commit` then a full export
deletes nothing, names what is not yet applied, prints nothing on stdout, and leaves init's
commented files alone."""

from __future__ import annotations

import json
from pathlib import Path

from support import git

from jobsync.cli.app import main
from jobsync.ops import init as scaffold


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_full_export_after_archive_import_commit_keeps_the_unapplied_objects(tmp_path, capsys, batch_layout_zip):
    root = tmp_path / "团队"
    list(scaffold.init(root))
    imported = run(capsys, "archive", "import", batch_layout_zip, "-w", "dev", "--commit", "--repo", root)
    assert imported[0] == 0, imported[2]
    tracked = set(git(root, "ls-files", "workspaces/dev").splitlines())
    head = git(root, "rev-parse", "HEAD")
    objects = len(json.loads(imported[1])["added"]) + 2  # and init's example job and script

    code, out, err = run(capsys, "export", "-w", "dev", "--repo", root)

    assert code == 0, err
    assert out == ""
    assert f"not yet applied: {objects} object(s) in the repo the workspace never had, kept: " in err
    assert "job hello" in err and "job job_batch" in err
    assert "0 removed" in err
    assert set(git(root, "ls-files", "workspaces/dev").splitlines()) == tracked
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""


def test_a_console_delete_of_an_object_an_export_recorded_is_exported_as_a_removal(tmp_path, capsys):
    root = tmp_path / "repo"
    list(scaffold.init(root))
    assert run(capsys, "apply", "-w", "dev", "--auto-approve", "--repo", root)[0] == 0
    state = root / ".jobsync/state/dev.json"
    document = json.loads(state.read_text())
    document["jobs"][0]["definition"]["basicConfig"]["owner"] = "控制台"  # a console edit
    state.write_text(json.dumps(document))
    assert run(capsys, "export", "-w", "dev", "--repo", root)[0] == 0  # an export commit with the job
    document["jobs"] = []  # then the job is deleted in the console
    state.write_text(json.dumps(document))

    code, out, err = run(capsys, "export", "-w", "dev", "--format", "json", "--repo", root)

    assert code == 0, err
    assert json.loads(out)["removed"] == ["job hello"]
    assert json.loads(out)["unapplied"] == []
    assert not (root / "workspaces/dev/jobs/examples/hello.yaml").exists()


def test_export_leaves_init_s_commented_variables_file_alone(tmp_path, capsys):
    root = tmp_path / "repo"
    list(scaffold.init(root))
    before = (root / "workspaces/dev/variables.yaml").read_bytes()
    assert b"# dev's DataArts environment variables" in before

    code, _, err = run(capsys, "export", "-w", "dev", "--repo", root)

    assert code == 0, err
    assert (root / "workspaces/dev/variables.yaml").read_bytes() == before
