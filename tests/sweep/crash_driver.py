"""Run one sweep and kill itself with SIGKILL at the N-th step boundary: a real kill -9, aimed.

Usage: python crash_driver.py INBOX OUTBOX KILL_AT
The sweep calls its checkpoint between every durable step and after each claim's report lines;
this driver counts those calls and sends itself SIGKILL on number KILL_AT (0: never).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import sys
from pathlib import Path

from scrubber.logs import configure_logging
from scrubber.sweep import SweepSettings, run_sweep


def main() -> int:
    inbox, outbox, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    configure_logging("warning", stream=io.StringIO())
    calls = 0

    def checkpoint(step: str) -> None:
        nonlocal calls
        calls += 1
        if calls == kill_at:
            print(step, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    settings = SweepSettings(
        inbox=inbox, outbox=outbox, settle_seconds=0, stale_seconds=0, as_of=dt.date(2026, 11, 1), structure=False
    )
    return run_sweep(settings, checkpoint=checkpoint).exit_code


if __name__ == "__main__":
    sys.exit(main())
