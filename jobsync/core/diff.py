"""Field-level differences between two compared-form bodies, from deepdiff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

_KINDS = {
    "dictionary_item_added": ADDED,
    "iterable_item_added": ADDED,
    "dictionary_item_removed": REMOVED,
    "iterable_item_removed": REMOVED,
    "values_changed": CHANGED,
    "type_changes": CHANGED,
}
_MISSING = object()


@dataclass(frozen=True)
class FieldChange:
    """One changed field: `path` reads like `nodes.extract.properties.database`."""

    path: str
    change: str  # added | removed | changed
    before: Any = None
    after: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "change": self.change, "before": self.before, "after": self.after}


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _value(value: Any) -> Any:
    return None if value is _MISSING or type(value).__name__ == "NotPresent" else value


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Every difference, sorted by path, so the same two bodies always give the same list."""
    # Imported here: deepdiff pulls in numpy and pydantic (0.15 s), and a no-op plan never diffs.
    from deepdiff import DeepDiff

    tree = DeepDiff(dict(before), dict(after), view="tree", verbose_level=2)
    changes: dict[str, FieldChange] = {}
    for report, items in tree.items():
        change = _KINDS.get(report)
        if change is None:
            continue
        for item in items:
            parts = item.path(output_format="list")
            whole = _order_field(parts)
            if whole is not None:  # a keyed list's order is one value: shown whole, old -> new
                path = _path(whole)
                changes[path] = FieldChange(path, CHANGED, _at(before, whole), _at(after, whole))
                continue
            found = FieldChange(
                path=_path(parts),
                change=change,
                before=None if change == ADDED else _value(item.t1),
                after=None if change == REMOVED else _value(item.t2),
            )
            changes[found.path] = found
    return tuple(sorted(changes.values(), key=lambda c: c.path))


ORDER_SUFFIX = "[order]"  # canonical.ORDER: the pseudo-field of a keyed list's order


def _order_field(parts: list[Any]) -> list[Any] | None:
    """The path up to an order pseudo-field, when `parts` is in one."""
    for index, part in enumerate(parts):
        if isinstance(part, str) and part.endswith(ORDER_SUFFIX):
            return parts[: index + 1]
    return None


def _at(body: Mapping[str, Any], parts: list[Any]) -> Any:
    value: Any = body
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
