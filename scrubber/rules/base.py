"""What a rule is: one class with its code, name, severity, doc page, options, 277CA status and check.

Rules are plain classes written out one by one (no metaclass, no auto-discovery). The docstring of
each rule class is its documentation page, with the headings in :data:`DOC_HEADINGS`;
``scrubber rules ID`` prints it and a test fails when a heading is missing. Everything else a
report, a configuration file or an acknowledgment needs to know about a rule is a class attribute
here, so adding a rule is one class, one case file (``tests/rules/cases/ID.toml``) and one line in
:mod:`scrubber.rules.catalogue`.

Three kinds of rule share this base:
- claim rules implement :meth:`Rule.check` and look at one claim;
- :class:`IssueRule` turns the walker's parse issues of its kinds into findings (ENV);
- :class:`StructureRule` turns TR3 structure issues of its codes into findings (X12).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from scrubber.findings import ClaimStatus, Finding, Found, Place, Severity
from scrubber.model import Claim, IssueKind
from scrubber.x12.segment import Segment

DOC_HEADINGS = (
    "What it checks",
    "Why payers reject it",
    "Example",
    "Fix",
    "Configuration",
    "References",
)

INVALID = "A7"  # 277CA category: rejected for invalid information
UNPROCESSABLE = "A3"  # 277CA category: returned as unprocessable (cannot be read)
MISSING_OR_INVALID = ClaimStatus(INVALID, "21")
DIAGNOSIS_CODE, PRINCIPAL_DIAGNOSIS_CODE = "255", "254"  # 277CA status codes


class RuleOptions(BaseModel):
    """Base of a rule's options model: ``[rules.options.CODE]`` in scrubber.toml, strictly checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(slots=True)
class RuleContext:
    """Everything a rule may consult besides the claim. Reference data is loaded once, shared.

    Rules never do I/O: the loaders that fill this run before the first claim, and anything that
    holds a file or connection opens it in the process that uses it.
    """

    as_of: dt.date = field(default_factory=dt.date.today)
    icd10: Any = None  # scrubber.refdata.codesets.icd10 code-set provider, when loaded
    policies: Any = None  # scrubber.refdata.policies pairing policy set, when loaded
    ncci: Any = None  # imported NCCI PTP / MUE tables, when configured
    coverage: Any = None  # imported CMS coverage articles (scrubber.refdata.coverage.CoverageRules), when present
    options: dict[str, Any] = field(default_factory=dict)  # rule code -> its validated options model
    _facts_of: Any = field(default=None, repr=False)
    _facts: dict[str, Any] = field(default_factory=dict, repr=False)

    def facts(self, claim: Claim) -> dict[str, Any]:
        """Facts several rules derive from one claim, worked out by the first that needs them.

        Kept here, not on the claim: the model stays what the walker read. The memo holds the
        claim it belongs to, so another claim starts a fresh one.
        """
        if self._facts_of is not claim:
            self._facts_of, self._facts = claim, {}
        return self._facts

    def options_for(self, rule: Rule) -> Any:
        """The rule's options as its model: as configured (validated here when given as plain
        data, e.g. by a library caller), else the model's defaults."""
        found = self.options.get(rule.code)
        model = rule.options
        if model is not None and not isinstance(found, model):
            found = self.options[rule.code] = model.model_validate(found or {})
        return found


class Rule:
    """Base of every rule. Subclasses set the class attributes and, for claim rules, :meth:`check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `scrubber rules`
    reference: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    options: ClassVar[type[RuleOptions] | None] = None  # the model of [rules.options.CODE]
    status: ClassVar[ClaimStatus] = MISSING_OR_INVALID  # the 277CA STC a rejection by this rule becomes

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        return iter(())

    def status_for(self, finding: Finding | Found) -> ClaimStatus:
        """The 277CA status of one of this rule's findings (a rule may refine it by element).

        A diagnosis status at the principal diagnosis (HI01) becomes the principal's own code.
        """
        status = self.status
        location = finding.location
        if status.code == DIAGNOSIS_CODE and location is not None and location.element.startswith("HI01"):
            return ClaimStatus(status.category, PRINCIPAL_DIAGNOSIS_CODE)
        return status

    def finding(
        self,
        message: str,
        *,
        segment: Segment | None = None,
        element: str = "",
        loop: str = "",
        codes: list[str] | None = None,
        reference: str | None = None,
        fix: str | None = None,
        severity: Severity | None = None,
    ) -> Found:
        """A finding of this rule, located at ``element`` of ``segment`` when given.

        ``severity`` is for a rule whose verdict is milder in one case (ICD003 on an ICD-9 era claim).
        A plain record: the report makes the validated :class:`~scrubber.findings.Finding` from it
        only when a caller asks for models.
        """
        if segment is not None:
            text = segment.text
            place = Place.of(segment, element, loop, text)
        else:
            text = place = None
        return Found(
            self.code,
            self.name,
            severity or self.severity,
            message,
            codes or [],
            place,
            text,
            self.reference if reference is None else reference,
            self.fix if fix is None else fix,
        )

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation page (its docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")


class IssueRule(Rule):
    """A rule whose findings are the walker's parse issues of :attr:`kinds` (the ENV family)."""

    kinds: ClassVar[frozenset[IssueKind]]
    status = ClaimStatus(UNPROCESSABLE, "21")


class StructureRule(Rule):
    """A rule whose findings are TR3 structure issues of :attr:`codes` (the X12 family).

    ``codes`` holds (level, code) pairs in pyx12's vocabulary, which both structure engines
    speak; ``(level, "*")`` takes every code of a level no other rule claims.
    """

    codes: ClassVar[frozenset[tuple[str, str]]]
    status = ClaimStatus(UNPROCESSABLE, "21")
