"""PAIR001 findings from imported coverage articles: unsupported lines, asterisk notes, non-covered codes.

The verdicts come from :mod:`scrubber.refdata.coverage.pairing` as plain data; the words of each
finding (citations, how the article's groups apply, its paragraphs) are made here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from scrubber.findings import Found, Severity
from scrubber.model import ServiceLine
from scrubber.refdata.coverage.pairing import Hit, LineVerdict
from scrubber.refdata.coverage.store import ArticleView, Group
from scrubber.refdata.coverage.text import shorten
from scrubber.rules.base import Rule

MAX_CITED = 3  # articles named in one finding; more are counted
MAX_PARAGRAPHS = 3  # covered-group paragraphs quoted in a fix
SOURCE = "CMS Medicare Coverage Database (Medicare policy; user-imported)"


def article_findings(
    rule: Rule, line: ServiceLine, codes: Sequence[str], verdict: LineVerdict, pack_supported: bool
) -> Iterator[Found]:
    """PAIR001 findings for one line: unsupported, supported only by asterisked codes, non-covered codes."""
    if pack_supported:
        pass  # packs and articles combine as a union: nothing to say about support
    elif verdict.supported is False:
        yield _unsupported(rule, line, codes, verdict.judged)
    elif verdict.asterisk_only:
        yield _asterisk(rule, line, verdict.asterisk_only)
    if not verdict.noncovered:
        return
    supported = bool(verdict.supported) or pack_supported
    for component in sorted({hit.component for hit in verdict.noncovered}):
        hits = [hit for hit in verdict.noncovered if hit.component == component]
        yield _noncovered(rule, line, hits, verdict.supporting if supported else (), supported)


# The text of a finding that depends only on the articles (citations, how their groups apply,
# their paragraphs) is built once per set of articles; only the line's own facts vary. The
# message names the articles briefly; the reference carries each full citation with its title.


@lru_cache(maxsize=4096)
def _reference(views: tuple[ArticleView, ...]) -> str:
    shown = "; ".join(v.article.citation for v in views[:MAX_CITED])
    more = f"; and {len(views) - MAX_CITED} more" if len(views) > MAX_CITED else ""
    return f"{shown}{more}. Source: {SOURCE}"


@lru_cache(maxsize=4096)
def _named(views: tuple[ArticleView, ...]) -> str:
    """One article as "LCD L33459, billing and coding article A56580, version 12"; several by id."""
    if len(views) == 1:
        article = views[0].article
        lcd = f"LCD {', '.join(article.lcds)}, " if article.lcds else ""
        return f"{lcd}billing and coding article {article.display_id}, version {article.version} (Medicare)"
    ids = ", ".join(v.article.display_id for v in views[:MAX_CITED])
    more = f" and {len(views) - MAX_CITED} more" if len(views) > MAX_CITED else ""
    return f"the {len(views)} Medicare billing and coding articles {ids}{more}"


def _numbers(groups: Sequence[Group]) -> str:
    return ", ".join(str(g.number) for g in groups)


def _linking(views: tuple[ArticleView, ...]) -> str:
    """How the articles' covered groups came to apply to the procedure (issue 16: say so)."""
    if not any(v.linked for v in views):
        if len(views) == 1:
            return (
                "The article ties none of its covered groups to particular procedures, so each applies to all it lists."
            )
        return "None of them ties its covered groups to particular procedures, so each group applies to all they list."
    parts = []
    for view in views[:MAX_CITED]:
        named = [g for g in view.covered if g.procedures is not None]
        general = [g for g in view.covered if g.procedures is None]
        says = []
        if named:
            says.append(f"group {_numbers(named)} names {view.procedure}")
        if general:
            says.append(f"group {_numbers(general)} names no procedure and applies to all it lists")
        if not view.linked:
            says = [f"no group names particular procedures (group {_numbers(view.covered)} applies)"]
        parts.append(f"{view.article.display_id}: {'; '.join(says)}")
    return "Covered groups that apply: " + "; ".join(parts) + "."


@lru_cache(maxsize=4096)
def _unsupported_text(judged: tuple[ArticleView, ...]) -> tuple[str, str, str]:
    """(articles named, how their groups apply, fix) when none of their covered groups holds the codes."""
    paragraphs = [
        f"{v.article.display_id} group {g.number}: {shorten(g.paragraph, 160)}"
        for v in judged
        for g in v.covered
        if g.paragraph
    ][:MAX_PARAGRAPHS]
    fix = "Point the line to the diagnosis that prompted the service, if the record supports one in a covered group"
    fix += (": " + " | ".join(paragraphs)) if paragraphs else "."
    return _named(judged), _linking(judged), fix


def _unsupported(rule: Rule, line: ServiceLine, codes: Sequence[str], judged: tuple[ArticleView, ...]) -> Found:
    named, linking, fix = _unsupported_text(judged)
    return rule.finding(
        f"{line.procedure} on line {line.number} is not supported by the diagnoses it points to "
        f"({', '.join(codes)}): none is in a covered ICD-10-CM group of {named}. {linking}",
        segment=line.segment,
        element="SV107-1",
        loop="2400",
        codes=[line.procedure, *codes],
        reference=_reference(judged),
        fix=fix,
    )


def _asterisk(rule: Rule, line: ServiceLine, hits: Sequence[Hit]) -> Found:
    first = hits[0]
    codes = list(dict.fromkeys(hit.code for hit in hits))
    note = first.group.asterisk_note or "the article marks the code with an asterisk; see the group's paragraph"
    return rule.finding(
        f"{line.procedure} on line {line.number} is supported only by {', '.join(codes)}, which "
        f"{_named((first.view,))} marks with an asterisk in covered group {first.group.number}: "
        f'"{shorten(note, 300)}"',
        segment=line.segment,
        element=f"SV107-{first.component}",
        loop="2400",
        codes=[line.procedure, *codes],
        reference=_reference(tuple(dict.fromkeys(hit.view for hit in hits))),
        fix="Check that the claim carries what the article's note requires (often a second diagnosis) and "
        "that the line points to it.",
        severity=Severity.INFO,
    )


@lru_cache(maxsize=4096)
def _noncovered_text(views: tuple[ArticleView, ...], group: Group) -> tuple[str, str]:
    """(the articles named, the group's paragraph as quoted) for a non-covered listing."""
    paragraph = f': "{shorten(group.paragraph, 160)}"' if group.paragraph else ""
    named = _named(views)
    return named[0].upper() + named[1:], paragraph


def _noncovered(rule: Rule, line: ServiceLine, hits: Sequence[Hit], support: Sequence[str], supported: bool) -> Found:
    first = hits[0]
    views = tuple(dict.fromkeys(hit.view for hit in hits))
    cited, paragraph = _noncovered_text(views, first.group)
    message = (
        f"{cited} {'list' if len(views) > 1 else 'lists'} {first.code} as not supporting medical necessity for "
        f"{line.procedure} (line {line.number}, non-covered group {first.group.number}){paragraph}"
    )
    if supported:
        others = ", ".join(dict.fromkeys(support))
        message += f". The line is supported otherwise{f' (by {others})' if others else ''}."
    return rule.finding(
        message,
        segment=line.segment,
        element=f"SV107-{first.component}",
        loop="2400",
        codes=[line.procedure, first.code],
        reference=_reference(views),
        fix=NONCOVERED_FIX,
        severity=Severity.INFO if supported else Severity.WARNING,
    )


NONCOVERED_FIX = (
    "Point the line to the diagnosis that made the service necessary; a code the article lists as non-covered "
    "does not support it."
)
