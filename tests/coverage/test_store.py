"""The read-only store: one per process, its own SQLite connection in a forked worker."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from scrubber.refdata.coverage import CoverageDataError, CoverageStore, open_store
from tests.coverage.conftest import DAY


def _lookup_in_child(store: CoverageStore, queue: multiprocessing.Queue) -> None:
    # a date and a code the parent never asked about, so the child must query SQLite itself
    views = store.articles_for("93882", dt.date(2026, 5, 5))
    listed = store.listings(50002, 2, "I6521")
    queue.put(([v.article.display_id for v in views], listed, store._connection is not None, store._pid))


def test_a_forked_worker_opens_its_own_connection(store_path: Path) -> None:
    store = open_store(store_path)
    parent_connection = store._db()
    assert store.articles_for("71250", DAY)  # the parent has used its connection

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_lookup_in_child, args=(store, queue))
    child.start()
    views, listed, connected, child_pid = queue.get(timeout=60)
    child.join(timeout=60)

    assert child.exitcode == 0
    assert views == ["A50002"] and listed == ((True, 1, False),)
    assert connected and child_pid == child.pid and child_pid != store._pid
    assert store._db() is parent_connection  # the parent's connection is untouched


def test_lookups_are_cached_per_procedure_and_date(store_path: Path) -> None:
    store = CoverageStore(store_path)
    first = store.articles_for("71250", DAY)
    assert store.articles_for("71250", DAY) is first
    assert store.articles_for.cache_info().hits == 1


def test_a_store_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "coverage.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CoverageDataError, match="not a coverage article store"):
        CoverageStore(bogus)
    with pytest.raises(CoverageDataError, match="scrubber policies import"):
        CoverageStore(tmp_path / "missing.sqlite3")
