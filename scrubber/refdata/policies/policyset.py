"""The policies in force for a run: the default pack plus the user's packs, merged by entry id.

A later pack's entry replaces an earlier entry with the same id, so a user pack can tighten,
loosen or retire (by giving an ``effective_to``) an entry of the default pack without copying it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from scrubber.refdata.policies.models import DeniedPair, PolicyPack, SupportPolicy

Entry = TypeVar("Entry", SupportPolicy, DeniedPair)


@dataclass(slots=True)
class PolicySet:
    """Support policies and denied pairs, looked up by procedure, date of service and payer."""

    support: dict[str, SupportPolicy] = field(default_factory=dict)
    denied: dict[str, DeniedPair] = field(default_factory=dict)
    packs: list[str] = field(default_factory=list)  # pack names in load order, for reports

    @classmethod
    def from_packs(cls, packs: Iterable[PolicyPack]) -> PolicySet:
        merged = cls()
        for pack in packs:
            merged.packs.append(pack.pack.name)
            for policy in pack.policy:
                merged.support[policy.id] = policy
            for pair in pack.denied:
                merged.denied[pair.id] = pair
        return merged

    # Which entries cover a (procedure, payer): found by scanning every entry's patterns, then
    # kept, since a run sees the same few procedures and payers claim after claim. The set is
    # fixed once built (from_packs), so the answers stay true.
    _support_by_key: dict[tuple[str, str], tuple[SupportPolicy, ...]] = field(default_factory=dict, repr=False)
    _denied_by_key: dict[tuple[str, str], tuple[DeniedPair, ...]] = field(default_factory=dict, repr=False)

    def support_for(self, procedure: str, on: dt.date, payer_id: str = "") -> list[SupportPolicy]:
        """Support policies in effect for ``procedure`` on ``on`` for this payer."""
        return _in_effect(self._support_by_key, self.support, procedure, on, payer_id)

    def denials_for(self, procedure: str, on: dt.date, payer_id: str = "") -> list[DeniedPair]:
        """Denied-pair entries in effect for ``procedure`` on ``on`` for this payer."""
        return _in_effect(self._denied_by_key, self.denied, procedure, on, payer_id)

    def __len__(self) -> int:
        return len(self.support) + len(self.denied)


def _in_effect(
    covering_by_key: dict[tuple[str, str], tuple[Entry, ...]],
    entries: dict[str, Entry],
    procedure: str,
    on: dt.date,
    payer_id: str,
) -> list[Entry]:
    """The entries covering (procedure, payer), looked up once and kept, that are in effect on ``on``."""
    key = (procedure, payer_id)
    covering = covering_by_key.get(key)
    if covering is None:
        covering = covering_by_key[key] = tuple(e for e in entries.values() if e.covers(procedure, payer_id))
    return [e for e in covering if e.in_effect(on)]
