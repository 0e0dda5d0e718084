"""Pairing policies as data: which diagnoses support a procedure, which pairs are never paid.

Every entry carries a citation (an LCD/NCD and its billing article, or a payer policy with its
date) and effective dates, because a pairing edit that cannot say where it comes from cannot be
defended to a provider. The models reject unknown keys so a misspelt key fails loudly.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from scrubber.refdata.policies.codes import CodePattern, any_match


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where an entry comes from. LCDs and NCDs need their id; payer policies a name and date."""

    source: Literal["LCD", "NCD", "article", "payer-policy", "guideline"]
    id: str = ""  # L33459, 210.14, A56580 ...
    title: str
    article: str = ""  # the billing-and-coding article that lists the codes, when there is one
    publisher: str = ""  # MAC, CMS or the payer
    date: dt.date | None = None  # revision or publication date the entry was checked against
    url: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Citation:
        if self.source in ("LCD", "NCD", "article") and not self.id:
            raise ValueError(f"a {self.source} citation needs its id (e.g. L33459)")
        if self.source == "payer-policy" and (not self.publisher or self.date is None):
            raise ValueError("a payer-policy citation needs the payer (publisher) and the policy date")
        return self

    def text(self) -> str:
        """One line for reports: ``LCD L33459 "Title" (A56580 ...), revised 2024-06-13``."""
        head = f"{self.source} {self.id}".strip() if self.source != "payer-policy" else self.publisher
        parts = [f'{head} "{self.title}"']
        if self.article:
            parts.append(f"({self.article})")
        if self.date is not None:
            parts.append(f"as of {self.date.isoformat()}")
        return " ".join(parts)


def _check_patterns(values: list[str], kind: str = "diagnosis") -> list[str]:
    for value in values:
        CodePattern.parse(value, kind)  # raises ValueError with the offending text
    if not values:
        raise ValueError("must list at least one code")
    return values


class _Dated(_Strict):
    """Shared fields: an id, the procedures, dates, payers and the citation."""

    id: str = Field(min_length=1)
    procedures: list[str]
    effective_from: dt.date
    effective_to: dt.date | None = None  # last day in effect (inclusive); open when absent
    payers: list[str] = []  # NM1*PR ids the entry is limited to; empty = every payer
    citation: Citation

    _procedures: tuple[CodePattern, ...] = PrivateAttr(default=())

    @field_validator("procedures")
    @classmethod
    def _procedure_patterns(cls, values: list[str]) -> list[str]:
        return _check_patterns(values, "procedure")

    @model_validator(mode="after")
    def _dates(self) -> _Dated:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def model_post_init(self, __context: object) -> None:
        self._procedures = tuple(CodePattern.parse(p, "procedure") for p in self.procedures)

    def applies(self, procedure: str, on: dt.date, payer_id: str) -> bool:
        """In effect on ``on``, for this payer, and covering ``procedure``."""
        return self.in_effect(on) and self.covers(procedure, payer_id)

    def in_effect(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def covers(self, procedure: str, payer_id: str) -> bool:
        """For this payer and covering ``procedure``, whatever the date."""
        if self.payers and payer_id not in self.payers:
            return False
        return any_match(self._procedures, procedure) is not None


class SupportPolicy(_Dated):
    """A procedure (or range) and the diagnoses that support it (PAIR001)."""

    supported: list[str]
    indications: str = Field(min_length=1)  # what the policy covers, in words (the "why")
    documentation: str = Field(min_length=1)  # what the record must show to support the service
    notes: dict[str, str] = {}  # diagnosis -> why it does not support the service on its own

    _supported: tuple[CodePattern, ...] = PrivateAttr(default=())

    @field_validator("supported")
    @classmethod
    def _supported_patterns(cls, values: list[str]) -> list[str]:
        return _check_patterns(values)

    def model_post_init(self, __context: object) -> None:
        super().model_post_init(__context)
        self._supported = tuple(CodePattern.parse(p) for p in self.supported)

    def supports(self, diagnosis: str) -> bool:
        return any_match(self._supported, diagnosis) is not None

    def note_for(self, diagnosis: str) -> str:
        """The pack's explanation of why ``diagnosis`` alone does not support the procedure."""
        for pattern, note in self.notes.items():
            if CodePattern.parse(pattern).matches(diagnosis):
                return note
        return ""


class DeniedPair(_Dated):
    """A diagnosis and procedure the policy says are never payable together (PAIR002)."""

    diagnoses: list[str]
    reason: str = Field(min_length=1)

    _diagnoses: tuple[CodePattern, ...] = PrivateAttr(default=())

    @field_validator("diagnoses")
    @classmethod
    def _diagnosis_patterns(cls, values: list[str]) -> list[str]:
        return _check_patterns(values)

    def model_post_init(self, __context: object) -> None:
        super().model_post_init(__context)
        self._diagnoses = tuple(CodePattern.parse(p) for p in self.diagnoses)

    def denies(self, diagnosis: str) -> bool:
        return any_match(self._diagnoses, diagnosis) is not None


class PackInfo(_Strict):
    name: str = Field(min_length=1)
    version: str = ""
    description: str = ""


class PolicyPack(_Strict):
    """One TOML file: ``[pack]``, ``[[policy]]`` entries and ``[[denied]]`` pairs."""

    pack: PackInfo
    policy: list[SupportPolicy] = []
    denied: list[DeniedPair] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> PolicyPack:
        seen: set[str] = set()
        for entry in [*self.policy, *self.denied]:
            if entry.id in seen:
                raise ValueError(f"entry id {entry.id!r} is used twice in this pack")
            seen.add(entry.id)
        return self
