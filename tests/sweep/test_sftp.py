"""The sweep behind a real OpenSSH SFTP server, as billing operations run it: uploads arrive while
cron sweeps run.

Uploads come through paramiko: some in slow chunks, some under a temporary name renamed at the
end, some with content already sent, some bad. Sweeps run as `scrubber sweep` subprocesses, two
at a time, over and over until everything has landed. Every uploaded file must end up exactly
once in accepted/, rejected/, failed/ or duplicates/, with its reports, and must have been
picked up whole: the ledger's hash is that of the complete upload and its claim came after the
upload finished.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import FINAL_FOLDERS, ledger_rows, sha, sweep_argv, sweep_cli, where_is, x12

pytestmark = pytest.mark.slow  # a real sshd and hundreds of uploads

SETTLE = "1.5"  # seconds; the slow uploads below pause at most 0.15 s between chunks
STALE = "5"
DEADLINE = 120.0  # seconds for uploads plus sweeps; a bound against hanging, not a timing assertion


@dataclass
class Upload:
    name: str
    data: bytes
    kind: str
    finished_at: float = 0.0


def _plan(rng: random.Random) -> list[Upload]:
    plan = [Upload(f"plain-{n:02d}.837", x12(n), "plain") for n in range(10)]
    plan += [Upload(f"slow-{n}.837", x12(100 + n, claims=4, interchanges=3), "slow") for n in range(4)]
    plan += [Upload(f"renamed-{n}.837", x12(200 + n), "renamed") for n in range(6)]
    plan += [Upload(f"again-{n}.837", plan[n].data, "duplicate") for n in (1, 4, 7)]
    plan += [
        Upload("empty.837", b"", "bad"),
        Upload("junk.bin", bytes(rng.randrange(256) for _ in range(3000)).replace(b"I", b"i"), "bad"),
        Upload("truncated.837", x12(300)[:1500], "bad"),
    ]
    return plan


def _upload(server, folder: str, upload: Upload, rng: random.Random) -> None:
    sftp = server.connect()
    try:
        if upload.kind == "slow":
            with sftp.open(f"{folder}/{upload.name}", "wb") as remote:
                for start in range(0, len(upload.data), 400):
                    remote.write(upload.data[start : start + 400])
                    remote.flush()
                    time.sleep(rng.uniform(0.02, 0.15))
        elif upload.kind == "renamed":
            temporary = f"{folder}/{upload.name}.part"
            with sftp.open(temporary, "wb") as remote:
                for start in range(0, len(upload.data), 700):
                    remote.write(upload.data[start : start + 700])
                    remote.flush()
                    time.sleep(0.05)
            sftp.posix_rename(temporary, f"{folder}/{upload.name}")
        else:
            with sftp.open(f"{folder}/{upload.name}", "wb") as remote:
                remote.write(upload.data)
        upload.finished_at = time.time()
    finally:
        sftp.close()
        sftp._scrubber_client.close()


def _put_all(server, folder: str, contents: dict[str, bytes]) -> None:
    """Upload every file straight to its final name over one SFTP session."""
    sftp = server.connect()
    try:
        for name, data in contents.items():
            with sftp.open(f"{folder}/{name}", "wb") as remote:
                remote.write(data)
    finally:
        sftp.close()
        sftp._scrubber_client.close()


def _uploader(server, folder: str, uploads: list[Upload], seed: int, errors: list[BaseException]) -> None:
    rng = random.Random(seed)
    try:
        for upload in uploads:
            _upload(server, folder, upload, rng)
            time.sleep(rng.uniform(0, 0.2))
    except BaseException as error:  # surfaced by the test thread
        errors.append(error)


def _sweeper(inbox: Path, outbox: Path, stop: threading.Event, codes: list[int]) -> None:
    while not stop.is_set():
        result = sweep_cli(inbox, outbox, "--settle", SETTLE, "--stale-after", STALE)
        codes.append(result.returncode)
        assert "Traceback" not in result.stderr, result.stderr
        time.sleep(0.1)


def _epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


def test_sftp_uploads_land_exactly_once_whole_and_with_reports(sftp_server, tmp_path):
    folder = "drop-mixed"
    inbox, outbox = sftp_server.drop / folder, tmp_path / "outbox"
    inbox.mkdir()
    rng = random.Random(6)
    plan = _plan(rng)
    originals = [u for u in plan if u.kind != "duplicate"]
    duplicates = [u for u in plan if u.kind == "duplicate"]
    slow = [u for u in originals if u.kind == "slow"]
    rest = [u for u in originals if u.kind != "slow"]
    errors: list[BaseException] = []
    uploaders = [
        threading.Thread(target=_uploader, args=(sftp_server, folder, slow[:2], 1, errors)),
        threading.Thread(target=_uploader, args=(sftp_server, folder, slow[2:], 2, errors)),
        threading.Thread(target=_uploader, args=(sftp_server, folder, rest, 3, errors)),
    ]
    stop = threading.Event()
    codes: list[int] = []
    sweepers = [threading.Thread(target=_sweeper, args=(inbox, outbox, stop, codes)) for _ in range(2)]
    for thread in uploaders + sweepers:
        thread.start()
    for thread in uploaders:
        thread.join(DEADLINE)
    assert not errors, errors
    # Content already sent, sent again under new names once the first copies have landed.
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and len(where_is(outbox, inbox)) < len(originals):
        time.sleep(0.2)
    while time.monotonic() < deadline and any(p.suffix == ".837" for p in inbox.iterdir()):
        time.sleep(0.2)
    _uploader(sftp_server, folder, duplicates, 4, errors)
    assert not errors, errors
    while time.monotonic() < deadline and any(not p.name.startswith(".") for p in inbox.iterdir()):
        time.sleep(0.2)
    stop.set()
    for thread in sweepers:
        thread.join(DEADLINE)
    assert set(codes) <= {0, 1, 75}, codes  # 75: the other sweeper held the lock

    expected_folder = {u.name: "duplicates" if u.kind == "duplicate" else None for u in plan}
    expected_folder.update({"empty.837": "failed", "junk.bin": "failed", "truncated.837": "rejected"})
    places = where_is(outbox, inbox)
    assert set(places) == {u.name for u in plan}
    for upload in plan:
        found = places[upload.name]
        assert len(found) == 1 and found[0] in FINAL_FOLDERS, (upload.name, found)
        if expected_folder[upload.name]:
            assert found == [expected_folder[upload.name]], upload.name
        landed = outbox / found[0] / upload.name
        assert landed.read_bytes() == upload.data

    rows = {row["original_name"]: row for row in ledger_rows(outbox)}
    assert set(rows) == {u.name for u in plan}
    reports = outbox / "reports"
    for upload in plan:
        row = rows[upload.name]
        assert row["state"] == "done"
        assert row["sha256"] == sha(upload.data) and row["size"] == len(upload.data)  # picked up whole
        assert _epoch(row["claimed_at"]) >= upload.finished_at - 0.01  # ... and only after the upload ended
        if upload.kind == "duplicate":
            assert "same content" in (reports / f"{upload.name}.notes.txt").read_text()
        else:
            assert (reports / f"{upload.name}.json").exists() and (reports / f"{upload.name}.txt").exists()
    assert list((outbox / "processing").iterdir()) == []


def test_done_marker_over_sftp(sftp_server, tmp_path):
    folder = "drop-marker"
    inbox, outbox = sftp_server.drop / folder, tmp_path / "outbox"
    inbox.mkdir()
    upload = Upload("marked.837", x12(700), "plain")
    _upload(sftp_server, folder, upload, random.Random(0))
    first = sweep_cli(inbox, outbox, "--settle", "0", "--done-marker")
    assert first.returncode == 0 and where_is(outbox, inbox) == {"marked.837": ["inbox"]}
    _upload(sftp_server, folder, Upload("marked.837.done", b"", "plain"), random.Random(0))
    second = sweep_cli(inbox, outbox, "--settle", "0", "--done-marker")
    assert second.returncode == 0
    assert where_is(outbox, inbox) == {"marked.837": [ledger_rows(outbox)[0]["outcome"]]}
    assert list(inbox.iterdir()) == []


def test_two_sweeps_started_together(sftp_server, tmp_path):
    folder = "drop-together"
    inbox, outbox = sftp_server.drop / folder, tmp_path / "outbox"
    inbox.mkdir()
    contents = {f"batch-{n:03d}.837": x12(1000 + n) for n in range(200)}
    _put_all(sftp_server, folder, contents)
    command = [*sweep_argv(inbox, outbox), "--settle", "0", "--no-structure"]
    logs = [tmp_path / f"sweep-{n}.log" for n in range(2)]
    handles = [log.open("w") for log in logs]
    runs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=handle) for handle in handles]
    codes_of = [run.wait(timeout=300) for run in runs]
    for handle in handles:
        handle.close()
    results = [(code, log.read_text()) for code, log in zip(codes_of, logs, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes[1] == 75, results  # one ran, the other found the lock taken and left at once
    assert codes[0] in (0, 1)
    loser = next(err for code, err in results if code == 75)
    assert "another sweep is running" in loser and loser.count("\n") == 1, loser
    places = where_is(outbox, inbox)
    assert set(places) == set(contents) and all(len(p) == 1 and p[0] in FINAL_FOLDERS for p in places.values())
    assert len(ledger_rows(outbox)) == len(contents)


@pytest.mark.slow
def test_a_thousand_files_over_sftp(sftp_server, tmp_path):
    folder = "drop-thousand"
    inbox, outbox = sftp_server.drop / folder, tmp_path / "outbox"
    inbox.mkdir()
    contents = {f"f{n:04d}.837": x12(5000 + n, claims=2) for n in range(1000)}
    _put_all(sftp_server, folder, contents)
    started = time.perf_counter()
    result = sweep_cli(inbox, outbox, "--settle", "0", "--no-structure", timeout=600)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    places = where_is(outbox, inbox)
    assert len(places) == 1000 and all(p in (["accepted"], ["rejected"]) for p in places.values())
    rows = ledger_rows(outbox)
    assert len(rows) == 1000 and {r["state"] for r in rows} == {"done"}
    assert len(list((outbox / "reports").iterdir())) == 2000
    print(f"1,000 files over SFTP swept in {seconds:.1f} s (one run, including start-up)")
