"""The `scrubber` command line. Commands are thin: they parse options and call the library.

typer (on click) gives typed options, `--help` pages and usage errors with exit code 2 for free.
Each command lives in a module of its own in this package; this one assembles them.

No module here takes the ``__future__`` annotations import: typer reads every command's
signature on each run, and string annotations made it compile and evaluate them, 8 ms of every
``scrubber`` process (tests/test_architecture.py keeps it so).
"""

import os
import sys
from typing import Annotated

import typer

from scrubber.cli.check import check_command
from scrubber.cli.codes import codes_app
from scrubber.cli.ncci import ncci_app
from scrubber.cli.policies import policies_app
from scrubber.cli.rules import rules_command
from scrubber.cli.serve import serve_command
from scrubber.cli.spark import spark_app
from scrubber.cli.sweep import sweep_command
from scrubber.errors import ScrubberError
from scrubber.exitcodes import EXIT_UNREADABLE
from scrubber.logs import configure_logging

app = typer.Typer(
    name="scrubber",
    help="Check X12 837P (005010X222A1) professional claims before they go to the payer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _default_log_level() -> str:
    return "warning" if sys.stderr.isatty() else "info"


@app.callback()
def _setup(
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning or error (default: info, warning on a terminal)")
    ] = None,
) -> None:
    try:
        configure_logging(log_level or _default_log_level())
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--log-level") from None


app.command("check")(check_command)
app.command("sweep", help=sweep_command.__doc__)(sweep_command)
app.command("rules")(rules_command)
app.command("serve")(serve_command)
app.add_typer(codes_app, name="codes")
app.add_typer(ncci_app, name="ncci")
app.add_typer(policies_app, name="policies")
app.add_typer(spark_app, name="spark")


def main() -> None:
    """Console entry point; errors end in one line, not a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("scrubber: interrupted", err=True)
        sys.exit(130)
    except ScrubberError as error:
        typer.echo(f"scrubber: error: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except Exception as error:
        if os.environ.get("SCRUBBER_DEBUG"):
            raise
        typer.echo(
            f"scrubber: internal error: {type(error).__name__}: {error} (set SCRUBBER_DEBUG=1 for details)", err=True
        )
        sys.exit(EXIT_UNREADABLE)
