"""Imported coverage articles as PAIR001 asks them: is a line's pointed diagnosis in a covered group?

:class:`CoverageRules` is what the rule context carries: the store plus the payers the Medicare
articles are applied to. :meth:`CoverageRules.judge` answers for one service line with plain data
(:class:`LineVerdict`); :mod:`scrubber.rules.coverage` turns the answer into findings. The
semantics are documented on the PAIR001 rule (``scrubber rules PAIR001``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from scrubber.refdata.coverage.store import ArticleView, CoverageStore, Group


class Hit(NamedTuple):
    """A pointed diagnosis found in a group of an article that applies to the line's procedure."""

    component: int  # SV107 component that points to the diagnosis
    code: str  # as on the claim
    view: ArticleView
    group: Group
    asterisk: bool


@dataclass(slots=True)
class LineVerdict:
    """What the articles in force say about one line."""

    judged: tuple[ArticleView, ...]  # the articles whose covered groups decide support
    supported: bool | None  # None: no article in force has a covered group for the procedure
    supporting: list[str]  # pointed codes in a covered group that applies
    asterisk_only: list[Hit]  # when every supporting code is asterisked: where (else empty)
    noncovered: list[Hit]


class Listed(NamedTuple):
    """How the articles in force for a procedure list one diagnosis."""

    plain: bool  # in a covered group without an asterisk
    starred: tuple[tuple[ArticleView, Group], ...]  # covered with an asterisk
    noncovered: tuple[tuple[ArticleView, Group], ...]


NOT_LISTED = Listed(False, (), ())


class CoverageRules:
    """Imported articles as the PAIR rules use them, limited to ``payers`` (None: every payer).

    Answers are memoized: the articles per (procedure, date), and how those articles list a
    diagnosis per (articles, diagnosis). The store hands out one view object per (procedure,
    article version), so the second key repeats across dates, and a line costs a few dictionary
    lookups; objects per hit are made only for what a finding will report.
    """

    def __init__(self, store: CoverageStore, payers: Iterable[str] | None = None):
        self.store = store
        self.payers = None if payers is None else frozenset(payers)
        self._in_force = lru_cache(maxsize=1 << 16)(self._in_force_uncached)
        self._listed = lru_cache(maxsize=1 << 16)(self._listed_uncached)

    def _in_force_uncached(
        self, procedure: str, on: dt.date
    ) -> tuple[tuple[ArticleView, ...], tuple[ArticleView, ...]] | None:
        """(articles in force listing the procedure, those of them with covered groups), or None."""
        views = self.store.articles_for(procedure, on)
        return (views, tuple(v for v in views if v.covered)) if views else None

    def _listed_uncached(self, views: tuple[ArticleView, ...], code: str) -> Listed:
        undotted = code.replace(".", "").upper()
        plain = False
        starred: list[tuple[ArticleView, Group]] = []
        noncovered: list[tuple[ArticleView, Group]] = []
        for view in views:
            article = view.article
            for covered, number, asterisk in self.store.listings(article.article_id, article.version, undotted):
                group = _group(view.covered if covered else view.noncovered, number)
                if group is None:
                    continue
                if not covered:
                    noncovered.append((view, group))
                elif asterisk:
                    starred.append((view, group))
                else:
                    plain = True
        if not plain and not starred and not noncovered:
            return NOT_LISTED
        return Listed(plain, tuple(starred), tuple(noncovered))

    def judge(
        self, procedure: str, on: dt.date, pointed: Sequence[tuple[int, str]], payer_id: str
    ) -> LineVerdict | None:
        """The verdict for a line, or None when no article in force lists its procedure.

        ``pointed``: (SV107 component, diagnosis code) of the diagnoses the line points to.
        """
        if self.payers is not None and payer_id not in self.payers:
            return None
        in_force = self._in_force(procedure, on)
        if in_force is None:
            return None
        views, judged = in_force
        listed = self._listed
        supporting: list[str] = []
        starred: list[Hit] = []
        noncovered: list[Hit] = []
        plain = False
        for component, code in pointed:
            found = listed(views, code)
            if found is NOT_LISTED:
                continue
            if found.plain:
                plain = True
                supporting.append(code)
            elif found.starred:
                supporting.append(code)
                view, group = found.starred[0]
                starred.append(Hit(component, code, view, group, True))
            for view, group in found.noncovered:
                noncovered.append(Hit(component, code, view, group, False))
        supported = bool(supporting) if judged else None
        return LineVerdict(judged, supported, supporting, [] if plain else starred, noncovered)


def _group(groups: tuple[Group, ...], number: int) -> Group | None:
    for group in groups:
        if group.number == number:
            return group
    return None
