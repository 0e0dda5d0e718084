"""Made-up coverage articles in the exact CMS layout, and a store imported from them.

Every id, title, paragraph and code list is invented; procedure codes are bare numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrubber.refdata.coverage import CoverageRules, import_download, open_store
from scrubber.refdata.coverage.synthetic import MadeUpArticle, write_download

DAY = dt.date(2026, 3, 2)


def chest_article(**changes: object) -> MadeUpArticle:
    """A50001: one HCPCS group (71250, 71260), covered R05.9, R91.1 and C34.90 (asterisk), M62.81 not covered."""
    fields: dict = dict(
        article_id=50001,
        version=4,
        title='Billing and Coding: Made-Up Chest CT, "Adults"',
        lcd="39001",
        procedures={1: ["71250", "71260"]},
        covered={1: ["R05.9", "R911", "C34.90*"]},
        covered_paragraphs={1: "<p>Group 1 Paragraph:</p>\r\n<p>Made-up covered list, first line\r\nsecond line</p>"},
        asterisk_notes={1: "<p>*Dual diagnosis: secondary code required &amp; listed first</p>"},
        noncovered={1: ["M62.81"]},
        noncovered_paragraphs={1: "<p>Made-up: these codes do not support medical necessity.</p>"},
    )
    fields.update(changes)
    return MadeUpArticle(**fields)


def vascular_article(**changes: object) -> MadeUpArticle:
    """A50002: two HCPCS groups; covered group 1 names 93880 and 93882, group 2 names 76700."""
    fields: dict = dict(
        article_id=50002,
        version=2,
        title="Billing and Coding: Made-Up Duplex Scans",
        lcd="39002",
        procedures={1: ["93880", "93882"], 2: ["76700"]},
        covered={1: ["I65.21"], 2: ["R10.9"]},
        covered_paragraphs={
            1: "<p>Group 1 Paragraph: for CPT codes 93880-93882 only</p>",
            2: "<p>Group 2 Paragraph: for CPT code 76700</p>",
        },
    )
    fields.update(changes)
    return MadeUpArticle(**fields)


def standard_articles() -> list[MadeUpArticle]:
    return [chest_article(), vascular_article()]


def import_articles(tmp_path: Path, articles: list[MadeUpArticle], **options: object) -> Path:
    """Write ``articles`` as a download, import it, and return the store's path."""
    download = write_download(articles, tmp_path / "current_article.zip", **options)  # type: ignore[arg-type]
    database = tmp_path / "store" / "coverage.sqlite3"
    import_download(download, database)
    return database


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return import_articles(tmp_path, standard_articles())


@pytest.fixture
def coverage(store_path: Path) -> CoverageRules:
    return CoverageRules(open_store(store_path))
