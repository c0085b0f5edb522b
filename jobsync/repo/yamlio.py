"""YAML in and out: fast safe loading, line numbers on demand, stable readable dumping."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ClassVar, cast

import yaml

from jobsync.errors import Problem
from jobsync.repo import limits

CParser: Any
try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: every file takes full_load
    CParser = None

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# -- YAML 1.2 core schema (what yaml-language-server reads) -------------------------------------

CORE_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Decimal ints without a leading zero: `0123` is octal 83 to YAML 1.1 and 123 to 1.2, so it
# stays the string it most likely is (a code, an id), and is quoted on write.
CORE_INT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
CORE_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
CORE_FIRST = {
    "tag:yaml.org,2002:null": [*list("~nN"), ""],
    "tag:yaml.org,2002:bool": list("tTfF"),
    "tag:yaml.org,2002:int": list("-+0123456789"),
    "tag:yaml.org,2002:float": list("-+.0123456789"),
}
CORE = (
    ("tag:yaml.org,2002:null", CORE_NULL),
    ("tag:yaml.org,2002:bool", CORE_BOOL),
    ("tag:yaml.org,2002:int", CORE_INT),
    ("tag:yaml.org,2002:float", CORE_FLOAT),
)


class CoreLoader(Loader):  # type: ignore[misc,valid-type]
    """YAML 1.2 core schema on libyaml's parser: `6:00`, `0123`, `yes`, `2026-01-01` are
    strings, `1e3` and `-.5` floats, `0o17` an int; a key given twice is an error."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # 1.2 core only (added below)

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        text = str(node.value)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        text = str(node.value).lower()
        if text.endswith(".inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        return float("nan") if text == ".nan" else float(text)

    def construct_core_bool(self, node: yaml.ScalarNode) -> bool:
        return str(node.value).lower() == "true"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen and type(key) is type(seen_key(seen, key)):
                first = seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (lines {first} and {key_node.start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
            if isinstance(key, str | int | float | bool):
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def seen_key(seen: dict[Any, yaml.Node], key: Any) -> Any:
    return next(k for k in seen if k == key)


for _tag, _pattern in CORE:
    CoreLoader.add_implicit_resolver(_tag, _pattern, CORE_FIRST[_tag])
CoreLoader.add_constructor("tag:yaml.org,2002:int", CoreLoader.construct_core_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", CoreLoader.construct_core_float)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", CoreLoader.construct_core_bool)


class _Dumper(Dumper):  # type: ignore[misc,valid-type]  # libyaml's emitter when present: 4x faster
    """Block style for multi-line strings, so SQL and arguments read as written.

    Its resolvers are YAML 1.1's plus 1.2 core's, so a string either would read as
    something else (`0o17`, `1e3`, `-.5`, `6:00`, `0123`, `yes`) is written quoted."""


for _tag, _pattern in CORE:
    _Dumper.add_implicit_resolver(_tag, _pattern, CORE_FIRST[_tag])
_Dumper.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?0[0-9]+$"), list("-+0"))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def load(text: str) -> Any:
    """The JSON value `text` holds; a non-JSON value, an alias bomb or too deep a nesting is a
    yaml.YAMLError (limits.InputLimitError) with the line, like a syntax error.

    Most files take the fast path (`fast_load`); a file it does not take, it leaves to
    `full_load`, whose value or error is the answer."""
    try:
        return fast_load(text)
    except (Unusual, yaml.YAMLError):
        return full_load(text)


def full_load(text: str) -> Any:
    """`load` through PyYAML's constructor (CoreLoader) and the limits' walk: every feature of
    YAML, every error with its line."""
    try:
        value = yaml.load(text, Loader=CoreLoader)
    except RecursionError:
        raise limits.InputLimitError(f"nested deeper than {limits.MAX_DEPTH} levels") from None
    return limits.check(value, text)


class Unusual(Exception):
    """What `fast_load` leaves to `full_load`: anchors, aliases, tags, a key that is not a
    string, a key given twice, a non-finite float, deep nesting, several documents, or an error."""


_RESOLVERS = CoreLoader.yaml_implicit_resolvers
_EMPTY: tuple[Any, ...] = ()
_FAST_DEPTH = limits.MAX_DEPTH // 2
_NO_KEY = object()


def _plain(text: str) -> Any:
    """A plain scalar as CoreLoader reads it (its resolvers, in their order; its constructors)."""
    for tag, pattern in _RESOLVERS.get(text[0] if text else "", _EMPTY):
        if pattern.match(text):
            if tag == NULL:
                return None
            if tag == BOOL:
                return text.lower() == "true"
            if tag == INT:
                return int(text[2:], 8 if text[1] == "o" else 16) if text.startswith(("0o", "0x")) else int(text)
            lowered = text.lower()
            if lowered.endswith(("inf", "nan")):
                raise Unusual  # not JSON: full_load says so, with the line
            return float(lowered)
    return text


def fast_load(text: str) -> Any:
    """The value of a YAML document of plain JSON shape, built from libyaml's parser events
    with a small constructor: the YAML 1.2 core schema as CoreLoader resolves it, and the
    JSON-only rule and limits by construction (no aliases, so no expansion; nesting bounded).
    Raises Unusual (or a parser error) for anything else; `load` then uses `full_load`."""
    if CParser is None:
        raise Unusual
    parser = CParser(text)
    try:
        return _build(parser.get_event)
    finally:
        parser.dispose()


def _build(get: Callable[[], Any]) -> Any:  # noqa: C901  one loop over the event types
    get()  # StreamStartEvent
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None
    stack: list[tuple[Any, Any]] = []
    current: Any = None
    key: Any = _NO_KEY
    root: Any = _NO_KEY
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise Unusual
            value = _plain(event.value) if event.implicit[0] else event.value
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= _FAST_DEPTH:
                raise Unusual
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            current, key = stack.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            if type(get()) is not yaml.StreamEndEvent:
                raise Unusual  # several documents: full_load gives the error
            return root
        else:
            raise Unusual  # an alias
        if type(current) is dict:
            if key is _NO_KEY:
                if type(value) is not str or value in current:
                    raise Unusual  # a key that is not a string, or a duplicate key
                key = value
                continue
            current[key] = value
            key = _NO_KEY
        elif current is None:
            root = value
        else:
            current.append(value)
        if kind is not yaml.ScalarEvent:
            stack.append((current, key))
            current, key = value, _NO_KEY


STR, INT, FLOAT, BOOL, NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null"))


class _Resolver(yaml.resolver.BaseResolver):
    """The dumper's resolvers (YAML 1.1's and 1.2 core's), to decide which strings to quote."""

    yaml_implicit_resolvers = _Dumper.yaml_implicit_resolvers


_resolve = cast(Callable[[type, str, tuple[bool, bool]], str], _Resolver().resolve)


@functools.lru_cache(maxsize=1 << 16)
def _plain_tag(text: str) -> str:
    """The tag `text` written plain would be read as; a string is quoted unless it is STR."""
    return _resolve(yaml.ScalarNode, text, (True, False))


def _float_text(value: float) -> str:
    """As PyYAML's SafeRepresenter writes a float."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _scalar(tag: str, text: str, style: str | None = None) -> yaml.ScalarEvent:
    plain = _plain_tag(text) == tag
    return yaml.ScalarEvent(None, tag, (plain, tag == STR), text, style=style)


def _new_event(value: Any) -> yaml.ScalarEvent:
    kind = type(value)
    if kind is str:
        return _scalar(STR, value, "|" if "\n" in value else None)
    if kind is bool:
        return _scalar(BOOL, "true" if value else "false")
    if kind is int:
        return _scalar(INT, str(value))
    if kind is float:
        return _scalar(FLOAT, _float_text(value))
    if value is None:
        return _scalar(NULL, "null")
    raise yaml.representer.RepresenterError(f"cannot represent a {kind.__name__} in YAML: {value!r}")


# Events carry no state the emitter changes, so one event serves every equal scalar (keyed by
# type too: 1, 1.0 and true are different scalars), and one start or end event every mapping.
# Floats are not kept: 0.0 and -0.0 are equal keys but different scalars.
_SCALARS: dict[tuple[type, Any], yaml.ScalarEvent] = {}
_KEPT = 1 << 17
MAP_START = yaml.MappingStartEvent(None, None, True, flow_style=False)
MAP_END = yaml.MappingEndEvent()
SEQ_START = yaml.SequenceStartEvent(None, None, True, flow_style=False)
SEQ_END = yaml.SequenceEndEvent()


def _scalar_event(value: Any) -> yaml.ScalarEvent:
    key = (type(value), value)
    event = _SCALARS.get(key)
    if event is None:
        event = _new_event(value)
        if key[0] is float:
            return event
        if len(_SCALARS) >= _KEPT:
            _SCALARS.clear()
        _SCALARS[key] = event
    return event


def _events(value: Any, out: list[yaml.Event]) -> None:
    """The YAML events of a JSON value, block style, keys in their order: what
    yaml.dump(Dumper=_Dumper, sort_keys=False, default_flow_style=False) emits, without
    the representer's per-node bookkeeping (6x faster over a workspace's files)."""
    kind = type(value)
    append = out.append
    if kind is dict:
        append(MAP_START)
        for key, item in value.items():
            append(_SCALARS.get((type(key), key)) or _scalar_event(key))
            inner = type(item)
            if inner is dict or inner is list:
                _events(item, out)
            else:
                append(_SCALARS.get((inner, item)) or _scalar_event(item))
        append(MAP_END)
    elif kind is list:
        append(SEQ_START)
        for item in value:
            inner = type(item)
            if inner is dict or inner is list:
                _events(item, out)
            else:
                append(_SCALARS.get((inner, item)) or _scalar_event(item))
        append(SEQ_END)
    else:
        append(_scalar_event(value))


def dump(value: Any) -> str:
    """`value` (JSON types only) as block-style YAML through libyaml's emitter when present."""
    events: list[yaml.Event] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _events(value, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return str(yaml.emit(events, Dumper=_Dumper, allow_unicode=True, indent=2, width=4096))


Lines = dict[tuple[str | int, ...], int]  # a file's paths -> 1-based lines (line_map)


def line_map(text: str) -> Lines:
    """Path (tuple of keys and indexes) -> 1-based line, for error messages only."""
    lines: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def line_of(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    """The line of `path`, or of its nearest ancestor that the file has."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


# -- what a syntax error says (error formatting only; the load path above is not involved) ------

UNCLOSED = {
    "while parsing a flow sequence": "the '[' opened here is never closed: add the missing ']' (or quote the value)",
    "while parsing a flow mapping": "the '{' opened here is never closed: add the missing '}' (or quote the value)",
    "while scanning a quoted scalar": "the quoted value that starts here never ends: add the closing quote",
}


def syntax_problem(error: yaml.YAMLError, rel: str, text: str) -> Problem:
    """A YAML error as one Problem on the line to fix, in plain words.

    PyYAML marks where it noticed the problem: for an unclosed '[', '{' or quote that is a
    later line (often the next key), so the line reported is where it was opened. A tab that
    cannot start a token is called a tab."""
    problem = str(getattr(error, "problem", None) or error)
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    if context in UNCLOSED and context_mark is not None:
        return Problem(rel, f"not valid YAML: {UNCLOSED[context]}", context_mark.line + 1)
    line = mark.line + 1 if mark is not None else None
    column = getattr(mark, "column", None)
    if line is not None and column is not None and _char_at(text, line, column) == "\t":
        return Problem(
            rel,
            f"not valid YAML: a tab character (column {column + 1}); YAML indents with spaces only: "
            "replace the tab with spaces",
            line,
        )
    return Problem(rel, f"not valid YAML: {problem}", line)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and 0 <= column < len(lines[line - 1]):
        return lines[line - 1][column]
    return ""
