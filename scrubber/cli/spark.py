"""`scrubber spark check PATH... --out DIR`: scrub on Spark into Parquet tables; exit codes as `check`."""

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from scrubber.errors import ScrubberError
from scrubber.exitcodes import EXIT_UNREADABLE
from scrubber.pipeline import DEFAULT_STRUCTURE, StructureMode

spark_app = typer.Typer(
    help="Scrub on Apache Spark: files in, Parquet tables of files, claims, lines, diagnoses and findings out.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


@spark_app.command("check")
def spark_check_command(
    paths: Annotated[list[str], typer.Argument(help="837P files, or directories of them, readable by every executor.")],
    out: Annotated[str, typer.Option("--out", help="Directory (or URI) for the Parquet datasets DIR/files, ...")],
    master: Annotated[
        str | None, typer.Option("--master", help="Spark master URL (default: local[*], or what spark-submit set).")
    ] = None,
    structure: Annotated[
        StructureMode, typer.Option("--structure", help="The TR3 structure check: native, pyx12, or off.")
    ] = DEFAULT_STRUCTURE,
    no_structure: Annotated[bool, typer.Option("--no-structure", help="Same as --structure off.")] = False,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="scrubber.toml (read here, on the driver, and shipped).")
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge dates as of this day (default: the driver's today)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace tables already in DIR.")] = False,
    partitions: Annotated[
        int | None, typer.Option("--partitions", min=1, help="Tasks the pieces are spread over (default: 4 per core).")
    ] = None,
    conf: Annotated[
        list[str] | None, typer.Option("--conf", help="KEY=VALUE Spark setting (repeatable), e.g. spark.cores.max=8.")
    ] = None,
    piece_size: Annotated[
        int | None, typer.Option("--piece-size", min=1024, help="Largest piece of a large file, in bytes (1 MiB).")
    ] = None,
) -> None:
    """Check 837P files on Spark. Exit 0: all claims accepted; 1: a claim or file rejected; 2: unreadable input."""
    from scrubber.workflows.spark import TABLE_NAMES, SparkMissing, print_unreadable, scrub, spark_session

    mode: StructureMode = "off" if no_structure else structure
    if not overwrite and "://" not in out:
        existing = [name for name in TABLE_NAMES if os.path.exists(os.path.join(out, name))]
        if existing:
            raise _fail(f"{out}: already holds {', '.join(existing)} (use --overwrite to replace)")
    settings = dict(item.split("=", 1) for item in conf or () if "=" in item)
    if len(settings) != len(conf or ()):
        raise _fail("--conf takes KEY=VALUE")
    try:
        spark = spark_session(master, conf=settings)
    except SparkMissing as error:
        raise _fail(str(error)) from None
    except Exception as error:  # no Java, a master that does not answer, ...
        raise _fail(f"cannot start Spark: {_first_line(error)}") from None
    try:
        tables = scrub(
            spark,
            paths,
            config=config,
            structure=mode,
            as_of=as_of.date() if as_of else None,
            partitions=partitions,
            piece_size=piece_size,
            min_piece_size=min(piece_size, 64 << 10) if piece_size else None,
            log_level=_executor_log_level(),
        )
        tables.write(out, mode="overwrite" if overwrite else "errorifexists")
        outcome = tables.outcome()
    except ScrubberError as error:
        raise _fail(str(error)) from None
    except Exception as error:
        raise _fail(f"spark job failed: {_first_line(error)}") from None
    finally:
        spark.stop()
    print_unreadable(outcome)
    files = sum(outcome.files.values())
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(outcome.files.items()))
    typer.echo(
        f"{files} files ({by_status}), {outcome.claims} claims ({outcome.accepted} accepted, "
        f"{outcome.rejected} rejected): tables in {out}"
    )
    raise typer.Exit(outcome.exit_code)


def _executor_log_level() -> str:
    """Executors log warnings (a file the checker broke on), or everything at ``--log-level debug``.

    Their ``file.checked`` lines would say again what the ``files`` table says, interleaved from
    several processes on the driver's stderr in local mode.
    """
    import logging

    return "debug" if logging.getLogger().level <= logging.DEBUG else "warning"


def _first_line(error: BaseException) -> str:
    """The first meaningful line of a (possibly Java) error, without its stack trace."""
    text = str(error).strip() or type(error).__name__
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Traceback", "File ")):
            return line[:300]
    return type(error).__name__
