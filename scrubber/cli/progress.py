"""Progress of a long check on the terminal: bytes and claims done, claims per second, time left.

Shown on standard error only when it is a terminal, and never when the report itself is going to
that terminal (it would interleave with it): under cron, in a pipe or in a test, nothing is drawn.
rich draws it and removes it when the check ends.
"""

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from scrubber.pipeline import STDIN_NAME
from scrubber.pipeline import Progress as ProgressCallback


class _ClaimsColumn(ProgressColumn):
    """Claims judged so far and their rate."""

    def render(self, task: Task) -> Text:
        claims = int(task.fields.get("claims", 0))
        elapsed = task.elapsed or 0.0
        rate = claims / elapsed if elapsed > 0 else 0.0
        return Text(f"{claims:,} claims  {rate:,.0f} claims/s")


def wanted(report_to_terminal: bool) -> bool:
    """Draw progress only for a person watching stderr, and not over a report on the same screen."""
    return sys.stderr.isatty() and not report_to_terminal and os.environ.get("TERM") != "dumb"


@contextlib.contextmanager
def progress_display(files: list[str], output: Path | None) -> Iterator[ProgressCallback | None]:
    """A progress callback for :func:`scrubber.workflows.check.run_check`, or None when not wanted."""
    if not wanted(output is None and sys.stdout.isatty()):
        yield None
        return
    total = 0
    for name in files:
        with contextlib.suppress(OSError):
            total += Path(name).stat().st_size if name != STDIN_NAME and Path(name).is_file() else 0
    columns = (
        TextColumn("checking"),
        BarColumn(),
        DownloadColumn(),
        _ClaimsColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=total or None, claims=0)
        claims = 0

        def advance(bytes_done: int, claims_done: int) -> None:
            nonlocal claims
            claims += claims_done
            bar.update(task, advance=bytes_done, claims=claims)

        yield advance
