"""Plain help and error text: metavars such as NAME and PATH instead of Python types, and
click's errors in plain words (typer 0.29 shows `<bool>`, `<list[str]>` and
"Value error, 'html' is not one of ..."). `install` is called once, by cli/app.py."""

from __future__ import annotations

import re
import sys
from typing import Any

import typer
from typer.core import TyperArgument, TyperOption

# click's exceptions as typer raises them (typer >= 0.19 vendors click as typer._click)
_EXCEPTIONS = sys.modules[typer.BadParameter.__module__]
ClickException: type[Exception] = _EXCEPTIONS.ClickException
NoArgsIsHelpError: type[Exception] | None = getattr(_EXCEPTIONS, "NoArgsIsHelpError", None)

_TYPER_OPTION = TyperOption.display_type_rich
_TYPER_ARGUMENT = TyperArgument.display_type_rich
_WORDS = {"path": "PATH", "file": "FILE", "directory": "DIR", "int": "N", "float": "NUMBER", "integer": "N"}


def plain(shown: str | None, name: str | None) -> str | None:
    """A metavar in plain words for typer's `<type>` display: `<str>` -> the option's name in
    capitals, `<path>` -> PATH, choices as `a|b|c`."""
    if shown is None:
        return None
    inner = shown.strip("<>")
    inner = re.sub(r"^list\[(.*)\]$", r"\1", inner)
    if "|" in inner:
        return inner
    if inner in _WORDS:
        return _WORDS[inner]
    return (name or "value").upper().replace("-", "_")


def _option(self: TyperOption, ctx: Any) -> str | None:
    if self.metavar is not None:
        return str(self.metavar)
    if self.is_flag or self.count:
        return None
    return plain(_TYPER_OPTION(self, ctx), self.name)


def _argument(self: TyperArgument, ctx: Any) -> str | None:
    if self.metavar is not None:
        return str(self.metavar)
    return plain(_TYPER_ARGUMENT(self, ctx), self.name)


def install() -> None:
    TyperOption.display_type_rich = _option  # type: ignore[method-assign]
    TyperArgument.display_type_rich = _argument  # type: ignore[method-assign,assignment]


def error_text(error: Any) -> str:
    """A click error's message without pydantic's 'Value error, ' and with plain choices."""
    message = error.format_message().replace("Value error, ", "")
    return re.sub(r"'([^']*)'(?=[,.]|$| or )", r"\1", message) if "is not one of" in message else message


def usage_hint(error: Any) -> str:
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return ""
    return f"try '{ctx.command_path} --help' for the options and an example"
