"""Running ``scrubber check`` many times cheaply: forked children of a warmed-up process.

A new interpreter per run spends most of its time importing scrubber and loading reference data.
:class:`ForkRunner` warms one process up (imports, ICD-10-CM years, pyx12 maps: one real ``main()``
call per option set) and forks a child per run, which calls the CLI's ``main`` with
``sys.argv`` set and its stdin/stdout/stderr on file descriptors of its own: the console entry
point exactly, minus start-up. Exit codes come from ``SystemExit`` as the interpreter would set
them. :func:`real_cli` runs the same in a real ``python -m scrubber`` process, and
:func:`comparable_stderr` strips what legitimately differs, so the two can be compared.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass
class Run:
    key: tuple[int, str]  # (mutant index, mode)
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False


def _exit_code(value: object) -> int:
    """The process exit status the interpreter derives from ``SystemExit(value)``."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


class ForkRunner:
    """Runs ``scrubber check`` in children forked from a process that has loaded everything once."""

    def __init__(self, workdir: Path, jobs: int = 2, timeout: float = 60.0, input_mode: str = "path") -> None:
        self.workdir = workdir
        self.jobs = jobs
        self.timeout = timeout
        self.input_mode = input_mode

    def warm_up(self, sample: Path, option_sets: Iterable[tuple[str, ...]]) -> None:
        """Import the CLI and run it once per option set here, so children start with everything loaded."""
        cli_main()  # imported before forking: that is the point

        for options in option_sets:
            self._in_process(["check", "--format", "json", *options, str(sample)])

    def _in_process(self, argv: list[str]) -> None:
        saved = os.dup(1), os.dup(2)
        saved_argv = sys.argv
        sink = os.open(os.devnull, os.O_WRONLY)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        try:
            sys.argv = ["scrubber", *argv]
            with contextlib.suppress(SystemExit):
                cli_main()()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            sys.argv = saved_argv
            for fd in (*saved, sink):
                os.close(fd)

    def run(self, tasks: Iterable[tuple[tuple[int, str], Path, tuple[str, ...]]]) -> Iterator[Run]:
        """Run each (key, file, options) in a child, ``jobs`` at a time; yield runs as they end."""
        pending = iter(tasks)
        running: dict[int, tuple[tuple[int, str], float, Path, Path]] = {}
        exhausted = False
        while running or not exhausted:
            while not exhausted and len(running) < self.jobs:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                key, path, options = task
                out = self.workdir / f"{key[0]}-{key[1]}.out"
                err = self.workdir / f"{key[0]}-{key[1]}.err"
                pid = self._spawn(path, options, out, err)
                running[pid] = (key, time.monotonic(), out, err)
            pid, status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
            if pid == 0:
                now = time.monotonic()
                for child, (key, started, out, err) in list(running.items()):
                    if now - started > self.timeout:
                        os.kill(child, signal.SIGKILL)
                        os.waitpid(child, 0)
                        del running[child]
                        yield self._collect(key, -9, started, out, err, timed_out=True)
                time.sleep(0.002)
                continue
            if pid not in running:
                continue
            key, started, out, err = running.pop(pid)
            yield self._collect(key, os.waitstatus_to_exitcode(status), started, out, err)

    @staticmethod
    def _collect(
        key: tuple[int, str], code: int, started: float, out: Path, err: Path, *, timed_out: bool = False
    ) -> Run:
        run = Run(key, code, out.read_bytes(), err.read_bytes(), time.monotonic() - started, timed_out)
        out.unlink()
        err.unlink()
        return run

    def _spawn(self, path: Path, options: tuple[str, ...], out: Path, err: Path) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        code = 70
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            for fd, target in ((1, out), (2, err)):
                handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(handle, fd)
                os.close(handle)
            argument = self._stdin_for(path)
            sys.stdin, sys.stdout, sys.stderr = _standard_streams()
            os.environ.pop("SCRUBBER_DEBUG", None)
            sys.argv = ["scrubber", "check", "--format", "json", *options, argument]
            try:
                cli_main()()
                code = 0
            except SystemExit as exit_:
                code = _exit_code(exit_.code)
        except BaseException:
            traceback.print_exc()
            code = 70
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def _stdin_for(self, path: Path) -> str:
        """Set up fd 0 for the child; return the FILE argument ('-', the path or a FIFO)."""
        if self.input_mode == "path":
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            return str(path)
        data = path.read_bytes()
        if self.input_mode == "stdin":
            read_end, write_end = os.pipe()
            if os.fork() == 0:
                os.close(read_end)
                _feed(write_end, data, self.timeout)
            os.close(write_end)
            os.dup2(read_end, 0)
            os.close(read_end)
            return "-"
        fifo = path.with_suffix(f".fifo{os.getpid()}")
        os.mkfifo(fifo, 0o600)
        if os.fork() == 0:
            signal.alarm(int(self.timeout) + 1)  # a reader that never opens it must not leave us behind
            _feed(os.open(fifo, os.O_WRONLY), data, self.timeout)
        return str(fifo)


def _standard_streams() -> tuple[TextIO, TextIO, TextIO]:
    """Text streams on file descriptors 0, 1 and 2, as a fresh interpreter has them.

    Under pytest (or anything else that swaps ``sys.stdout`` for a capture object) the CLI would
    otherwise write its report past the child's own files.
    """
    return (
        open(0, encoding="utf-8", closefd=False),
        open(1, "w", encoding="utf-8", closefd=False),
        open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False),
    )


def _feed(fd: int, data: bytes, timeout: float) -> None:
    """Grandchild: write the mutant into a pipe, then exit (a reader that stops early ends it)."""
    signal.alarm(int(timeout) + 1)
    with contextlib.suppress(OSError):
        for start in range(0, len(data), 65536):
            os.write(fd, data[start : start + 65536])
    os._exit(0)


def cli_main() -> Callable[[], None]:
    """The console entry point of the checkout under test (``scrubber.cli.app`` since the CLI
    became a package; ``scrubber.cli`` before, which the fuzzer still runs for a "before" table)."""
    try:
        from scrubber.cli.app import main
    except ImportError:
        from scrubber.cli import main  # type: ignore[attr-defined,no-redef]
    return main


def real_cli(path: Path, options: tuple[str, ...], timeout: float) -> Run:
    """The same run in a fresh ``python -m scrubber`` process (for --verify)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRUBBER_DEBUG"}
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "scrubber", "check", "--format", "json", *options, str(path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run((0, ""), -9, b"", b"", time.monotonic() - started, True)
    return Run((0, ""), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


_LOAD_ONCE_EVENTS = ("icd10cm.loaded",)  # logged by the first load in a process: the warm-up's


def comparable_stderr(stderr: bytes) -> list[object]:
    """stderr lines without what differs between runs (timestamps, timings) or load-once events."""
    lines: list[object] = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            lines.append(line)
            continue
        if isinstance(event, dict):
            if event.get("event") in _LOAD_ONCE_EVENTS:
                continue
            event.pop("timestamp", None)
            event.pop("seconds", None)
        lines.append(event)
    return lines
