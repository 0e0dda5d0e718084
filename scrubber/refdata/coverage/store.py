"""Read-only lookups over imported coverage articles, opened once per process.

The rules ask two questions per service line: which current articles list this procedure on
this date (and which of their ICD-10 groups apply to it), and how an article lists a diagnosis.
Both answers are kept in bounded caches, so a run that sees the same few procedures, dates and
diagnoses claim after claim touches SQLite only for new ones.

The SQLite connection belongs to the process that opened it: a forked worker (``check --jobs``)
opens its own on first use and never touches its parent's (SQLite forbids using a connection
across fork). The caches hold plain values and are safe to inherit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from scrubber.refdata.coverage.schema import SCHEMA_VERSION
from scrubber.refdata.coverage.text import from_day_number

_INHERITED: list[sqlite3.Connection] = []  # a parent's connections, kept (never closed) in a forked child


class CoverageDataError(ValueError):
    """An imported store that cannot be read; ``str()`` is the one-line message."""


@dataclass(frozen=True, slots=True)
class Article:
    """One current version of a billing and coding article."""

    article_id: int
    version: int
    display_id: str  # A56580
    title: str
    lcds: tuple[str, ...]  # L33459, ... (the LCDs the article belongs to)
    effective: dt.date | None  # first day in effect
    last_day: dt.date | None  # last day in effect (article end date or retirement, the earlier)

    def in_effect(self, on: dt.date) -> bool:
        return (self.effective is None or self.effective <= on) and (self.last_day is None or on <= self.last_day)

    @property
    def citation(self) -> str:
        """``LCD L33459, billing and coding article A56580, version 12 "Title"``."""
        lcd = f"LCD {', '.join(self.lcds)}, " if self.lcds else ""
        return f'{lcd}billing and coding article {self.display_id}, version {self.version} "{self.title}"'


@dataclass(frozen=True, slots=True, eq=False)  # cached once per article version: identity is equality
class Group:
    """An ICD-10 group of an article: covered or not, its paragraph and asterisk note (plain text)."""

    number: int
    covered: bool
    paragraph: str
    asterisk_note: str
    procedures: frozenset[str] | None  # the procedures its paragraph names; None: every one listed


@dataclass(frozen=True, slots=True, eq=False)  # cached per (procedure, date): identity hashes fast
class ArticleView:
    """An article version in effect for one procedure, with the groups that apply to it."""

    article: Article
    procedure: str
    covered: tuple[Group, ...]
    noncovered: tuple[Group, ...]
    linked: bool  # some covered group of the article names the procedures it applies to


Listing = tuple[bool, int, bool]  # (covered, group number, asterisk)


class CoverageStore:
    """Imported articles at ``database``; one instance per process and path (see :func:`open_store`)."""

    def __init__(self, database: Path):
        if not database.is_file():
            raise CoverageDataError(f"{database}: no imported coverage articles (run `scrubber policies import`)")
        self.database = database
        self._uri = f"{database.resolve().as_uri()}?mode=ro"
        self._pid = 0
        self._connection: sqlite3.Connection | None = None
        try:
            db = self._db()
            self.meta = dict(db.execute("SELECT key, value FROM meta"))
            if self.meta.get("schema") != SCHEMA_VERSION:
                raise CoverageDataError(
                    f"{database}: made by another version of scrubber; run `scrubber policies import` again"
                )
            self._versions = self._load_articles(db)
            self._procedure_ranges = list(db.execute("SELECT first, last, article_id, version, grp FROM hcpc_range"))
            self._icd_ranges: dict[tuple[int, int], list[tuple]] = defaultdict(list)
            for article_id, version, *rest in db.execute("SELECT * FROM icd_range"):
                self._icd_ranges[(article_id, version)].append(tuple(rest))
        except sqlite3.Error as exc:
            raise CoverageDataError(f"{database}: not a coverage article store ({exc})") from None
        self.articles_for = lru_cache(maxsize=1 << 16)(self._articles_for)
        self.listings = lru_cache(maxsize=1 << 18)(self._listings)
        self._listed = lru_cache(maxsize=1 << 14)(self._listed_uncached)
        self._groups = lru_cache(maxsize=1 << 14)(self._groups_uncached)
        # One view object per (procedure, article version) whatever the date, so that answers
        # keyed by the views in force (see CoverageRules) are shared across dates.
        self._view = lru_cache(maxsize=1 << 16)(self._view_uncached)

    def _db(self) -> sqlite3.Connection:
        """This process's connection, opened on first use in it (never one inherited through fork)."""
        pid = os.getpid()
        if self._connection is None or self._pid != pid:
            if self._connection is not None:
                _INHERITED.append(self._connection)
            self._connection = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._pid = pid
        return self._connection

    @staticmethod
    def _load_articles(db: sqlite3.Connection) -> dict[int, tuple[Article, ...]]:
        """Every stored version per article id, newest first (a few thousand: kept in memory)."""
        versions: dict[int, list[Article]] = defaultdict(list)
        for article_id, version, display, title, _kind, effective, last_day, lcds in db.execute(
            "SELECT * FROM article"
        ):
            versions[article_id].append(
                Article(
                    article_id,
                    version,
                    display,
                    title,
                    tuple(lcds.split()),
                    from_day_number(effective),
                    from_day_number(last_day),
                )
            )
        return {k: tuple(sorted(v, key=lambda a: -a.version)) for k, v in versions.items()}

    def in_effect(self, article_id: int, on: dt.date) -> Article | None:
        """The newest stored version of an article in effect on ``on``."""
        for article in self._versions.get(article_id, ()):
            if article.in_effect(on):
                return article
        return None

    def _listed_uncached(self, procedure: str) -> dict[int, dict[int, tuple[int, ...]]]:
        """article id -> version -> HCPCS groups, for every stored version listing ``procedure``."""
        found: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        rows = self._db().execute("SELECT article_id, version, grp FROM hcpc WHERE code = ?", (procedure,))
        for article_id, version, group in rows:
            found[article_id][version].append(group)
        for first, last, article_id, version, group in self._procedure_ranges:
            if len(procedure) == len(first) and first <= procedure <= last:
                found[article_id][version].append(group)
        return {a: {v: tuple(g) for v, g in by_version.items()} for a, by_version in found.items()}

    def _groups_uncached(self, article_id: int, version: int) -> tuple[Group, ...]:
        rows = self._db().execute(
            "SELECT covered, grp, paragraph, asterisk_note, procedures FROM code_group "
            "WHERE article_id = ? AND version = ? ORDER BY covered DESC, grp",
            (article_id, version),
        )
        return tuple(
            Group(grp, bool(covered), paragraph, note, None if procedures is None else frozenset(procedures.split()))
            for covered, grp, paragraph, note, procedures in rows
        )

    def _articles_for(self, procedure: str, on: dt.date) -> tuple[ArticleView, ...]:
        """The articles in effect on ``on`` that list ``procedure`` and have ICD-10 groups for it."""
        views: list[ArticleView] = []
        for article_id, by_version in self._listed(procedure).items():
            article = self.in_effect(article_id, on)
            if article is None or article.version not in by_version:
                continue  # the version in effect does not list it (or none is in effect)
            view = self._view(procedure, article)
            if view is not None:
                views.append(view)
        return tuple(sorted(views, key=lambda v: v.article.display_id))

    def _view_uncached(self, procedure: str, article: Article) -> ArticleView | None:
        """The article's ICD-10 groups that apply to ``procedure``; None when none does."""
        groups = self._groups(article.article_id, article.version)
        applies = [g for g in groups if g.procedures is None or procedure in g.procedures]
        covered = tuple(g for g in applies if g.covered)
        noncovered = tuple(g for g in applies if not g.covered)
        if not covered and not noncovered:
            return None
        linked = any(g.procedures is not None for g in groups if g.covered)
        return ArticleView(article, procedure, covered, noncovered, linked)

    def _listings(self, article_id: int, version: int, code: str) -> tuple[Listing, ...]:
        """How an article version lists an (undotted) ICD-10-CM code: (covered, group, asterisk)."""
        rows = self._db().execute(
            "SELECT covered, grp, asterisk FROM icd WHERE article_id = ? AND version = ? AND code = ?",
            (article_id, version, code),
        )
        found = [(bool(c), g, bool(a)) for c, g, a in rows]
        for first, last, covered, group, asterisk in self._icd_ranges.get((article_id, version), ()):
            if first <= code and (code <= last or code.startswith(last)):
                found.append((bool(covered), group, bool(asterisk)))
        return tuple(found)

    def counts(self) -> dict[str, object]:
        """What the import stored and skipped (``scrubber policies status``)."""
        return json.loads(self.meta.get("counts", "{}"))


@cache
def open_store(database: Path) -> CoverageStore:
    """The store at ``database``, opened once per process."""
    return CoverageStore(database)
