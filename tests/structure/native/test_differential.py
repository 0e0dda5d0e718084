"""Native and pyx12 on the same mutants: the same issues, or a difference of a documented class."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.differential import compare, run
from bench.mutants import KINDS, mutant, mutants


def _summary(outcomes):
    verdicts = Counter(outcome.verdict for _mutant, outcome in outcomes)
    different = [(m.number, m.kind, m.detail) for m, o in outcomes if o.verdict == "different" or o.ack == "different"]
    return verdicts, different


def test_mutator_is_deterministic_by_seed_and_covers_every_kind():
    first = [(m.kind, m.source, m.detail, m.data) for m in mutants(40, seed=9)]
    assert first == [(m.kind, m.source, m.detail, m.data) for m in mutants(40, seed=9)]
    assert first != [(m.kind, m.source, m.detail, m.data) for m in mutants(40, seed=10)]
    assert {kind for kind, *_ in first} == set(KINDS)
    assert mutant(9, 17).data == first[17][3]  # any mutant can be rebuilt alone


def test_quick_differential(tmp_path):
    outcomes = [(m, compare(m.data, m.kind, str(tmp_path))) for m in mutants(260, seed=2026)]
    verdicts, different = _summary(outcomes)
    assert different == []
    assert verdicts["identical"] >= 0.97 * len(outcomes)


@pytest.mark.slow
def test_differential_on_5000_mutants():
    outcomes = list(run(5000, seed=1, jobs=2))
    verdicts, different = _summary(outcomes)
    assert different == []
    assert verdicts["identical"] >= 0.99 * len(outcomes)
    assert set(verdicts) <= {"identical", "explained:composite-extra-component", "explained:ge01-not-a-number",
                             "explained:trailer-without-envelope", "explained:rd8-two-dashes"}
