"""Pickup: which inbox files are ready. The clock is passed in, so no test waits."""

from __future__ import annotations

import os
from pathlib import Path

from scrubber.workflows.sweep.pickup import ends_with_iea, probe_shape, scan_inbox

from .helpers import settings, x12


def _write(path: Path, data: bytes, age: float = 1000.0) -> Path:
    """Write ``data`` as if the last change was ``age`` seconds before the clock used below."""
    path.write_bytes(data)
    return path


def _now(path: Path, quiet_for: float) -> float:
    info = os.stat(path)
    return max(info.st_mtime, info.st_ctime) + quiet_for


def test_complete_file_is_ready_only_after_the_settle_time(folders):
    inbox, outbox = folders
    path = _write(inbox / "a.837", x12(1))
    config = settings(inbox, outbox, settle_seconds=30, stale_seconds=600)
    assert scan_inbox(inbox, config, _now(path, 10)).waiting == {"a.837": "changed within the settle time"}
    ready = scan_inbox(inbox, config, _now(path, 31)).ready
    assert [c.name for c in ready] == ["a.837"]
    assert ready[0].size == len(x12(1))


def test_preserved_old_mtime_does_not_fool_the_settle_check(folders):
    """`put -p` sets mtime back to the source's; ctime still says the file just changed."""
    inbox, outbox = folders
    path = _write(inbox / "a.837", x12(1))
    os.utime(path, (1_000_000, 1_000_000))
    config = settings(inbox, outbox, settle_seconds=30, stale_seconds=600)
    assert "a.837" in scan_inbox(inbox, config, os.stat(path).st_ctime + 5).waiting


def test_file_without_iea_waits_until_stale_then_is_reported(folders):
    inbox, outbox = folders
    path = _write(inbox / "half.837", x12(2)[:700])
    config = settings(inbox, outbox, settle_seconds=30, stale_seconds=600)
    assert scan_inbox(inbox, config, _now(path, 60)).waiting == {"half.837": "no IEA segment at the end yet"}
    assert [c.name for c in scan_inbox(inbox, config, _now(path, 601)).ready] == ["half.837"]


def test_empty_file_waits_until_stale(folders):
    inbox, outbox = folders
    path = _write(inbox / "empty.837", b"")
    config = settings(inbox, outbox, settle_seconds=30, stale_seconds=600)
    assert scan_inbox(inbox, config, _now(path, 60)).waiting == {"empty.837": "empty file"}
    assert [c.name for c in scan_inbox(inbox, config, _now(path, 601)).ready] == ["empty.837"]


def test_junk_is_ready_after_the_settle_time(folders):
    """Binary junk will never become X12: no point waiting for an IEA."""
    inbox, outbox = folders
    path = _write(inbox / "junk.bin", os.urandom(64).replace(b"I", b"x"))
    config = settings(inbox, outbox, settle_seconds=30, stale_seconds=600)
    assert [c.name for c in scan_inbox(inbox, config, _now(path, 31)).ready] == ["junk.bin"]


def test_temporary_names_wait_and_dot_files_markers_dirs_symlinks_are_ignored(folders):
    inbox, outbox = folders
    for name in ("a.837.part", "b.837.tmp", "c.837.filepart", "D.PART"):
        _write(inbox / name, x12(3))
    _write(inbox / ".hidden.837", x12(3))
    _write(inbox / "e.837.done", b"")
    (inbox / "sub").mkdir()
    (inbox / "link.837").symlink_to(inbox / ".hidden.837")
    pickup = scan_inbox(inbox, settings(inbox, outbox), 10**10)
    assert pickup.ready == []
    assert sorted(pickup.waiting) == ["D.PART", "a.837.part", "b.837.tmp", "c.837.filepart"]
    assert pickup.seen == 4


def test_done_marker_convention(folders):
    inbox, outbox = folders
    path = _write(inbox / "a.837", x12(4))
    config = settings(inbox, outbox, done_marker=True, settle_seconds=30, stale_seconds=600)
    assert scan_inbox(inbox, config, _now(path, 10_000)).waiting == {"a.837": "no done marker yet"}
    (inbox / "a.837.done").touch()
    assert [c.name for c in scan_inbox(inbox, config, _now(path, 0)).ready] == ["a.837"]


def test_ready_files_come_oldest_first(folders):
    inbox, outbox = folders
    for number, name in enumerate(("c.837", "a.837", "b.837")):
        path = _write(inbox / name, x12(number))
        os.utime(path, ns=(10**18 + number, 10**18 + number))
    assert [c.name for c in scan_inbox(inbox, settings(inbox, outbox), 10**10).ready] == ["c.837", "a.837", "b.837"]


def test_probe_shapes(tmp_path):
    cases = {
        "complete": x12(5),
        "multi": x12(5, interchanges=3),
        "crlf": x12(5).replace(b"~\n", b"~\r\n") + b"\r\n\r\n",
        "open": x12(5)[:-12],
        "inner_iea": x12(5, interchanges=2)[: x12(5, interchanges=2).index(b"IEA*") + 16],
        "isa_only": b"IS",
        "empty": b"",
        "blank": b"  \r\n",
        "junk": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "bom": b"\xef\xbb\xbf" + x12(5),
    }
    paths = {}
    for name, data in cases.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    shapes = {name: probe_shape(path, path.stat().st_size) for name, path in paths.items()}
    assert shapes == {
        "complete": "complete",
        "multi": "complete",
        "crlf": "complete",
        "open": "open",
        "inner_iea": "complete",  # an IEA inside a file being uploaded: only the settle time protects here
        "isa_only": "open",
        "empty": "empty",
        "blank": "empty",
        "junk": "junk",
        "bom": "complete",
    }


def test_ends_with_iea_with_newline_terminator():
    assert ends_with_iea("GE*1*1\nIEA*1*000000001\n", "\n", "*")
    assert not ends_with_iea("GE*1*1\nIEA*1*0000", "\n", "*")
    assert not ends_with_iea("IEA*1*000000001~GE*1*1~", "~", "*")
