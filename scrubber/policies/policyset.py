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

    def support_for(self, procedure: str, on: dt.date, payer_id: str = "") -> list[SupportPolicy]:
        """Support policies in effect for ``procedure`` on ``on`` for this payer."""
        return [p for p in self.support.values() if p.applies(procedure, on, payer_id)]

    def denials_for(self, procedure: str, on: dt.date, payer_id: str = "") -> list[DeniedPair]:
        """Denied-pair entries in effect for ``procedure`` on ``on`` for this payer."""
        return [d for d in self.denied.values() if d.applies(procedure, on, payer_id)]

    def __len__(self) -> int:
        return len(self.support) + len(self.denied)
