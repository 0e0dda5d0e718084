"""Coverage-guided fuzzing of the reader, walker and rules with atheris (optional).

    pip install atheris          # not a dependency of scrubber; wheels for CPython 3.8-3.11 on Linux
    python -m bench.fuzz_atheris -atheris_runs=200000 [-max_len=4096] [CORPUS_DIR ...]

The seeds are the TR3 examples and the demo file, copied into ``bench/out/fuzz/atheris-corpus``
(libFuzzer adds the inputs that reach new code to the first corpus folder), unless folders are
given. Each input goes through the same in-process path as ``scrubber check --structure off``:
:class:`SegmentReader` into :class:`Walker`, every claim judged by the default rules and every
parse issue outside a claim made a file finding. The properties: nothing but :class:`NotX12Error`
escapes (and only before the first segment); every segment's text is found in the input at its
offset and line; every finding is located inside the file. A failure stops the run with the input
saved as ``crash-*`` by libFuzzer. The structure engines are left out: pyx12 is slow and its
failures are pyx12's; the native engine has its own differential harness (bench.differential).
"""

from __future__ import annotations

import io
import sys

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports(include=["scrubber"]):
    from scrubber.model import Claim
    from scrubber.transaction.walker import Walker
    from scrubber.workflows.api import Scrubber
    from scrubber.x12.reader import NotX12Error, SegmentReader
    from scrubber.x12.segment import Segment

from bench.fuzz import OUT, corpus

ENGINE = Scrubber(structure="off").engine


def check_segment(text: str, segment: Segment) -> None:
    assert text[segment.offset : segment.offset + len(segment.text)] == segment.text, segment.index
    assert text.count("\n", 0, segment.offset) + 1 == segment.line, segment.index


def test_one_input(data: bytes) -> None:
    text = data.decode("latin-1")
    walker = Walker()
    seen: list[Segment] = []

    def segments():
        for segment in SegmentReader(io.BytesIO(data), walker.on_issue):
            seen.append(segment)
            yield segment

    try:
        for item in walker.walk(segments()):
            findings = ENGINE.judge(item) if isinstance(item, Claim) else ENGINE.file_findings([item])
            for finding in findings:
                assert finding.location is None or 0 <= finding.location.offset <= len(data)
    except NotX12Error:
        assert not seen, "NotX12Error after segments were handed on"
        return
    for segment in seen:
        check_segment(text, segment)


def main() -> None:
    argv = list(sys.argv)
    if not any(not arg.startswith("-") for arg in argv[1:]):  # no corpus folder given: a fresh one, seeded
        folder = OUT / "atheris-corpus"
        folder.mkdir(parents=True, exist_ok=True)
        for path in corpus():
            (folder / path.name).write_bytes(path.read_bytes())
        argv.append(str(folder))
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
