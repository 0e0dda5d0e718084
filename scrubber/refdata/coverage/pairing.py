"""PAIR001 over imported coverage articles: is a line's pointed diagnosis in a covered group?

:class:`CoverageRules` is what the rule context carries: the store plus the payers the Medicare
articles are applied to. :meth:`CoverageRules.judge` answers for one service line;
:func:`article_findings` turns the answer into findings. The semantics are documented on the
PAIR001 rule (``scrubber rules PAIR001``); this module keeps them in one place so the rule itself
calls it in a few lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrubber.findings import Finding, Severity
from scrubber.refdata.coverage.store import ArticleView, CoverageStore, Group
from scrubber.refdata.coverage.text import shorten

if TYPE_CHECKING:
    from scrubber.model import Diagnosis, ServiceLine
    from scrubber.rules.base import Rule

MAX_CITED = 3  # articles named in one finding; more are counted
MAX_PARAGRAPHS = 3  # covered-group paragraphs quoted in a fix
SOURCE = "CMS Medicare Coverage Database (Medicare policy; user-imported)"


@dataclass(frozen=True, slots=True)
class Hit:
    """A pointed diagnosis found in a group of an article that applies to the line's procedure."""

    component: int  # SV107 component that points to the diagnosis
    code: str  # as on the claim
    view: ArticleView
    group: Group
    asterisk: bool


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """What the articles in force say about one line."""

    views: tuple[ArticleView, ...]
    supported: bool | None  # None: no article in force has a covered group for the procedure
    support: tuple[Hit, ...]
    noncovered: tuple[Hit, ...]

    @property
    def judged(self) -> tuple[ArticleView, ...]:
        """The articles whose covered groups decide support."""
        return tuple(v for v in self.views if v.covered)


class CoverageRules:
    """Imported articles as the PAIR rules use them, limited to ``payers`` (None: every payer)."""

    def __init__(self, store: CoverageStore, payers: Iterable[str] | None = None):
        self.store = store
        self.payers = None if payers is None else frozenset(payers)

    def judge(
        self, procedure: str, on: dt.date, pointed: Sequence[tuple[int, Diagnosis]], payer_id: str
    ) -> LineVerdict | None:
        """The verdict for a line, or None when no article in force lists its procedure."""
        if self.payers is not None and payer_id not in self.payers:
            return None
        views = self.store.articles_for(procedure, on)
        if not views:
            return None
        listings = self.store.listings
        support: list[Hit] = []
        noncovered: list[Hit] = []
        for view in views:
            article = view.article
            for component, diagnosis in pointed:
                code = diagnosis.code
                for covered, number, asterisk in listings(article.article_id, article.version, _undotted(code)):
                    group = _group(view.covered if covered else view.noncovered, number)
                    if group is not None:
                        (support if covered else noncovered).append(Hit(component, code, view, group, asterisk))
        judged = any(view.covered for view in views)
        return LineVerdict(views, bool(support) if judged else None, tuple(support), tuple(noncovered))


def _undotted(code: str) -> str:
    return code.replace(".", "").upper()


def _group(groups: tuple[Group, ...], number: int) -> Group | None:
    for group in groups:
        if group.number == number:
            return group
    return None


def article_findings(
    rule: Rule, line: ServiceLine, codes: Sequence[str], verdict: LineVerdict, pack_supported: bool
) -> Iterator[Finding]:
    """PAIR001 findings for one line: unsupported, supported only by asterisked codes, non-covered codes."""
    supported = bool(verdict.supported) or pack_supported
    if verdict.supported is False and not pack_supported:
        yield _unsupported(rule, line, codes, verdict)
    elif verdict.support and not pack_supported and all(hit.asterisk for hit in verdict.support):
        yield _asterisk(rule, line, verdict.support)
    for component in sorted({hit.component for hit in verdict.noncovered}):
        hits = [hit for hit in verdict.noncovered if hit.component == component]
        yield _noncovered(rule, line, hits, verdict.support if supported else (), supported)


def _cite(views: Sequence[ArticleView]) -> str:
    shown = "; ".join(v.article.citation for v in views[:MAX_CITED])
    more = f"; and {len(views) - MAX_CITED} more" if len(views) > MAX_CITED else ""
    return f"{shown}{more}"


def _reference(views: Sequence[ArticleView]) -> str:
    return f"{_cite(views)}. Source: {SOURCE}"


def _numbers(groups: Sequence[Group]) -> str:
    return ", ".join(str(g.number) for g in groups)


def _linking(view: ArticleView) -> str:
    """How the article's covered groups came to apply to the procedure (issue 16: say so)."""
    if not view.linked:
        return (
            f"{view.article.display_id} ties none of its covered groups to particular procedures, so each "
            f"(group {_numbers(view.covered)}) applies to every procedure it lists"
        )
    named = [g for g in view.covered if g.procedures is not None]
    general = [g for g in view.covered if g.procedures is None]
    parts = []
    if named:
        parts.append(f"covered group {_numbers(named)} of {view.article.display_id} names {view.procedure}")
    if general:
        parts.append(f"group {_numbers(general)} names no procedure and applies to every procedure it lists")
    if not parts:
        return f"{view.article.display_id}'s covered groups name other procedures"
    return "; ".join(parts)


def _unsupported(rule: Rule, line: ServiceLine, codes: Sequence[str], verdict: LineVerdict) -> Finding:
    judged = verdict.judged
    if len(judged) == 1:
        where = judged[0].article.citation
    else:
        where = f"any of the {len(judged)} Medicare articles in effect for it ({_cite(judged)})"
    linking = "; ".join(_linking(v) for v in judged[:MAX_CITED])
    paragraphs = [
        f"{v.article.display_id} group {g.number}: {shorten(g.paragraph, 200)}"
        for v in judged
        for g in v.covered
        if g.paragraph
    ][:MAX_PARAGRAPHS]
    fix = "Point the line to the diagnosis that prompted the service, if the record supports one in a covered group"
    fix += (": " + " | ".join(paragraphs)) if paragraphs else "."
    return rule.finding(
        f"{line.procedure} on line {line.number} is not supported by the diagnoses it points to "
        f"({', '.join(codes)}): none is in a covered ICD-10-CM group of {where} (Medicare). {linking}.",
        segment=line.segment,
        element="SV107-1",
        loop="2400",
        codes=[line.procedure, *codes],
        reference=_reference(judged),
        fix=fix,
    )


def _asterisk(rule: Rule, line: ServiceLine, hits: Sequence[Hit]) -> Finding:
    first = hits[0]
    codes = list(dict.fromkeys(hit.code for hit in hits))
    note = first.group.asterisk_note or "the article marks the code with an asterisk; see the group's paragraph"
    return rule.finding(
        f"{line.procedure} on line {line.number} is supported only by {', '.join(codes)}, which "
        f"{first.view.article.citation} (Medicare) marks with an asterisk in covered group {first.group.number}: "
        f'"{shorten(note, 300)}"',
        segment=line.segment,
        element=f"SV107-{first.component}",
        loop="2400",
        codes=[line.procedure, *codes],
        reference=_reference(list(dict.fromkeys(hit.view for hit in hits))),
        fix="Check that the claim carries what the article's note requires (often a second diagnosis) and "
        "that the line points to it.",
        severity=Severity.INFO,
    )


def _noncovered(rule: Rule, line: ServiceLine, hits: Sequence[Hit], support: Sequence[Hit], supported: bool) -> Finding:
    first = hits[0]
    views = list(dict.fromkeys(hit.view for hit in hits))
    paragraph = f': "{shorten(first.group.paragraph, 200)}"' if first.group.paragraph else ""
    message = (
        f"{_cite(views)} (Medicare) lists {first.code} as not supporting medical necessity for "
        f"{line.procedure} (line {line.number}, non-covered group {first.group.number}){paragraph}"
    )
    if supported:
        others = ", ".join(dict.fromkeys(hit.code for hit in support))
        message += f". The line is supported otherwise{f' (by {others})' if others else ''}."
    return rule.finding(
        message,
        segment=line.segment,
        element=f"SV107-{first.component}",
        loop="2400",
        codes=[line.procedure, first.code],
        reference=_reference(views),
        fix="Point the line to the diagnosis that made the service necessary; a code the article lists as "
        "non-covered does not support it.",
        severity=Severity.INFO if supported else Severity.WARNING,
    )
