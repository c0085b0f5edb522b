"""The docs a newcomer reads hold up: every "reference §N" in the code and the docs names a
heading of docs/dataarts-api.md, the project's account of the API it relies on; and nothing
outside CHANGELOG.md speaks of a machine's paths, of issue numbers or of the checklists a round
of work was judged by, which mean nothing to someone who reads the code later."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "dataarts-api.md"
CITATION = re.compile(r"§(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#{2,6} (\d+(?:\.\d+)*)\.? ", flags=re.M)

# The words that tie a text to one machine or one round of work. Spelt in pieces so that this
# file does not find itself.
LOCAL = re.compile(
    "|".join(
        [
            r"/" + r"work/",
            r"/" + r"home/\w",
            r"/" + r"Users/\w",
            r"shared/" + r"reference",
            r"\b[Ii]ssue" + r"s? #?\d+",
            r"\b[Aa]ccept" + r"ance\b",
            r"team " + r"brief",
        ]
    )
)
TEXT = {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".cfg", ".txt", ".j2", ".sh"}
SCANNED = ["jobsync", "tests", "docs", "benchmarks", "schemas", "workspaces", ".github", ".ci"]
# tests/data holds official examples verbatim; the self-containment test spells the paths it forbids.
SKIPPED = {ROOT / "tests" / "data", ROOT / "tests" / "test_self_contained.py"}


def texts(*folders: str) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            wanted = path.is_file() and (path.suffix in TEXT or path.name == "run") and "__pycache__" not in path.parts
            if wanted and not any(path == skipped or skipped in path.parents for skipped in SKIPPED):
                found.append(path)
    return found


def headings() -> set[str]:
    return set(HEADING.findall(REFERENCE.read_text(encoding="utf-8")))


def citations(paths: list[Path]) -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{number}", section)
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for section in CITATION.findall(line)
    ]


def test_every_citation_names_a_section_of_the_reference():
    found = citations([*texts("jobsync", "docs"), ROOT / "README.md", ROOT / "CONTRIBUTING.md"])
    assert len(found) > 50  # the code cites the reference throughout
    assert [(where, section) for where, section in found if section not in headings()] == []


def test_a_citation_of_a_missing_section_is_found(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('"""Paging (reference §10.1), signing (§8.4), and a slip (reference §19.7)."""\n')
    cited = [section for _, section in citations([module])]
    assert cited == ["10.1", "8.4", "19.7"]
    assert [section for section in cited if section not in headings()] == ["19.7"]


def test_the_reference_names_a_source_for_each_section():
    text = REFERENCE.read_text(encoding="utf-8")
    sections = re.split(r"^(?=#{2,3} \d)", text, flags=re.M)[2:]  # after the introduction and the sources
    source = re.compile(r"\b(H-[0-9A-Z]+|U-\d+|AX|OTC|SDK-[A-Z]+|OBS-SDK|TF)\b|section \d")
    with_text = [section for section in sections if any(line.strip() for line in section.splitlines()[1:])]
    assert len(with_text) > 30
    assert [section.splitlines()[0] for section in with_text if not source.search(section)] == []


def test_nothing_speaks_of_a_machine_an_issue_or_an_acceptance_point():
    paths = [*texts(*SCANNED), *(ROOT / name for name in ("README.md", "CONTRIBUTING.md", "pyproject.toml"))]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if LOCAL.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        "see /" + "work/shared/x.md",
        "Environments (issue" + " 12): one definition",
        "Accept" + "ance 1: any change",
        "the team" + " brief has them",
    ],
)
def test_the_pattern_finds_what_it_is_for(line):
    assert LOCAL.search(line)


def test_the_pattern_leaves_plain_words_alone():
    assert not LOCAL.search("an issue with the lock; apply accepts the plan (acceptable)")
