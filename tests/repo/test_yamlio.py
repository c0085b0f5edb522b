"""YAML 1.2 core schema for reading and writing, and duplicate keys."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support import job_body

from jobsync.core.model import Kind, canonical_json
from jobsync.repo import yamlio

AMBIGUOUS = ["0o17", "1e3", "-.5", "6:00", "0123", "yes", "no", "on", "off", "2026-01-01", "1.0", "12", "null", "true"]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_a_string_any_yaml_reads_otherwise_is_quoted_and_read_back_as_a_string(text):
    written = yamlio.dump({"value": text})

    assert yamlio.load(written) == {"value": text}
    assert yaml.safe_load(written) == {"value": text}  # YAML 1.1 tools read it as a string too


@pytest.mark.parametrize(("text", "value"), [("6:00", "6:00"), ("0123", "0123"), ("yes", "yes"), ("1e3", 1000.0)])
def test_hand_written_values_read_as_yaml_1_2_does(text, value):
    loaded = yamlio.load(f"value: {text}\n")["value"]

    assert loaded == value and type(loaded) is type(value)


def test_a_duplicate_key_is_an_error_naming_both_lines(local):
    path = local.folder / "jobs" / "etl.yaml"
    local.put(Kind.JOB, job_body("etl"))
    path.write_text(path.read_text() + "processType: REAL_TIME\n")

    result = local.run("validate", "-w", "dev")

    assert result.exit_code == 1
    assert "duplicate key 'processType' (lines 3 and 12)" in result.stderr and "etl.yaml" in result.stderr


def representer_dump(value):
    """What dump wrote before it built YAML events itself: PyYAML's representer."""
    return yaml.dump(
        value,
        Dumper=yamlio._Dumper,
        sort_keys=False,
        allow_unicode=True,
        indent=2,
        width=4096,
        default_flow_style=False,
    )


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON numbers only
    | st.text()
    | st.sampled_from([*AMBIGUOUS, "a: b", "- x", "#c", " lead", "trail ", "x\r\ny", "multi\nline\n", "日报", "~", ""])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON_VALUES)
def test_dump_writes_the_bytes_the_representer_wrote_and_reads_back_type_exactly(value):
    written = yamlio.dump(value)

    assert written == representer_dump(value)
    assert canonical_json(yamlio.load(written)) == canonical_json(value)


def test_equal_scalars_of_another_type_or_sign_are_written_as_themselves():
    """The dumper reuses one event per scalar: 0.0 and -0.0, 1 and true must not share one."""
    written = [yamlio.dump(value) for value in (0.0, -0.0, 1, True, 1.0, "1", -0.0)]

    assert written == ["0.0\n", "-0.0\n", "1\n", "true\n", "1.0\n", "'1'\n", "-0.0\n"]


# -- the fast load path answers exactly as the full one -------------------------------------------

PLAIN_SCALARS = [
    *AMBIGUOUS,
    *("0o19", "0x1F", "0xg", "+5", "-0", "00", "1_000", ".5", "5.", "1E3", "-.inf", ".NaN", ".inf", "+.inf"),
    *("~", "Null", "NULL", "nUll", "True", "TRUE", "tRue", "FALSE", "y", "n", "日报", "a b", "3.14e-2", "0.", "-"),
]
FRAGMENTS = st.sampled_from(
    [
        *(f"{text}" for text in PLAIN_SCALARS),
        *(f"'{text}'" for text in PLAIN_SCALARS[:10]),
        *(f'"{text}"' for text in PLAIN_SCALARS[10:20]),
        "&a x",
        "*a",
        "!!str 12",
        "!!binary aGk=",
        "!custom x",
        "! 12",
        "[1, {a: 2}]",
        "{b: 1, b: 2}",
        "{? [1]: 2}",
        "|\n  text\n",
        ">-\n  folded\n",
        "",
        "[",
        "2026-01-01 10:00:00",
    ]
)
KEYS = st.sampled_from(["name", "名字", "1", "'1'", "true", "null", "~", "<<", "a", "a", "[k]", "&k key", "*k"])


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Block mappings and lists of fragments, nested, with duplicate and odd keys, several
    documents, anchors and tags: what hand-written and hostile files hold."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        indent = "  " * draw(st.integers(0, 2))
        if draw(st.booleans()):
            lines.append(f"{indent}{draw(KEYS)}: {draw(FRAGMENTS)}")
        else:
            lines.append(f"{indent}- {draw(FRAGMENTS)}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["---", "...", "# comment", "\tkey: x"])))
    return "\n".join(lines) + "\n"


def outcome(load, text: str) -> tuple[str, str]:
    try:
        return "value", canonical_json(load(text))
    except yaml.YAMLError as error:
        return "error", str(error)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(yaml_texts() | JSON_VALUES.map(yamlio.dump))
def test_load_answers_every_text_as_the_full_loader_does(text):
    """Type-exact value, or the same error (message and line) for a file the fast path leaves."""
    assert outcome(yamlio.load, text) == outcome(yamlio.full_load, text)
    try:
        fast = yamlio.fast_load(text)
    except (yamlio.Unusual, yaml.YAMLError):
        return
    assert canonical_json(fast) == canonical_json(yamlio.full_load(text))


def test_the_fast_path_takes_a_job_file_and_leaves_what_it_does_not_handle():
    job = yamlio.dump({"name": "作业", "nodes": [{"retry": 0, "rate": 1.5, "on": True, "x": None}], "v": "0123"})
    assert yamlio.fast_load(job) == yamlio.full_load(job)
    for text in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "a: 1\na: 2\n", "1: a\n", "a: .inf\n", "a\n---\nb\n"):
        with pytest.raises(yamlio.Unusual):
            yamlio.fast_load(text)
