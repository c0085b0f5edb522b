"""The output formats, and the plan document in each of them."""

from __future__ import annotations

import enum
from typing import Any

from jobsync.render import jsonout, markdown, text


class Format(str, enum.Enum):
    """How a command shows what it found: for people, for a pull request, for machines."""

    text = "text"
    markdown = "markdown"
    json = "json"


def render_plan(document: dict[str, Any], fmt: Format, *, colour: bool = False) -> str:
    """The plan document (render/document.py) as `fmt`."""
    if fmt is Format.json:
        return jsonout.render(document)
    if fmt is Format.markdown:
        return markdown.render(document)
    return text.render(document, colour=colour)
