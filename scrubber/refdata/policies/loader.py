"""Reads policy packs from TOML. Errors name the file and the key, in one line."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from scrubber.refdata.policies.errors import TomlFileError, describe_validation_error, read_toml
from scrubber.refdata.policies.models import PolicyPack
from scrubber.refdata.policies.policyset import PolicySet


class PolicyPackError(TomlFileError):
    """A policy pack that cannot be loaded; the message names the file and the key."""


def default_pack_path() -> Path:
    """The pack shipped with scrubber (``scrubber/refdata/policies/packs/default.toml``)."""
    return Path(str(resources.files("scrubber.refdata.policies") / "packs" / "default.toml"))


def load_pack(path: Path) -> PolicyPack:
    """One pack file, validated."""
    try:
        data = read_toml(path)
    except TomlFileError as exc:
        raise PolicyPackError(str(exc)) from None
    try:
        return PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise PolicyPackError(describe_validation_error(path, exc)) from None


def load_policies(paths: Iterable[Path] = (), *, include_default: bool = True) -> PolicySet:
    """The default pack (unless turned off) followed by ``paths``, later entries winning by id."""
    files = [default_pack_path()] if include_default else []
    files.extend(Path(p) for p in paths)
    return PolicySet.from_packs(load_pack(f) for f in files)
