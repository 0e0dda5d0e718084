"""The worker processes: checks leave the event loop for a process pool, which is rebuilt when a worker dies.

Checks are CPU-bound; run on the event loop they would stall every other request (health probes
included). Each pool process builds its pipeline once (:func:`worker.initialize`). The processes
are forked from a clean fork server (``forkserver``), not from the server itself, whose threads
make a plain fork unsafe, and which has imported the web stack the workers never need.

A worker that dies (killed, out of memory) breaks a :class:`ProcessPoolExecutor` for good: every
check in flight fails with ``BrokenProcessPool``. The pool is then replaced (once, whoever notices
first) and each of those checks is tried once more on the new one; a check that breaks the new
pool too is answered with a 503, so one poisonous input cannot loop the server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import structlog

from scrubber.workflows.service import worker
from scrubber.workflows.service.errors import ApiError

log = structlog.get_logger("scrubber.service.pool")

T = TypeVar("T")
PRELOAD = ["scrubber.workflows.service.worker"]


class WorkerPool:
    """A process pool with a pipeline per process, a bound on waiting checks, and recovery."""

    def __init__(
        self,
        workers: int,
        config: str | None,
        log_level: str,
        *,
        max_waiting: int = 256,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.workers = workers
        self._config = config
        self._log_level = log_level
        self._max_waiting = max_waiting
        self._on_restart = on_restart
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self.pending = 0
        self.restarts = 0

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def start(self) -> None:
        """Start the processes and wait until each has built its pipeline."""
        self._executor = self._new_executor()
        await self._warm(self._executor)

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=worker.initialize,
            initargs=(self._config, self._log_level, self._context.Barrier(self.workers)),
        )

    async def _warm(self, executor: ProcessPoolExecutor) -> None:
        self._ready.clear()
        loop = asyncio.get_running_loop()
        pids = await asyncio.gather(*(loop.run_in_executor(executor, worker.ping) for _ in range(self.workers)))
        self._ready.set()
        log.info("pool.ready", workers=self.workers, processes=len(set(pids)), generation=self._generation)

    async def run(self, function: Callable[..., T], *args: Any, bounded: bool = True) -> T:
        """Run ``function(*args)`` in a worker; 503 when too many wait (``bounded``) or the worker is lost twice.

        ``pending`` counts the checks in a worker and those waiting for one (jobs included); those
        beyond ``workers`` are waiting, and a bounded check is refused once ``max_waiting`` are.
        """
        if bounded and self.pending - self.workers >= self._max_waiting:
            raise ApiError(503, "busy", "too many checks are waiting; try again shortly", retry_after=5)
        self.pending += 1
        try:
            for attempt in (1, 2):
                generation = self._generation
                executor = self._executor
                if executor is None:
                    raise ApiError(503, "not_ready", "the check workers are not running")
                try:
                    return await asyncio.get_running_loop().run_in_executor(executor, function, *args)
                except BrokenProcessPool:
                    log.warning("pool.worker_lost", attempt=attempt, generation=generation)
                    await self._replace(generation)
            raise ApiError(503, "worker_lost", "the worker checking this request stopped twice", retry_after=1)
        finally:
            self.pending -= 1

    async def _replace(self, generation: int) -> None:
        """Swap in a new pool for the broken one (only the first caller for a generation does it)."""
        async with self._lock:
            if generation != self._generation:
                return  # someone else replaced it already
            old = self._executor
            self._generation += 1
            self.restarts += 1
            if self._on_restart is not None:
                self._on_restart()
            if old is not None:
                old.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()
            try:
                await self._warm(self._executor)
            except BrokenProcessPool:
                log.error("pool.restart_failed", generation=self._generation)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        self._ready.clear()
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(None, lambda: executor.shutdown(wait=True))
