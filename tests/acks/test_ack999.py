"""The 999 from the structure check: one AK2/IK5 per transaction, rejecting only the broken one."""

from __future__ import annotations

import io

from scrubber.structure.pyx12_adapter import reference_check, validate
from tests.structure.broken import broken_text, line_of


def test_999_rejects_only_the_transaction_with_the_broken_segment(tmp_path):
    path = tmp_path / "claims.837"
    path.write_text(broken_text())
    result = validate(path)
    out = io.StringIO()
    result.write_999(out)
    segments = [s.strip() for s in out.getvalue().split("~") if s.strip()]
    acks = {}
    current = None
    for segment in segments:
        elements = segment.split("*")
        if elements[0] == "AK2":
            current = elements[2]
        elif elements[0] == "IK5":
            acks[current] = elements[1]
    assert acks == {"0001": "A", "0002": "R", "0003": "A"}
    ik3 = next(s for s in segments if s.startswith("IK3"))
    st = line_of(broken_text(), "ST*837*0002")
    assert ik3.split("*")[1:3] == ["CLM", str(line_of(broken_text(), "CLM*PCNB") - st + 1)]
    assert next(s for s in segments if s.startswith("IK4")).split("*")[1:4] == ["2", "782", "6"]
    assert next(s for s in segments if s.startswith("AK9")).split("*")[1:5] == ["P", "3", "3", "2"]
    ack = tmp_path / "claims.999"
    ack.write_text(out.getvalue())
    assert reference_check(ack) == (True, [])
