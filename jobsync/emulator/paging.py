"""List paging. The reference leaves `offset` ambiguous (§10.1): the emulator reads it as a
row offset by default (offset=20&limit=10 -> rows 20..29), or as a page number when started
with offset_mode="page" (offset=2&limit=10 -> rows 20..29), so clients can be tested
against both readings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from jobsync.emulator.http import Call

T = TypeVar("T")
ROW = "row"
PAGE = "page"


def page(items: Sequence[T], call: Call, *, default: int, most: int, mode: str = ROW) -> list[T]:
    """The slice of items the call's offset and limit select."""
    limit = call.int_param("limit", default, 1, most)
    offset = call.int_param("offset", 0, 0, 10**9)
    start = offset * limit if mode == PAGE else offset
    return list(items[start : start + limit])


def listing(key: str, items: Sequence[Any], call: Call, *, default: int, most: int, mode: str = ROW) -> dict[str, Any]:
    """The usual `{"total": n, key: [...]}` list reply."""
    return {"total": len(items), key: page(items, call, default=default, most=most, mode=mode)}
