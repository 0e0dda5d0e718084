"""999, 277CA and the accepted/rejected 837 split of a swept file, made by `check`'s own outputs.

The sweep asks :class:`scrubber.workflows.outputs.FileOutputs` for them with the reports folder
as the target, so they are the same files `scrubber check --ack999 DIR ...` writes, named after
the file's name in the outbox: ``reports/BASE.999``, ``BASE.277``, ``BASE.accepted.837`` and
``BASE.rejected.837``, owner-only unless ``--file-mode`` says otherwise.
"""

from __future__ import annotations

from pathlib import Path

from scrubber.rules.registry import RuleRegistry
from scrubber.workflows.outputs import FileOutputs, OutputOptions

# output name -> the suffixes of the files it makes in reports/
ACK_OUTPUTS: dict[str, tuple[str, ...]] = {
    "999": (".999",),
    "277ca": (".277",),
    "split": (".accepted.837", ".rejected.837"),
}
NEEDS_STRUCTURE = frozenset({"999"})  # a 999 acknowledges the TR3 structure check


def ack_paths(names: tuple[str, ...], reports: Path, base: str) -> list[Path]:
    return [reports / f"{base}{suffix}" for name in names for suffix in ACK_OUTPUTS[name]]


def file_outputs(
    names: tuple[str, ...], reports: Path, registry: RuleRegistry, mode: int, base: str, notes: list[str]
) -> FileOutputs | None:
    """The outputs sink for one file, or None when no acknowledgment or split is configured.

    An output that cannot be made (a 999 for a file the TR3 check could not read) goes to
    ``notes``, and the file goes on.
    """
    if not names:
        return None
    options = OutputOptions(
        ack999=reports if "999" in names else None,
        ack277=reports if "277ca" in names else None,
        accepted_out=reports if "split" in names else None,
        rejected_out=reports if "split" in names else None,
    )
    return FileOutputs(options, registry, multi=True, ordinal=0, mode=mode, stem=base, notes=notes)
