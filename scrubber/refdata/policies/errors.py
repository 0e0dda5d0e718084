"""One-line messages for bad TOML files: which file, which key, what is wrong.

Used by the policy-pack loader and by scrubber.config, so a user who mistypes a key in either
file reads the same kind of message and never a traceback.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scrubber.errors import SetupError


class TomlFileError(SetupError):
    """A TOML file that cannot be used; ``str()`` is the one-line message for the user."""


def _key_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def describe_validation_error(path: Path | str, exc: ValidationError) -> str:
    """``FILE: key.path: what is wrong`` for the first error (and how many more there are)."""
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "extra_forbidden":
        problem = "unknown key"
    elif first.get("type") == "missing":
        problem = "required key is missing"
    else:
        problem = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{path}: {_key_path(loc)}: {problem}{more}"


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning I/O and syntax errors into :class:`TomlFileError`."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise TomlFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise TomlFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(f"{path}: not valid TOML: {exc}") from None
