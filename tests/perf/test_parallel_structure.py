"""`--jobs 2` with the TR3 structure check: the report equals a one-process run, byte for byte.

Files are cut into small pieces here (a few kilobytes) so that a file of a hundred claims has
several; each broken file carries one structure problem after the first piece, including control
numbers that repeat one from an earlier piece. The native check validates each piece where the
walker resumes; pyx12 reads whole files, so with it a file is one task and files run in parallel.
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
from scrubber.workflows.check import CheckOptions, run_check
from scrubber.workflows.parallel.planner import plan
from tests.conftest import TR3_FILES

pytestmark = pytest.mark.slow  # many --jobs runs with the TR3 check

AS_OF = dt.date(2026, 11, 1)
PIECE = 8 << 10  # bytes per piece in these tests
ENGINES = ["native", "pyx12"]


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PIECE_SIZE", PIECE)
    monkeypatch.setattr(parallel, "MIN_PIECE_SIZE", PIECE)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("latin-1"))
    return path


def _run(tmp_path: Path, files: list[Path], jobs: int, structure: str) -> tuple[int, str]:
    out = tmp_path / f"report-{jobs}-{structure}.json"
    options = CheckOptions(
        files=[str(f) for f in files], format="json", output=out, as_of=AS_OF, jobs=jobs, structure=structure
    )
    return run_check(options), out.read_text()


def _same_report(tmp_path: Path, files: list[Path], structure: str) -> list[dict]:
    """Check ``files`` with --jobs 2 and in one process: the reports must be identical, byte for byte."""
    code2, parallel_report = _run(tmp_path, files, 2, structure)
    code1, single_report = _run(tmp_path, files, 1, structure)
    assert parallel_report == single_report
    assert code2 == code1
    documents = json.loads(single_report)
    return documents if isinstance(documents, list) else [documents]


def _findings(document: dict, prefix: str = "X12") -> list[dict]:
    found = [f for f in document.get("file_findings", []) if f["rule"].startswith(prefix)]
    for claim in document.get("claims", []):
        found += [f for f in claim["findings"] if f["rule"].startswith(prefix)]
    return found


def _pieces(path: Path) -> list[int]:
    """Start offsets of the pieces --jobs 2 cuts ``path`` into."""
    with path.open("rb") as stream:
        layout = plan(stream, 2, piece_size=PIECE)
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


@pytest.mark.parametrize("structure", ENGINES)
def test_jobs_2_report_equals_the_one_process_report(
    tmp_path: Path, broken_files: dict[str, Path], structure: str
) -> None:
    names = ["clean", *BROKEN]
    documents = _same_report(tmp_path, [broken_files[name] for name in names], structure)
    by_name = dict(zip(names, documents, strict=True))
    assert not _findings(by_name["clean"], "X12")
    for name, (_, rule) in BROKEN.items():
        assert _findings(by_name[name], rule), f"{name}: no {rule} finding"


@pytest.mark.parametrize("structure", ENGINES)
def test_files_in_parallel_with_unreadable_and_huge_ones(
    tmp_path: Path, broken_files: dict[str, Path], structure: str
) -> None:
    huge = _write(tmp_path / "huge.837", render_837(list(random_claims(60, seed=8)), claims_per_transaction=60))
    junk = _write(tmp_path / "junk.837", "NOT X12 AT ALL")
    files = [broken_files["bad-element"], junk, huge, broken_files["repeated-st02"], huge]
    documents = _same_report(tmp_path, files, structure)
    assert [d["status"] for d in documents][1] == "unreadable"


@pytest.mark.parametrize("structure", ENGINES)
def test_the_tr3_examples(tmp_path: Path, structure: str) -> None:
    documents = _same_report(tmp_path, list(TR3_FILES), structure)
    assert len(documents) == 16
    assert any(_findings(d) for d in documents)  # some examples have structure findings


def test_an_error_in_the_billing_provider_block_reaches_claims_in_every_piece(tmp_path: Path) -> None:
    """A transaction too large for one piece is cut before subscribers (HL*22): every claim under
    the billing provider shares its HL*20 block, so an error there rejects the claims of later
    pieces too, as in one process."""
    text = render_837(list(random_claims(150, seed=4)), claims_per_transaction=150)
    text = text.replace("NM1*85*2*BILLING CLINIC*****XX*", "NM1*85*2*BILLING CLINIC*****ZZ*", 1)
    path = _write(tmp_path / "one-big-transaction.837", text)
    with path.open("rb") as stream:
        assert {b.kind for b in plan(stream, 2, piece_size=PIECE).boundaries} == {"hl"}
    with capture_logs() as logs:
        (document,) = _same_report(tmp_path, [path], "native")
    assert all(any(f["rule"] == "X12014" for f in claim["findings"]) for claim in document["claims"])
    assert any(e.get("reason") == "HL context" for e in logs if e["event"] == "piece.rechecked")


@pytest.mark.parametrize("name", ["repeated-st02", "repeated-isa13", "repeated-gs06", "ge-count"])
def test_facts_across_pieces_are_settled_by_the_parent(
    tmp_path: Path, broken_files: dict[str, Path], name: str
) -> None:
    """A control number repeated from an earlier piece, a count over several pieces: the worker
    cannot know; the parent settles it and checks that piece again with the exact facts."""
    with capture_logs() as logs:
        (document,) = _same_report(tmp_path, [broken_files[name]], "native")
    assert _findings(document, BROKEN[name][1])
    if name != "ge-count":  # the walker reports a wrong GE01 itself (ENV001); X12 adds nothing there
        assert any(e.get("reason") == "envelope facts" for e in logs if e["event"] == "piece.rechecked")
