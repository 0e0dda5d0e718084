"""The on-disk cache of compiled fast tests: used when it matches, rebuilt when it cannot be read,
and a test loaded from it answers as a freshly generated one."""

from __future__ import annotations

import marshal

import pytest

from scrubber.structure.native import fastcache
from scrubber.structure.native.elements import ElementChecker
from scrubber.structure.native.fastcache import cache_path, compiled_tests
from scrubber.structure.native.fastpath import build, load
from scrubber.structure.native.grammar import SEGMENT, load_grammar
from tests.conftest import TR3_FILES
from tests.structure.native.helpers import segments_of

GRAMMAR = load_grammar()


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_every_segment_node_is_compiled_and_written(cache_home):
    table = compiled_tests(GRAMMAR)
    assert set(table) == {node.index for node in GRAMMAR.nodes if node.kind == SEGMENT}
    assert cache_path(GRAMMAR).is_relative_to(cache_home)
    assert set(marshal.loads(cache_path(GRAMMAR).read_bytes())) == set(table)


def test_the_cache_is_read_when_it_is_there(cache_home, monkeypatch):
    first = compiled_tests(GRAMMAR)
    monkeypatch.setattr(fastcache, "compiled", lambda node: pytest.fail("compiled again"))
    assert compiled_tests(GRAMMAR).keys() == first.keys()


@pytest.mark.parametrize(
    "body", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({1: ("not code", {})})],
    ids=["empty", "garbage", "a list", "no code"],
)
def test_a_broken_cache_is_rebuilt(cache_home, body):
    path = cache_path(GRAMMAR)
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    table = compiled_tests(GRAMMAR)
    assert len(table) == sum(node.kind == SEGMENT for node in GRAMMAR.nodes)
    assert marshal.loads(path.read_bytes()).keys() == table.keys()  # rewritten, readable


def test_an_unwritable_cache_compiles_nothing_ahead(cache_home):
    """Not fatal, and no process pays for compiling every node when none can keep them."""
    cache_home.joinpath("scrubber").write_text("a file where the directory should be")
    assert compiled_tests(GRAMMAR) == {}
    checker = ElementChecker(compiled_tests(GRAMMAR))
    node = next(node for node in GRAMMAR.nodes if node.kind == SEGMENT and node.xid == "CLM")
    assert checker.fast_for(node)(["CLM", "A1", "100", "", "", "11:B:1", "Y", "A", "Y", "Y"], ":")


def test_a_cached_test_answers_as_a_fresh_one(cache_home):
    table = compiled_tests(GRAMMAR)
    table = marshal.loads(marshal.dumps(table))  # as another process reads it
    nodes_by_id: dict[str, list] = {}
    for node in GRAMMAR.nodes:
        if node.kind == SEGMENT:
            nodes_by_id.setdefault(node.xid, []).append(node)
    tried = 0
    for path in TR3_FILES[:4]:
        for segment in segments_of(path.read_bytes()):
            for node in nodes_by_id.get(segment.id, ()):
                args = (segment.elements, segment.delimiters.component)
                assert load(*table[node.index])(*args) == build(node)(*args), (node.path, segment.text)
                tried += 1
    assert tried > 100
