"""The fuzz harness (bench.fuzz): reproducible mutants, a runner equivalent to the CLI, and a short
campaign that must find nothing. ``python -m bench.fuzz --runs 10000`` is the long campaign."""

from __future__ import annotations

import random

import pytest

from bench.fuzz import campaign, corpus, make_mutant, table
from bench.mutations import MUTATIONS, Outcome

SEED = 20261202


def test_a_mutant_is_a_function_of_seed_and_index():
    sources = corpus()
    first, again, other = make_mutant(SEED, 5, sources), make_mutant(SEED, 5, sources), make_mutant(SEED, 6, sources)
    assert (first.data, first.mutations) == (again.data, again.mutations)
    assert (first.data, first.mutations) != (other.data, other.mutations)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_runs_on_every_source(name):
    for index, source in enumerate(corpus()):
        result = MUTATIONS[name](source.read_bytes(), random.Random(index))
        assert isinstance(result.data if isinstance(result, Outcome) else result, bytes)


@pytest.mark.slow
def test_forked_runs_are_the_cli():
    tally = campaign(SEED, 6, jobs=2, verify=6, keep=None)
    assert tally.verified == 18 and tally.mismatches == 0, table(tally)  # 6 mutants in 3 modes


@pytest.mark.slow
def test_a_few_hundred_mutants_find_nothing():
    tally = campaign(SEED, 200, jobs=2, keep=None)
    assert sum(tally.runs.values()) == 600  # no structure check, native, pyx12
    assert not tally.failures, table(tally) + "\n" + "\n".join(map(str, tally.failures[:10]))
