"""One name, one meaning: a single `Problem` (the error tree's), a single output `Format`, and
the commands' output written by the one JSON encoder (render/jsonout.py), which keeps non-ASCII
names as they are."""

from __future__ import annotations

import ast
from pathlib import Path

import jobsync

PACKAGE = Path(jobsync.__file__).parent


def definitions(name: str) -> list[str]:
    """Where the package defines `name`: a class, or a module-level assignment."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = [node.name] if isinstance(node, ast.ClassDef) else []
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                assigned = node.targets if isinstance(node, ast.Assign) else [node.target]
                targets += [target.id for target in assigned if isinstance(target, ast.Name)]
            if name in targets:
                found.append(str(path.relative_to(PACKAGE)))
    return found


def json_dumps_calls(folder: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "dumps"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "json"
            ):
                found.append(str(path.relative_to(PACKAGE)))
    return found


def test_one_problem_type():
    assert definitions("Problem") == ["errors.py"]


def test_one_output_format():
    assert definitions("Format") == ["render/formats.py"]


def test_the_definition_finder_sees_classes_and_aliases():
    assert definitions("Refusal") == ["core/writecheck.py"]
    assert "ops/apply.py" in definitions("ApplyResult")


def test_commands_write_json_through_the_one_encoder():
    assert [call for folder in ("cli", "ops", "github") for call in json_dumps_calls(folder)] == []
    # the encoder itself, and the plan's display of one value inside a line of text
    assert "render/jsonout.py" in json_dumps_calls("render")
    assert set(json_dumps_calls("render")) <= {"render/jsonout.py", "render/values.py"}


def test_the_one_encoder_keeps_chinese_names():
    from jobsync.render import jsonout

    assert jsonout.dumps({"name": "日报"}) == '{\n  "name": "日报"\n}'
    assert jsonout.dumps(["日报"], indent=None) == '["日报"]'
