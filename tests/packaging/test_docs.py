"""The docs a newcomer reads hold up: every "reference §N" in the code and the docs names a
heading of docs/dataarts-api.md, the project's account of the API it relies on."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "dataarts-api.md"
CITATION = re.compile(r"§(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#{2,6} (\d+(?:\.\d+)*)\.? ", flags=re.M)

TEXT = {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".cfg", ".txt", ".j2", ".sh"}
SKIPPED = {ROOT / "tests" / "data"}  # official examples, verbatim


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
    module.write_text('"""Paging (reference §10.1), signing (§8.4), and a slip (reference §12.7)."""\n')
    cited = [section for _, section in citations([module])]
    assert cited == ["10.1", "8.4", "12.7"]
    assert [section for section in cited if section not in headings()] == ["12.7"]


def test_the_reference_names_a_source_for_each_section():
    text = REFERENCE.read_text(encoding="utf-8")
    sections = re.split(r"^(?=#{2,3} \d)", text, flags=re.M)[2:]  # after the introduction and the sources
    source = re.compile(r"\b(H-[0-9A-Z]+|U-\d+|AX|OTC|SDK-[A-Z]+|OBS-SDK|TF)\b|section \d")
    with_text = [section for section in sections if any(line.strip() for line in section.splitlines()[1:])]
    assert len(with_text) > 30
    assert [section.splitlines()[0] for section in with_text if not source.search(section)] == []
