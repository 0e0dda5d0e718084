"""The map compiler: pyx12's 837P map as node tables, and the on-disk cache that may be corrupt."""

from __future__ import annotations

import pickle

import pytest

from scrubber.structure.native import grammar as grammar_module
from scrubber.structure.native.grammar import LOOP, ROOT, SEGMENT, compile_grammar, load_grammar


@pytest.fixture(scope="module")
def compiled():
    return compile_grammar()


def _tree(g, root):
    found, stack = [], [root]
    while stack:
        node = g.nodes[stack.pop()]
        if node.kind != ROOT:
            found.append(node)
        stack.extend(reversed(node.children))
    return found


def test_the_837p_tree_has_the_maps_loops_and_segments(compiled):
    nodes = _tree(compiled, compiled.transaction_root)
    assert sum(n.kind == LOOP for n in nodes) == 71
    assert sum(n.kind == SEGMENT for n in nodes) == 386
    claim_loops = sorted(n.path for n in nodes if n.xid == "2300")
    assert claim_loops == [
        "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2000C/2300",
        "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300",
    ]


def test_paths_and_scan_order_are_pyx12s(compiled):
    import pyx12.map_if  # the oracle: pyx12's own reading of the same map
    import pyx12.params

    theirs = pyx12.map_if.load_map_file("837.5010.X222.A1.xml", pyx12.params.params())
    expected = [(n.get_path(), n.pos) for n in theirs.loop_segment_iterator() if not n.is_map_root()]
    assert [(n.path, n.pos) for n in _tree(compiled, compiled.transaction_root)] == expected


def test_segments_sharing_a_position_are_told_apart_by_their_qualifier(compiled):
    dtp = compiled.node_by_path("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/2400/DTP[472]")
    assert dtp.match is not None and dtp.match[:2] == (1, 0) and "472" in dtp.match[2]
    hi = compiled.node_by_path("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/HI[ABK]")
    assert hi.match is not None and hi.match[:2] == (1, 1) and {"ABK", "BK"} <= hi.match[2]
    assert hi.usage == "R" and hi.loop_id == "2300"


def test_element_limits_come_from_dataele_and_code_lists_from_codes(compiled):
    n4 = compiled.node_by_path("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2010BA/N4")
    state, country = n4.elements[1], n4.elements[3]
    assert (state.refdes, state.data_type, state.min_len, state.max_len) == ("N402", "ID", 2, 2)
    assert state.external is not None and "PA" in state.external  # codes.xml "states"
    assert country.external is not None and "CA" in country.external  # codes.xml "country"
    clm05 = compiled.node_by_path("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/CLM").elements[4]
    assert [part.refdes for part in clm05.parts][:3] == ["CLM05-01", "CLM05-02", "CLM05-03"]
    assert ("E", (2, 7)) in n4.syntax and ("C", (6, 5)) in n4.syntax


def test_a_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(grammar_module, "_loaded", None)
    path = tmp_path / "scrubber" / f"native-grammar-{grammar_module.source_hash()}.pickle"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05 not a pickle")
    rebuilt = load_grammar()
    assert len(rebuilt.nodes) == len(compile_grammar().nodes)
    with open(path, "rb") as handle:
        assert pickle.load(handle).source_hash == rebuilt.source_hash  # rewritten, readable


def test_the_cache_is_used_when_it_matches(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(grammar_module, "_loaded", None)
    first = load_grammar()
    monkeypatch.setattr(grammar_module, "_loaded", None)
    monkeypatch.setattr(grammar_module, "compile_grammar", lambda: pytest.fail("the cache was not read"))
    assert load_grammar().source_hash == first.source_hash
