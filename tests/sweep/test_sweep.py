"""The sweep end to end on local folders: where files go, reports, ledger, duplicates, ISA13 reuse,
permissions, outputs, logs, locking, exit codes, and bad input that must never stop a sweep."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from scrubber.synthetic import ClaimSpec, render_837
from scrubber.workflows.sweep import SweepLocked, SweepSetupError, register_output, run_sweep
from scrubber.workflows.sweep.lock import sweep_lock
from scrubber.workflows.sweep.reports import _REGISTERED, ReportSet
from scrubber.workflows.sweep.summary import EXIT_FILE_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_STOPPED, EXIT_USAGE
from tests.broken_files import BROKEN

from .helpers import final_state, ledger_rows, log_events, settings, sha, sweep_cli, where_is, x12


def _clean(isa13: int = 1, claim_id: str = "CLEAN1") -> bytes:
    return render_837([ClaimSpec(claim_id=claim_id)], first_isa13=isa13).encode()


def _rejected(isa13: int = 2) -> bytes:
    return render_837([ClaimSpec(claim_id="BAD1", total="1.00")], first_isa13=isa13).encode()


def _drop(inbox: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (inbox / name).write_bytes(data)


def test_files_are_sorted_with_reports_and_a_ledger_row_each(folders, log_stream):
    inbox, outbox = folders
    truncated = x12(7)[:900]
    files = {
        "clean.837": _clean(),
        "bad.837": _rejected(),
        "copy-of-clean.837": _clean(),
        "empty.837": b"",
        "junk.bin": os.urandom(300).replace(b"I", b"x"),
        "truncated.837": truncated,
    }
    _drop(inbox, files)
    summary = run_sweep(settings(inbox, outbox))
    assert (summary.accepted, summary.rejected, summary.failed, summary.duplicates) == (1, 2, 2, 1)
    assert summary.exit_code == EXIT_FILE_FAILED
    assert where_is(outbox, inbox) == {
        "clean.837": ["accepted"],
        "bad.837": ["rejected"],
        "truncated.837": ["rejected"],
        "copy-of-clean.837": ["duplicates"],
        "empty.837": ["failed"],
        "junk.bin": ["failed"],
    }
    reports = outbox / "reports"
    for name in ("clean.837", "bad.837", "truncated.837", "empty.837", "junk.bin"):
        assert (reports / f"{name}.json").exists() and (reports / f"{name}.txt").exists()
    assert json.loads((reports / "bad.837.json").read_text())["status"] == "rejected"
    assert json.loads((reports / "junk.bin.json").read_text())["status"] == "unreadable"
    note = (reports / "copy-of-clean.837.notes.txt").read_text()
    assert "same content" in note and "clean.837" in note and sha(files["clean.837"]) in note
    assert not (reports / "copy-of-clean.837.json").exists()
    rows = {row["original_name"]: row for row in ledger_rows(outbox)}
    assert {name: row["outcome"] for name, row in rows.items()} == {
        "clean.837": "accepted",
        "bad.837": "rejected",
        "truncated.837": "rejected",
        "copy-of-clean.837": "duplicate",
        "empty.837": "failed",
        "junk.bin": "failed",
    }
    assert all(row["state"] == "done" and row["sha256"] == sha(files[name]) for name, row in rows.items())
    assert rows["copy-of-clean.837"]["duplicate_of"] == rows["clean.837"]["id"]
    assert json.loads(rows["clean.837"]["reports"]) == ["reports/clean.837.json", "reports/clean.837.txt"]
    assert rows["truncated.837"]["size"] == len(truncated)
    assert list((outbox / "processing").iterdir()) == []


def test_a_second_run_does_nothing_and_a_redrop_is_a_duplicate(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})
    run_sweep(settings(inbox, outbox))
    before = final_state(outbox)
    again = run_sweep(settings(inbox, outbox))
    assert (again.seen, again.processed) == (0, 0)
    assert final_state(outbox) == before
    _drop(inbox, {"a.837": _clean()})  # the same name and content, uploaded again
    summary = run_sweep(settings(inbox, outbox))
    assert summary.duplicates == 1
    assert where_is(outbox, inbox) == {"a.837": ["accepted"], "a~2.837": ["duplicates"]}
    assert [row["base_name"] for row in ledger_rows(outbox)] == ["a.837", "a~2.837"]
    assert "a.837" in (outbox / "reports" / "a~2.837.notes.txt").read_text()


def test_same_name_new_content_keeps_both_files(folders):
    inbox, outbox = folders
    _drop(inbox, {"daily.837": _clean(isa13=1)})
    run_sweep(settings(inbox, outbox))
    _drop(inbox, {"daily.837": _clean(isa13=2, claim_id="OTHER")})
    run_sweep(settings(inbox, outbox))
    assert where_is(outbox, inbox) == {"daily.837": ["accepted"], "daily~2.837": ["accepted"]}
    assert json.loads((outbox / "reports" / "daily~2.837.json").read_text())["file"] == "daily.837"


@pytest.mark.parametrize(("days_later", "flagged"), [(10, True), (40, False)])
def test_reused_isa13_from_the_same_sender_is_flagged_within_the_window(folders, log_stream, days_later, flagged):
    inbox, outbox = folders
    now = [1_800_000_000.0]
    config = settings(inbox, outbox, isa13_window_days=30)
    _drop(inbox, {"first.837": _clean(isa13=42)})
    run_sweep(config, clock=lambda: now[0])
    now[0] += days_later * 86400
    _drop(inbox, {"second.837": _clean(isa13=42, claim_id="OTHER")})
    run_sweep(config, clock=lambda: now[0])
    row = ledger_rows(outbox)[-1]
    assert (json.loads(row["flags"]) == ["isa13-reused"]) is flagged
    notes = outbox / "reports" / "second.837.notes.txt"
    assert notes.exists() is flagged
    if flagged:
        assert "ISA13 000000042 from sender SUBMITTER01" in notes.read_text()
        warning = next(e for e in log_events(log_stream) if e["event"] == "sweep.isa13_reused")
        assert (warning["isa13"], warning["earlier_file"]) == ("000000042", "first.837")
    assert row["outcome"] == "accepted"  # flagged, not rejected


def test_reports_are_owner_only_by_default_and_configurable(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})
    run_sweep(settings(inbox, outbox))
    for path in (outbox / "reports").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in ("accepted", "rejected", "failed", "duplicates", "reports", "processing"):
        assert stat.S_IMODE((outbox / folder).stat().st_mode) == 0o700
    assert stat.S_IMODE((outbox / "sweep-ledger.sqlite3").stat().st_mode) == 0o600
    _drop(inbox, {"b.837": _clean(isa13=9, claim_id="B")})
    run_sweep(settings(inbox, outbox, file_mode=0o640))
    assert stat.S_IMODE((outbox / "reports" / "b.837.json").stat().st_mode) == 0o640


def test_outputs_are_configurable_and_extensible(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})
    run_sweep(settings(inbox, outbox, outputs=("json",)))
    assert sorted(p.name for p in (outbox / "reports").iterdir()) == ["a.837.json"]
    with pytest.raises(SweepSetupError, match=r"unknown output 'nope'; available: .*json.*text"):
        run_sweep(settings(inbox, outbox, outputs=("json", "nope")))

    class CountingWriter:
        """A stand-in for a format another module provides (a 999, say)."""

        def __init__(self, out):
            self.out, self.claims = out, 0

        def begin(self, file_count): ...
        def start_file(self, name): ...
        def file_finding(self, finding): ...
        def unreadable(self, name, reason):
            self.out.write(f"unreadable {name}\n")

        def claim(self, claim):
            self.claims += 1

        def finish_file(self, end):
            self.out.write(f"{end.report.file} {self.claims} claims\n")

        def close(self): ...

    register_output("counts", CountingWriter, ".counts")
    try:
        _drop(inbox, {"b.837": x12(3, claims=4)})
        run_sweep(settings(inbox, outbox, outputs=("text", "counts")))
        assert (outbox / "reports" / "b.837.counts").read_text() == "b.837 4 claims\n"
        assert (outbox / "reports" / "b.837.txt").exists()
    finally:
        _REGISTERED.pop("counts")


def test_one_event_per_file_and_a_run_summary_without_phi(folders, log_stream):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean(), "b.837": _rejected(), "c.837.part": b"ISA", "junk": b"hello junk" * 20})
    run_sweep(settings(inbox, outbox))
    events = log_events(log_stream)
    per_file = [e for e in events if e["event"] == "sweep.file"]
    assert sorted((e["file"], e["outcome"]) for e in per_file) == [
        ("a.837", "accepted"),
        ("b.837", "rejected"),
        ("c.837.part", "waiting"),
        ("junk", "failed"),
    ]
    run = [e for e in events if e["event"] == "sweep.run"]
    assert len(run) == 1
    assert {k: run[0][k] for k in ("seen", "processed", "waiting", "duplicates", "failed", "exit_code")} == {
        "seen": 4,
        "processed": 3,
        "waiting": 1,
        "duplicates": 0,
        "failed": 1,
        "exit_code": EXIT_FILE_FAILED,
    }
    assert isinstance(run[0]["seconds"], float)
    text = log_stream.getvalue()
    for phi in ("PUBLIC", "JOHN", "MBR", "19700501", "1 MAIN ST", "hello junk"):
        assert phi not in text


def test_bad_input_never_stops_a_sweep_even_a_checker_crash(folders, monkeypatch):
    inbox, outbox = folders
    from scrubber.pipeline import Pipeline

    original = Pipeline.judge

    def judge(self, claim, structure=None):
        if claim.claim_id == "BOOM":
            raise RuntimeError("a rule tripped over odd input")
        return original(self, claim, structure)

    monkeypatch.setattr(Pipeline, "judge", judge)
    _drop(inbox, {"boom.837": _clean(claim_id="BOOM"), "fine.837": _clean(isa13=5)})
    summary = run_sweep(settings(inbox, outbox))
    assert (summary.failed, summary.accepted) == (1, 1)
    assert "internal error" in (outbox / "reports" / "boom.837.notes.txt").read_text()
    assert json.loads((outbox / "reports" / "boom.837.json").read_text())["status"] == "unreadable"


def test_an_outbox_error_stops_the_run_and_the_next_run_resumes(folders, monkeypatch):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(ReportSet, "check", disk_full)
        summary = run_sweep(settings(inbox, outbox))
    assert summary.exit_code == EXIT_STOPPED and "No space left" in summary.stopped
    assert where_is(outbox, inbox) == {"a.837": ["processing"]}
    summary = run_sweep(settings(inbox, outbox))
    assert (summary.recovered, summary.accepted, summary.exit_code) == (1, 1, EXIT_OK)
    assert where_is(outbox, inbox) == {"a.837": ["accepted"]}


def test_a_file_that_changes_after_its_claim_goes_back_to_the_inbox(folders):
    inbox, outbox = folders
    _drop(inbox, {"slow.837": _clean()})

    def uploader_still_writing(step: str) -> None:
        if step == "claim.moved":
            with (outbox / "processing" / "slow.837").open("ab") as late:
                late.write(b"more bytes")

    summary = run_sweep(settings(inbox, outbox), checkpoint=uploader_still_writing)
    assert (summary.processed, summary.waiting) == (0, 1)
    assert where_is(outbox, inbox) == {"slow.837": ["inbox"]}
    assert ledger_rows(outbox) == []
    assert run_sweep(settings(inbox, outbox)).processed == 1
    assert ledger_rows(outbox)[0]["size"] == len(_clean()) + len(b"more bytes")  # judged whole


def test_done_marker_is_required_and_removed_after_the_claim(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean(), "b.837": _clean(isa13=3, claim_id="B"), "b.837.done": b""})
    summary = run_sweep(settings(inbox, outbox, done_marker=True))
    assert (summary.accepted, summary.waiting) == (1, 1)
    assert sorted(p.name for p in inbox.iterdir()) == ["a.837"]
    assert where_is(outbox, inbox)["b.837"] == ["accepted"]


def test_an_orphan_in_processing_is_finished(folders):
    inbox, outbox = folders
    run_sweep(settings(inbox, outbox))
    (outbox / "processing" / "stray.837").write_bytes(_clean())
    summary = run_sweep(settings(inbox, outbox))
    assert (summary.recovered, summary.accepted) == (1, 1)
    assert where_is(outbox, inbox) == {"stray.837": ["accepted"]}


def test_inbox_on_another_file_system_is_copied_then_removed(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system (/dev/shm) to put the inbox on")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as other:
        inbox = Path(other)
        data = _clean()
        (inbox / "a.837").write_bytes(data)
        (inbox / "a.837").chmod(0o640)
        summary = run_sweep(settings(inbox, tmp_path / "outbox"))
        assert summary.accepted == 1
        assert list(inbox.iterdir()) == []
        moved = tmp_path / "outbox" / "accepted" / "a.837"
        assert moved.read_bytes() == data
        assert stat.S_IMODE(moved.stat().st_mode) == 0o640


def test_a_held_lock_makes_the_run_exit_at_once(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})
    outbox.mkdir()
    with sweep_lock(outbox / ".sweep.lock"):
        with pytest.raises(SweepLocked, match=f"held by pid {os.getpid()}"):
            run_sweep(settings(inbox, outbox))
        result = sweep_cli(inbox, outbox, "--settle", "0")
    assert result.returncode == EXIT_LOCKED
    assert "another sweep is running" in result.stderr and "Traceback" not in result.stderr
    assert where_is(outbox, inbox) == {"a.837": ["inbox"]}


def _assert_usage_error(result) -> None:
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.count("\n") <= 12 and "Traceback" not in result.stderr


def test_cli_exit_codes(folders):
    inbox, outbox = folders
    _drop(inbox, {"a.837": _clean()})
    ok = sweep_cli(inbox, outbox, "--settle", "0")
    assert ok.returncode == EXIT_OK, ok.stderr
    _drop(inbox, {"junk.837": b"\x00\x01\x02 not x12 at all"})
    failed = sweep_cli(inbox, outbox, "--settle", "0")
    assert failed.returncode == EXIT_FILE_FAILED
    usage = sweep_cli(inbox, outbox, "--outputs", "json,nope")
    _assert_usage_error(usage)
    assert "unknown output 'nope'" in usage.stderr


@pytest.mark.slow  # a CLI run each; test_cli_exit_codes has one usage error in the quick tier
def test_cli_usage_errors_exit_2(folders):
    inbox, outbox = folders
    for result in (
        sweep_cli(inbox.parent / "nope", outbox),
        sweep_cli(inbox, outbox, "--file-mode", "rw"),
        sweep_cli(inbox, outbox, "--settle", "-1"),
        sweep_cli(inbox, inbox),
    ):
        _assert_usage_error(result)


def test_structure_check_and_acknowledgments_like_check(folders, tmp_path):
    """A swept file is judged as `scrubber check` judges it, and gets the same 999/277CA/split files."""
    inbox, outbox = folders
    broken = _clean().replace(b"DMG*D8*19700501*F", b"DMG*D8*1970*F")  # a date the TR3 check refuses
    _drop(inbox, {"a.837": _clean(), "b.837": broken})
    config = settings(inbox, outbox, structure="native", outputs=("json", "999", "277ca", "split"))
    summary = run_sweep(config)
    assert summary.processed == 2
    reports = outbox / "reports"
    for base in ("a.837", "b.837"):
        for suffix in (".json", ".999", ".277", ".accepted.837", ".rejected.837"):
            assert (reports / f"{base}{suffix}").exists(), base + suffix
    assert (reports / "a.837.999").read_text().startswith("ISA")
    swept = json.loads((reports / "b.837.json").read_text())
    checked = json.loads(sweep_check_json(inbox.parent, outbox / "rejected" / "b.837"))
    assert swept["status"] == checked["status"] == "rejected"
    assert [f["rule"] for f in swept["file_findings"]] == [f["rule"] for f in checked["file_findings"]]
    assert [c["findings"] for c in swept["claims"]] == [c["findings"] for c in checked["claims"]]
    row = ledger_rows(outbox)[0]
    assert "reports/a.837.999" in json.loads(row["reports"])
    with pytest.raises(SweepSetupError, match="999"):
        run_sweep(settings(inbox, outbox, structure="off", outputs=("json", "999")))


def sweep_check_json(cwd: Path, path: Path) -> str:
    import subprocess
    import sys

    command = [sys.executable, "-m", "scrubber", "check", "--format", "json", "--as-of", "2026-11-01"]
    return subprocess.run([*command, str(path)], capture_output=True, text=True, cwd=cwd).stdout


@pytest.mark.parametrize("structure", ["off", "native"])
def test_every_kind_of_broken_file_is_sorted_with_a_report(folders, log_stream, structure):
    """Empty, binary, truncated, wrong delimiters, byte order mark, a huge segment: each lands in
    failed (unreadable) or rejected with its report, and the run goes on to the next."""
    inbox, outbox = folders
    _drop(inbox, {f"{name}.837": broken.data for name, broken in BROKEN.items()})
    summary = run_sweep(settings(inbox, outbox, structure=structure))
    assert summary.processed == len(BROKEN) and summary.exit_code == EXIT_FILE_FAILED
    expected = {f"{name}.837": ["rejected" if b.readable else "failed"] for name, b in BROKEN.items()}
    assert where_is(outbox, inbox) == expected
    for name, broken in BROKEN.items():
        report = json.loads((outbox / "reports" / f"{name}.837.json").read_text())
        assert report["status"] == ("rejected" if broken.readable else "unreadable"), name
        assert tuple(c["claim_id"] for c in report["claims"]) == broken.claims, name
    assert "Traceback" not in log_stream.getvalue() and "internal" not in log_stream.getvalue()
