"""A file checked in pieces gives the issues of the file checked whole (``scrubber check --jobs``)."""

from __future__ import annotations

import pickle
import re

import pytest

from bench.mutants import mutant, render, sources
from scrubber.structure.native.pieces import check_in_pieces, cut_points, merge_pieces
from scrubber.structure.native.validator import NativeValidator
from scrubber.synthetic import random_claims, render_837
from tests.conftest import TR3_FILES
from tests.structure.native.helpers import full, segments_of


def _whole_and_pieces(data: bytes, every: int = 1, rechecked: list[int] | None = None):
    segments = segments_of(data)
    cuts = cut_points(segments, every=every)
    whole = sorted(full(i) for i in NativeValidator().check(segments))
    pieces = sorted(full(i) for i in check_in_pieces(segments, cuts, rechecked))
    merged = sorted(full(i) for i in check_in_pieces(segments, cuts, exact=False))
    assert merged == pieces  # the merge's deferred checks say what an exact pass says
    return whole, pieces, cuts


def _synthetic(claims: int = 12, per_transaction: int = 3, per_interchange: int = 2, seed: int = 5) -> str:
    return render_837(list(random_claims(claims, seed=seed, faulty_share=0.0)), claims_per_transaction=per_transaction,
                      transactions_per_interchange=per_interchange)


@pytest.mark.parametrize("path", TR3_FILES, ids=[p.stem for p in TR3_FILES])
def test_tr3_examples_cut_everywhere_the_planner_may_cut(path):
    rechecked: list[int] = []
    whole, pieces, _cuts = _whole_and_pieces(path.read_bytes(), rechecked=rechecked)
    assert pieces == whole
    assert rechecked == []  # every guessed start state was the previous piece's end state


def test_clean_files_need_no_recheck_and_cut_both_kinds():
    rechecked: list[int] = []
    whole, pieces, cuts = _whole_and_pieces(_synthetic(claims=30, per_transaction=10).encode(), rechecked=rechecked)
    assert {kind for _, kind in cuts} == {"st", "hl"}
    assert pieces == whole == [] and rechecked == []


@pytest.mark.parametrize("number", range(0, 390, 3))
def test_mutants_whole_and_in_pieces(number):
    whole, pieces, _cuts = _whole_and_pieces(mutant(21, number).data)
    assert pieces == whole


def _cut_between(text: str, first: str, second: str) -> tuple[list, list[tuple[int, str]]]:
    """Segments of ``text`` and a single cut before the first segment starting with ``second``
    after one starting with ``first``."""
    segments = segments_of(text.encode())
    start = next(i for i, s in enumerate(segments) if s.text.startswith(first))
    at = next(i for i, s in enumerate(segments) if i > start and s.text.startswith(second))
    kind = "st" if second.startswith("ST") else "hl"
    return segments, [(at, kind)]


def _issues(segments, cuts):
    merged = sorted(full(i) for i in check_in_pieces(segments, cuts, exact=False))
    exact = sorted(full(i) for i in check_in_pieces(segments, cuts))
    assert merged == exact
    return exact, sorted(full(i) for i in NativeValidator().check(segments))


def test_a_control_number_repeated_in_a_later_piece_is_found_by_the_merge():
    text = _synthetic(claims=3, per_transaction=1, per_interchange=5)
    text = text.replace("ST*837*0003", "ST*837*0001").replace("SE*", "SE*", 1)
    text = re.sub(r"(SE\*\d+\*)0003", r"\g<1>0001", text)
    segments, cuts = _cut_between(text, "ST*837*0002", "ST*837*0001")
    pieces, whole = _issues(segments, cuts)
    assert pieces == whole
    assert [(level, code) for level, code, *_ in whole] == [("st", "23")]


def test_group_and_interchange_counts_spanning_pieces_are_settled_by_the_merge():
    text = _synthetic(claims=3, per_transaction=1, per_interchange=5).replace("GE*3*", "GE*2*")
    segments, cuts = _cut_between(text, "ST*837*0001", "ST*837*0002")
    pieces, whole = _issues(segments, cuts)
    assert pieces == whole and [(level, code) for level, code, *_ in whole] == [("gs", "5")]


def test_a_transaction_cut_at_a_subscriber_keeps_its_se_count_hl_parents_and_line_numbers():
    text = _synthetic(claims=4, per_transaction=4)
    text = text.replace("SE*", "SE*1", 1)  # SE01 wrong: the count runs over the cut
    text = text.replace("HL*4*1*22", "HL*4*3*22", 1)  # parent 3, a patient open in the previous piece
    text = text.replace("HL*6*1*22", "HL*6*2*22", 1)  # parent 2, closed since HL*5 went back to 1
    segments = segments_of(text.encode())
    cuts = [c for c in cut_points(segments) if c[1] == "hl"]
    assert len(cuts) >= 3
    pieces, whole = _issues(segments, cuts)
    assert pieces == whole
    assert sorted(code for _level, code, *_ in whole) == ["4", "HL2"]


def test_an_lx_before_any_claim_at_a_piece_start_counts_on_from_the_previous_piece():
    text = _synthetic(claims=4, per_transaction=2)
    segments = segments_of(text.encode())
    second_st = [i for i, s in enumerate(segments) if s.id == "ST"][1]
    lines = [s.text for s in segments]
    lines.insert(second_st + 2, "LX*1")  # pyx12 keeps counting LX from the last claim of the previous transaction
    segments = segments_of("".join(line + "~" for line in lines).encode())
    cuts = [(second_st, "st")]
    pieces, whole = _issues(segments, cuts)
    assert pieces == whole and any(code == "LX" for _level, code, *_ in whole)


def test_a_snapshot_pickles_and_restores_to_the_same_continuation():
    segments = segments_of(mutant(21, 4).data)
    half = len(segments) // 2
    first = NativeValidator()
    for segment in segments[:half]:
        first.feed(segment)
    state = pickle.loads(pickle.dumps(first.snapshot()))
    second = NativeValidator()
    second.restore(state)
    rest = [full(i) for s in segments[half:] for i in second.feed(s)] + [full(i) for i in second.finish()]
    again = [full(i) for s in segments[half:] for i in first.feed(s)] + [full(i) for i in first.finish()]
    assert rest == again


def test_a_piece_that_does_not_start_as_its_cut_promised_is_not_trusted():
    segments = segments_of(_synthetic(claims=4, per_transaction=2).encode())
    at = [i for i, s in enumerate(segments) if s.id == "ST"][1]
    validator = NativeValidator()
    validator.prime(segments[:2], kind="hl", hl_count=0)
    validator.feed(segments[at])  # an ST where an HL*22 was promised
    assert validator.summary().start_ok is False


def test_state_keys_differ_where_the_next_segment_would_see_a_difference():
    source = next(s for s in sources() if s.name.startswith("synthetic-8"))
    segments = segments_of(render(source, [list(x) for x in source.segments]))
    at = [i for i, s in enumerate(segments) if s.id == "ST"][1]
    after_se = NativeValidator()
    for segment in segments[:at]:
        after_se.feed(segment)
    inside = NativeValidator()
    for segment in segments[: at - 1]:  # SE not yet read: the ST would find it missing
        inside.feed(segment)
    assert after_se.state_key("st") != inside.state_key("st")
    primed = NativeValidator()
    primed.prime([segments[0], segments[1]], kind="st")
    assert primed.state_key("st") == after_se.state_key("st")


def test_priming_says_nothing_and_keys_are_hashable():
    text = _synthetic(claims=4, per_transaction=2)
    segments = segments_of(text.replace("GS*HC*SUBMITTER01", "GS*HC*", 1).encode())  # GS02 missing
    at = [i for i, s in enumerate(segments) if s.id == "ST"][1]
    validator = NativeValidator()
    validator.prime(segments[:2], kind="st")
    found = [i for s in segments[at:] for i in validator.feed(s)] + validator.finish()
    assert all(i.segment.index > segments[1].index for i in found)
    assert hash(validator.state_key("st")) == hash(validator.state_key("st"))
    assert NativeValidator().check(segments)[0].segment.id == "GS"  # the whole file does report it


def test_the_merge_names_the_pieces_its_issues_fall_in():
    text = _synthetic(claims=3, per_transaction=1, per_interchange=5).replace("GE*3*", "GE*2*")
    segments, cuts = _cut_between(text, "ST*837*0001", "ST*837*0002")
    bounds = [(0, "file"), *cuts]
    summaries = []
    for number, (start, kind) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else len(segments)
        validator = NativeValidator()
        if kind != "file":
            validator.prime(segments[:2], kind=kind)
        for segment in segments[start:end]:
            validator.feed(segment)
        validator.finish(bounds[number + 1][1] if number + 1 < len(bounds) else None)
        summaries.append(validator.summary())
    merge = merge_pieces(summaries)
    assert [(i.level, i.code, i.segment.id) for i in merge.issues] == [("gs", "5", "GE")]
    assert merge.affected == [1]
    assert (merge.starts[1].gs_count, merge.starts[1].st_count) == (1, 1)
