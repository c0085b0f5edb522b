"""docs/architecture.md is true to the code: its drawing of the layers and every `cli -> ...`
chain in the docs equal the one list in pyproject.toml's layers contract, and the Workspace
calls it names are the protocol's."""

from __future__ import annotations

import re
from pathlib import Path

import jobsync
from jobsync.backends.base import Workspace

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGE = Path(jobsync.__file__).parent
TOP_LEVEL = {path.stem for path in PACKAGE.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()}


def contract_rows() -> list[list[str]]:
    """The layers contract of pyproject.toml, top first, each row its top-level names in order."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r'id = "layers".*?layers = \[(.*?)\]', text, flags=re.S)
    assert block, "pyproject.toml has no layers contract"
    rows = re.findall(r'"([^"]+)"', block.group(1))
    return [[part.strip().removeprefix("jobsync.") for part in row.split("|")] for row in rows]


def contract_layers() -> list[set[str]]:
    return [set(row) for row in contract_rows()]


def chain() -> str:
    """The contract as the docs write it: `cli -> ops | emulator -> ...`."""
    return " -> ".join(" | ".join(row) for row in contract_rows())


def drawn_layers(text: str) -> list[set[str]]:
    """The layers the drawing under "## Layers" shows, top first: the package names that start
    each line of its code block."""
    section = text.split("## Layers", 1)[1]
    drawing = section.split("```", 2)[1]
    rows = []
    for line in drawing.splitlines():
        names = []
        for token in line.split():
            if token.rstrip("/") not in TOP_LEVEL:
                break
            names.append(token.rstrip("/"))
        if names:
            rows.append(set(names))
    return rows


def chains(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [found.strip() for found in re.findall(r"cli -> [a-z |>-]+[a-z]", flat)]


def test_the_drawing_shows_the_contracts_layers():
    assert drawn_layers(ARCHITECTURE.read_text(encoding="utf-8")) == contract_layers()


def test_every_layer_chain_written_in_the_docs_is_the_contracts():
    expected = chain()
    texts = {path: path.read_text(encoding="utf-8") for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]}
    texts.update((path, path.read_text(encoding="utf-8")) for path in sorted((ROOT / "docs").glob("*.md")))
    texts[ROOT / "pyproject.toml"] = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = {(path.name, written) for path, text in texts.items() for written in chains(text)}
    assert found, "no doc writes the layer chain"
    assert {(name, written) for name, written in found if written != expected} == set()


def test_a_drawing_or_chain_that_drifts_is_caught():
    drifted = ARCHITECTURE.read_text(encoding="utf-8").replace("github/               GitHub", "", 1)
    assert drawn_layers(drifted) != contract_layers()
    assert chains("the order `cli -> ops -> render -> github`") == ["cli -> ops -> render -> github"]
    assert chains("the order `cli -> ops -> render -> github`")[0] != chain()


def workspace_calls() -> set[str]:
    return {name for name in vars(Workspace) if not name.startswith("_")}


def named_calls(text: str) -> set[str]:
    paragraph = text.split("**The `Workspace` protocol**", 1)[1].split("Reads return", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", paragraph))


def test_the_workspace_calls_the_architecture_names_are_the_protocols():
    assert named_calls(ARCHITECTURE.read_text(encoding="utf-8")) == workspace_calls()


def test_a_call_left_out_of_the_architecture_is_caught():
    text = ARCHITECTURE.read_text(encoding="utf-8").replace("`rename`, ", "", 1)
    assert workspace_calls() - named_calls(text) == {"rename"}
