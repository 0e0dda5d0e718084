"""The benchmark's generated download imports whole, and its lookups find what it planted."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from bench.coverage import ARTICLES_PER_LISTED, LISTED_PROCEDURES, made_up_articles
from scrubber.refdata.coverage import import_download, open_store
from scrubber.refdata.coverage.synthetic import write_download


@pytest.mark.slow
def test_a_generated_download_of_100000_rows_imports_whole(tmp_path: Path) -> None:
    download = write_download(made_up_articles(articles=200, covered_rows=100_000), tmp_path / "current_article.zip")
    with zipfile.ZipFile(download) as outer:
        assert outer.namelist()[0] == "current_article_csv.zip"
    summary = import_download(download, tmp_path / "coverage.sqlite3")

    assert summary.articles == 200 and not any(rows.count for rows in summary.bad.values())
    planted = sum(len(codes) for a in made_up_articles(200, 100_000) if a.status == "A" for codes in a.covered.values())
    assert summary.covered == planted  # every covered row of a current version, no more
    store = open_store(tmp_path / "coverage.sqlite3")
    for procedure in LISTED_PROCEDURES:
        assert len(store.articles_for(procedure, dt.date(2026, 3, 2))) == ARTICLES_PER_LISTED
