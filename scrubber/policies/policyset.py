"""The policies in force for a run: the default pack plus the user's packs, merged by entry id.

A later pack's entry replaces an earlier entry with the same id, so a user pack can tighten,
loosen or retire (by giving an ``effective_to``) an entry of the default pack without copying it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from scrubber.policies.models import DeniedPair, PolicyPack, SupportPolicy


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
        key = (procedure, payer_id)
        covering = self._support_by_key.get(key)
        if covering is None:
            covering = self._support_by_key[key] = tuple(
                p for p in self.support.values() if p.covers(procedure, payer_id)
            )
        return [p for p in covering if p.in_effect(on)]

    def denials_for(self, procedure: str, on: dt.date, payer_id: str = "") -> list[DeniedPair]:
        """Denied-pair entries in effect for ``procedure`` on ``on`` for this payer."""
        key = (procedure, payer_id)
        covering = self._denied_by_key.get(key)
        if covering is None:
            covering = self._denied_by_key[key] = tuple(
                d for d in self.denied.values() if d.covers(procedure, payer_id)
            )
        return [d for d in covering if d.in_effect(on)]

    def __len__(self) -> int:
        return len(self.support) + len(self.denied)
