"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any


def _mode(path: Path) -> int:
    """Keep an existing file's mode; a new file gets the usual mode under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes | str | Iterable[str], *, durable: bool = True) -> None:
    """Write to a temporary file beside `path`, fsync it, then rename it over `path`.

    `data` may be an iterable of text chunks, written as they come (a large document need
    not exist as one string). `durable=False` skips the fsync, for files git is about to
    record anyway (an export of 30,000 files spent most of its writing time in fsync); the
    rename still makes each file appear whole or not at all.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode(path)
    chunks = (
        [data.encode()]
        if isinstance(data, str)
        else [data]
        if isinstance(data, bytes)
        else (chunk.encode() for chunk in data)
    )
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def document_lines(document: Mapping[str, Any]) -> Iterator[str]:
    """A JSON object with each top-level key on its line and, inside a top-level list or
    object, one item per line.

    Readable and diff-friendly like an indented file, yet each item goes through the C
    encoder, and nothing holds the whole text: a 10,000-job workspace document is written
    7x faster, without a peak of hundreds of MB, than with `indent=2`.
    """

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    yield "{"
    for index, (key, value) in enumerate(document.items()):
        yield ("\n" if index == 0 else ",\n") + f"  {compact(key)}: "
        if isinstance(value, list) and value:
            yield from _items("[", (compact(item) for item in value), "]")
        elif isinstance(value, dict) and value:
            yield from _items("{", (f"{compact(k)}: {compact(v)}" for k, v in value.items()), "}")
        else:
            yield compact(value)
    yield "\n}\n"


def _items(opening: str, items: Iterator[str], closing: str) -> Iterator[str]:
    yield opening
    for index, item in enumerate(items):
        yield ("\n    " if index == 0 else ",\n    ") + item
    yield f"\n  {closing}"
