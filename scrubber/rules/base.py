"""What a rule is: an explicit code, name, severity, message, fix hint and citation, plus a check.

Rules are plain classes written out one by one (no metaclass, no auto-discovery). The docstring of
each rule class is its documentation page, with the headings in :data:`DOC_HEADINGS`;
``scrubber rules ID`` prints it and a test fails when a heading is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrubber.findings import Finding, Location, Severity
from scrubber.model import Claim
from scrubber.x12.segment import Segment

DOC_HEADINGS = (
    "What it checks",
    "Why payers reject it",
    "Example",
    "Fix",
    "Configuration",
    "References",
)


@dataclass(slots=True)
class RuleContext:
    """Everything a rule may consult besides the claim. Reference data is loaded once, shared.

    Rules never do I/O: the loaders that fill this run before the first claim.
    """

    as_of: dt.date = field(default_factory=dt.date.today)
    icd10: Any = None  # scrubber.codesets.icd10 code-set provider, when loaded
    policies: Any = None  # scrubber.policies pairing policy set, when loaded
    ncci: Any = None  # imported NCCI PTP / MUE tables, when configured
    coverage: Any = None  # imported CMS coverage articles (scrubber.refdata.coverage.CoverageRules), when present
    options: dict[str, Any] = field(default_factory=dict)  # per-rule options from configuration


class Rule:
    """Base of every rule. Subclasses set the class attributes and implement :meth:`check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `scrubber rules`
    reference: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    # Only structure/envelope rules set this: their findings come from the parser or pyx12 adapter.
    emitted_by_parser: ClassVar[bool] = False

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        return iter(())

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
    ) -> Finding:
        """A finding of this rule, located at ``element`` of ``segment`` when given."""
        return Finding(
            rule=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            codes=codes or [],
            location=Location.of(segment, element, loop) if segment is not None else None,
            segment_text=segment.text if segment is not None else None,
            reference=self.reference if reference is None else reference,
            fix=self.fix if fix is None else fix,
        )

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation page (its docstring, dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
