"""`--jobs N` with the TR3 structure check on: the report of one process, with pyx12 in the workers.

Files are cut into small pieces here (a few kilobytes) so that a file of a hundred claims has
several, with transactions, groups and interchanges running across the cuts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from scrubber.synthetic import random_claims, render_837
from scrubber.workflows import parallel
from scrubber.workflows.pieces import plan
from scrubber.workflows.run import CheckOptions, run_check
from tests.conftest import TR3_FILES

AS_OF = dt.date(2026, 11, 1)
PIECE = 8 << 10  # bytes per piece in these tests


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PIECE_SIZE", PIECE)
    monkeypatch.setattr(parallel, "MIN_PIECE_SIZE", PIECE)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("latin-1"))
    return path


def _run(tmp_path: Path, files: list[Path], jobs: int) -> tuple[int, str, list[dict]]:
    out = tmp_path / f"report-{jobs}.json"
    with capture_logs() as logs:
        code = run_check(CheckOptions(files=[str(f) for f in files], format="json", output=out, as_of=AS_OF, jobs=jobs))
    return code, out.read_text(), logs


def _same_report(tmp_path: Path, files: list[Path]) -> tuple[list[dict], list[dict]]:
    """Check ``files`` with --jobs 2 and in one process: the reports must be identical, byte for
    byte. Returns the parsed reports and the parent's log events of the parallel run."""
    code2, parallel_report, logs = _run(tmp_path, files, 2)
    code1, single_report, _ = _run(tmp_path, files, 1)
    assert parallel_report == single_report
    assert code2 == code1
    documents = json.loads(single_report)
    return (documents if isinstance(documents, list) else [documents]), logs


def _whole_file_fallbacks(logs: list[dict], path: Path) -> list[dict]:
    return [event for event in logs if event["event"] == "structure.whole_file" and event["file"] == str(path)]


def _findings(document: dict, prefix: str = "X12") -> list[dict]:
    found = [f for f in document.get("file_findings", []) if f["rule"].startswith(prefix)]
    for claim in document.get("claims", []):
        found += [f for f in claim["findings"] if f["rule"].startswith(prefix)]
    return found


def _pieces(path: Path) -> list[int]:
    """Start offsets of the pieces --jobs 2 cuts ``path`` into (structure check on)."""
    with path.open("rb") as stream:
        layout = plan(stream, 2, piece_size=PIECE, structure=True)
    return [start for start, _ in layout.ranges()]


def _piece_of(offset: int, starts: list[int]) -> int:
    return max(number for number, start in enumerate(starts) if start <= offset)


def _base_text(claims: int = 120, seed: int = 11) -> str:
    """Interchanges of 8 transactions of 6 claims each (about 2.5 kB a transaction)."""
    specs = list(random_claims(claims, seed=seed, faulty_share=0.3))
    return render_837(specs, claims_per_transaction=6, transactions_per_interchange=8)


def _nth(text: str, pattern: str, n: int) -> re.Match[str]:
    return list(re.finditer(pattern, text))[n]


def _replace(text: str, match: re.Match[str], new: str) -> str:
    return text[: match.start()] + new + text[match.end() :]


# -- inputs with one structure problem each, placed after the first piece -------------------------


def _bad_element(text: str) -> str:
    match = _nth(text, r"CLM\*(PCN\d+)\*[0-9.]+\*", 70)
    return _replace(text, match, f"CLM*{match[1]}*1O0.00*")


def _missing_required_segment(text: str) -> str:
    return _replace(text, _nth(text, r"SBR\*[^~]*~\n", 60), "")


def _wrong_se_count(text: str) -> str:
    return _replace(text, _nth(text, r"SE\*\d+\*", 10), "SE*7*")


def _wrong_ge_count(text: str) -> str:
    return _replace(text, _nth(text, r"GE\*\d+\*", 1), "GE*5*")


def _repeated_st02(text: str) -> str:
    """The last ST of the first group takes the control number of its first (in another piece)."""
    match = _nth(text, r"ST\*837\*0008\*([^~]*~\n(?:.*\n)*?SE\*\d+\*)0008~", 0)
    return _replace(text, match, f"ST*837*0001*{match[1]}0001~")


def _repeated_isa13(text: str) -> str:
    return text.replace("*000000003*0*T*", "*000000001*0*T*").replace("IEA*1*000000003~", "IEA*1*000000001~")


def _repeated_gs06(text: str) -> str:
    """All groups in one interchange; the third takes the GS06 of the first (two groups back)."""
    text = re.sub(r"IEA\*1\*\d+~\nISA\*[^~]*~\n", "", text)
    text = re.sub(r"(GS(?:\*[^*~]*){5})\*3\*", r"\1*1*", text)
    return text.replace("GE*4*3~\nIEA*1*000000003~", "GE*4*1~\nIEA*3*000000001~")


def _hl_numbering(text: str) -> str:
    return _replace(text, _nth(text, r"HL\*3\*", 12), "HL*4*")


BROKEN = {
    "bad-element": (_bad_element, "X12013"),
    "missing-segment": (_missing_required_segment, "X12"),
    "se-count": (_wrong_se_count, "ENV001"),
    "ge-count": (_wrong_ge_count, "ENV001"),
    "repeated-st02": (_repeated_st02, "X12003"),
    "repeated-isa13": (_repeated_isa13, "X12001"),
    "repeated-gs06": (_repeated_gs06, "X12002"),
    "hl-numbering": (_hl_numbering, "X12"),
}


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("broken")
    base = _base_text()
    files = {"clean": _write(directory / "clean.837", base)}
    for name, (spoil, _) in BROKEN.items():
        text = spoil(base)
        assert text != base, name
        files[name] = _write(directory / f"{name}.837", text)
    return files


# -- the plan ----------------------------------------------------------------------------------------


def test_with_the_structure_check_a_file_is_cut_only_between_transactions(tmp_path: Path) -> None:
    huge = _write(tmp_path / "huge.837", render_837(list(random_claims(150, seed=4)), claims_per_transaction=150))
    many = _write(tmp_path / "many.837", _base_text())
    with huge.open("rb") as stream:
        assert {b.kind for b in plan(stream, 2, piece_size=PIECE).boundaries} == {"hl"}
    with huge.open("rb") as stream:
        assert plan(stream, 2, piece_size=PIECE, structure=True).boundaries == []
    with many.open("rb") as stream:
        layout = plan(stream, 2, piece_size=PIECE, structure=True)
    assert len(layout.boundaries) >= 5 and {b.kind for b in layout.boundaries} == {"st"}
    assert len(layout.envelopes) == len(layout.boundaries) + 1
    assert any(b.context[0].start.offset > 0 for b in layout.boundaries)  # pieces in later interchanges


def test_the_injected_problems_sit_after_the_first_piece(broken_files: dict[str, Path]) -> None:
    """Guards the tests below: each broken file is cut, and what is broken is not in piece 0;
    a repeated control number repeats one from an earlier piece."""
    base = broken_files["clean"].read_text("latin-1")
    for name in BROKEN:
        path = broken_files[name]
        starts = _pieces(path)
        text = path.read_text("latin-1")
        first_difference = next(i for i, (a, b) in enumerate(zip(text, base, strict=False)) if a != b)
        assert len(starts) >= 5, name
        assert _piece_of(first_difference, starts) >= 1, name
    repeats = (
        ("repeated-st02", r"ST\*837\*0001\*"),
        ("repeated-isa13", r"\*000000001\*0\*T\*"),
        ("repeated-gs06", r"GS(?:\*[^*~]*){5}\*1\*"),
    )
    for name, pattern in repeats:
        path = broken_files[name]
        first, second = [m.start() for m in re.finditer(pattern, path.read_text("latin-1"))][:2]
        assert _piece_of(first, _pieces(path)) < _piece_of(second, _pieces(path)), name


# -- pyx12 per piece against pyx12 on the whole file ----------------------------------------------------


def _piece_errors(path: Path) -> tuple[list[tuple], list[tuple], list]:
    """pyx12's errors piece by piece (as the workers find them), on the whole file, and the checks."""
    from scrubber.structure.pyx12_adapter import validate

    errors: list[tuple] = []
    checks = []
    tasks = [t for t in parallel._tasks([str(path)], 2, False, True) if not isinstance(t, str)]
    assert len(tasks) >= 5
    with path.open("rb") as handle:
        for task in tasks:
            result = parallel._validate(task, handle)
            checks.append(result.piece)
            errors += [_error_key(e) for e in result.errors]
    return errors, [_error_key(e) for e in validate(path).errors], checks


def _error_key(error) -> tuple:
    segment = error.segment
    where = (segment.index, segment.st_index, segment.line, segment.offset, segment.text) if segment else None
    return (where, error.level, error.code, error.message, error.element, error.component, error.loop)


@pytest.mark.parametrize("name", ["clean", *BROKEN])
def test_piece_passes_add_up_to_the_whole_file_pass(broken_files: dict[str, Path], name: str) -> None:
    pieces, whole, checks = _piece_errors(broken_files[name])
    assert pieces == whole
    assert all(check.ok for check in checks), [check.reason for check in checks]
    assert all(check.end_clean for check in checks[:-1])
    if name != "clean":
        assert whole, "the injected problem must be one pyx12 reports"


# -- reports ----------------------------------------------------------------------------------------------


def test_jobs_2_report_equals_the_one_process_report(tmp_path: Path, broken_files: dict[str, Path]) -> None:
    names = ["clean", *BROKEN]
    documents, logs = _same_report(tmp_path, [broken_files[name] for name in names])
    by_name = dict(zip(names, documents, strict=True))
    assert not _findings(by_name["clean"], "X12") and by_name["clean"]["status"] in ("accepted", "rejected")
    for name, (_, rule) in BROKEN.items():
        assert _findings(by_name[name], rule), f"{name}: no {rule} finding"
        assert not _whole_file_fallbacks(logs, broken_files[name]), f"{name}: the piece passes should stand"
    assert not [e for e in logs if e["event"] == "piece.rechecked"]


def test_a_located_structure_finding_in_a_later_piece(tmp_path: Path, broken_files: dict[str, Path]) -> None:
    path = broken_files["bad-element"]
    (document,), _ = _same_report(tmp_path, [path])
    (finding,) = _findings(document, "X12013")
    text = path.read_text("latin-1")
    clm = text.rindex("CLM*", 0, text.index("*1O0.00*"))
    st = text.rindex("ST*837*", 0, clm)
    location = finding["location"]
    segment = text[:clm].count("\n") + 1  # one segment per line
    assert (location["offset"], location["line"], location["segment"]) == (clm, segment, segment)
    assert location["st_segment"] == segment - (text[:st].count("\n") + 1) + 1
    assert (location["element"], location["loop"]) == ("CLM02", "2300")
    assert _piece_of(clm, _pieces(path)) >= 1


def test_several_interchanges_each_piece_in_its_own_envelope(tmp_path: Path) -> None:
    """Interchanges that differ (sender, version date, control numbers) and trailers that fall
    inside pieces: a piece validated in the wrong ISA/GS would report their control numbers."""
    text = _base_text(150, seed=21)
    isas = list(re.finditer(r"ISA\*([^~]*)~", text))
    for number, match in reversed(list(enumerate(isas))):
        text = _replace(text, match, match[0].replace("SUBMITTER01    ", f"SENDER{number:02d}       "))
    text = text.replace("GE*8*2~", "GE*8*9~", 1)  # a wrong GE02 in the second group
    path = _write(tmp_path / "interchanges.837", text)
    starts = _pieces(path)
    assert len({_piece_of(m.start(), starts) for m in re.finditer("IEA", text)}) >= 2
    (document,), logs = _same_report(tmp_path, [path])
    assert not _whole_file_fallbacks(logs, path)
    assert any(f["segment_text"].startswith("GE*8*9") for f in document["file_findings"])


def test_pieces_that_cannot_stand_alone_are_validated_with_the_whole_file(tmp_path: Path) -> None:
    """An LX before the first CLM of a piece (its count comes from the previous piece), a GS pyx12
    has no map for (pyx12 gives up: nothing after it), an empty segment (the plan guesses wrong),
    an ISA pyx12 cannot read: the parent validates the whole file, the report does not change."""
    base = _base_text(100, seed=5)
    path = _write(tmp_path / "base.837", base)
    starts = _pieces(path)
    st_at = next(m for m in re.finditer(r"ST\*837\*\d+\*[^~]*~\n", base) if m.start() - 1 in starts)
    lx = _write(tmp_path / "lx.837", base[: st_at.end()] + "LX*1~\n" + base[st_at.end() :])
    gs = _nth(base, r"GS\*HC\*[^~]*\*005010X222A1~", 1)
    no_map = _write(tmp_path / "no-map.837", _replace(base, gs, gs[0].replace("005010X222A1", "005010X999A1")))
    empty = _write(tmp_path / "empty.837", base.replace("~\nDTP", "~~\nDTP", 3))
    isa = _write(tmp_path / "isa.837", base.replace("*SUBMITTER01    *", "*SUBMITTER01     *", 1))
    files = [lx, no_map, empty, isa]
    documents, logs = _same_report(tmp_path, files)
    for path in files:
        assert _whole_file_fallbacks(logs, path), path.name
    assert any("stopped" in f["message"] for f in _findings(documents[1]))
    assert _findings(documents[3])


def test_files_in_parallel_with_unreadable_and_huge_ones(tmp_path: Path, broken_files: dict[str, Path]) -> None:
    huge = _write(tmp_path / "huge.837", render_837(list(random_claims(60, seed=8)), claims_per_transaction=60))
    junk = _write(tmp_path / "junk.837", "NOT X12 AT ALL")
    files = [broken_files["bad-element"], junk, huge, broken_files["repeated-st02"], huge]
    documents, _ = _same_report(tmp_path, files)
    assert [d["status"] for d in documents][1] == "unreadable"


# -- the TR3 examples ---------------------------------------------------------------------------------------


def test_the_tr3_examples(tmp_path: Path) -> None:
    documents, _ = _same_report(tmp_path, list(TR3_FILES))
    assert len(documents) == 16
    assert any(_findings(d) for d in documents)  # some examples have structure findings


def _repeated_transaction(text: str, copies: int) -> str:
    """The example with its transaction set ``copies`` times in its group (ST02 0001, 0002 ...)."""
    term, element = text[105], text[3]
    segments = text.split(term)
    ids = [segment.lstrip("\r\n").split(element, 1)[0] for segment in segments]
    st, se, ge = ids.index("ST"), ids.index("SE"), ids.index("GE")
    sets = []
    for number in range(1, copies + 1):
        head, tail = segments[st].split(element), segments[se].split(element)
        head[2] = tail[2] = f"{number:04d}"
        sets += [element.join(head), *segments[st + 1 : se], element.join(tail)]
    trailer = segments[ge].split(element)
    trailer[1] = str(copies)
    return term.join([*segments[:st], *sets, element.join(trailer), *segments[ge + 1 :]])


def test_the_tr3_examples_cut_between_repeated_transactions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PIECE_SIZE", 1500)
    monkeypatch.setattr(parallel, "MIN_PIECE_SIZE", 1500)
    files = []
    for example in TR3_FILES:
        text = _repeated_transaction(example.read_text("latin-1"), 4)
        files.append(_write(tmp_path / example.name, text))
        with files[-1].open("rb") as stream:
            assert plan(stream, 2, piece_size=1500, structure=True).boundaries, example.name
    documents, logs = _same_report(tmp_path, files)
    assert len(documents) == 16
    assert not [e for e in logs if e["event"] in ("structure.whole_file", "piece.rechecked")]
