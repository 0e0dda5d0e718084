"""The ledger on its own: names, duplicates, ISA13 look-ups, states, schema guard."""

from __future__ import annotations

import sqlite3

import pytest

from scrubber.workflows.sweep.ledger import Ledger, Result, numbered


def test_numbered_names_keep_the_extension():
    assert numbered("claims.837", 2) == "claims~2.837"
    assert numbered("CLAIMS", 3) == "CLAIMS~3"
    assert numbered(".hidden", 2) == ".hidden~2"
    assert numbered("a.b.x12", 2) == "a.b~2.x12"


def test_claims_get_unique_base_names_and_forgotten_ones_free_theirs(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    first = ledger.begin_claim("a.837", 10, 1, 1000.0, taken=lambda base: False)
    second = ledger.begin_claim("a.837", 11, 2, 1001.0, taken=lambda base: False)
    third = ledger.begin_claim("a.837", 12, 3, 1002.0, taken=lambda base: base == "a~3.837")
    assert (first.base_name, second.base_name, third.base_name) == ("a.837", "a~2.837", "a~4.837")
    ledger.forget(second)
    assert ledger.begin_claim("a.837", 13, 4, 1003.0, taken=lambda base: False).base_name == "a~2.837"
    assert [e.state for e in ledger.unfinished()] == ["claimed"] * 3


def test_duplicates_match_processed_files_only_and_isa13_lookups_respect_the_window(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    original = ledger.begin_claim("a.837", 10, 1, 1000.0, taken=lambda base: False)
    ledger.record_result(original, Result("accepted", "abc", "accepted/a.837", [], interchanges=[("S1", "7")]), 1000.0)
    copy = ledger.begin_claim("b.837", 10, 2, 2000.0, taken=lambda base: False)
    assert ledger.processed_before("abc", copy).id == original.id
    ledger.record_result(copy, Result("duplicate", "abc", "duplicates/b.837", [], duplicate_of=original.id), 2000.0)
    third = ledger.begin_claim("c.837", 10, 3, 3000.0, taken=lambda base: False)
    assert ledger.processed_before("abc", third).id == original.id  # the original, never the duplicate
    assert ledger.processed_before("other", third) is None
    assert ledger.isa13_seen("S1", "7", since=500.0, entry=third).original_name == "a.837"
    assert ledger.isa13_seen("S1", "7", since=1500.0, entry=third) is None  # outside the window
    assert ledger.isa13_seen("S2", "7", since=0.0, entry=third) is None  # another sender
    ledger.mark_done([original, copy], 4000.0)
    assert [e.original_name for e in ledger.unfinished()] == ["c.837"]


def test_a_newer_ledger_schema_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        Ledger(path)
