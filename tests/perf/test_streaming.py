"""The reader holds a bounded amount of text, and a resumed reader numbers segments like a full one."""

from __future__ import annotations

import io

from scrubber.synthetic import random_claims, render_837
from scrubber.workflows.parallel.planner import plan
from scrubber.x12.reader import MAX_SEGMENT_LENGTH, SegmentReader


class _CountingStream(io.BytesIO):
    """Records the largest single read, so the test sees what the reader asks for."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def _file(claims: int, **options: object) -> bytes:
    return render_837(list(random_claims(claims, seed=8)), **options).encode("latin-1")  # type: ignore[arg-type]


def test_reader_buffer_stays_near_one_chunk_whatever_the_file_size() -> None:
    chunk = 16 << 10
    for claims in (200, 2000):
        stream = _CountingStream(_file(claims))
        reader = SegmentReader(stream, chunk_size=chunk)
        count = sum(1 for _ in reader)
        assert count > claims * 10
        assert stream.largest <= chunk
        assert reader.max_buffered < 2 * chunk


def test_an_over_long_segment_is_not_buffered_whole() -> None:
    chunk = 64 << 10
    data = _file(50).replace(b"N3*1 MAIN ST", b"N3*" + b"X" * (3 * MAX_SEGMENT_LENGTH), 1)
    reader = SegmentReader(io.BytesIO(data), chunk_size=chunk)
    sum(1 for _ in reader)
    assert reader.max_buffered <= MAX_SEGMENT_LENGTH + 2 * chunk


def test_a_reader_resumed_at_a_boundary_numbers_segments_as_a_full_read() -> None:
    data = _file(600, claims_per_transaction=150, line_break="\n")
    full = {s.offset: s for s in SegmentReader(io.BytesIO(data))}
    layout = plan(io.BytesIO(data), 2, piece_size=16 << 10)
    assert layout.boundaries
    for boundary in layout.boundaries:
        start = boundary.at.start
        cursor = start.cursor(boundary.at.st_index)
        resumed = SegmentReader(io.BytesIO(data[start.offset :]), resume=(boundary.delimiters, cursor))
        for segment, _ in zip(resumed, range(40), strict=False):
            assert segment == full[segment.offset]
