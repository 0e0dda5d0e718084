"""Importing the CMS "Current Articles" download: layouts, CSV quirks, versions, broken files, atomic replace."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from scrubber.refdata.coverage import CoverageImportError, CoverageStore, import_download, open_store
from scrubber.refdata.coverage.synthetic import write_download
from tests.coverage.conftest import DAY, chest_article, import_articles, standard_articles, vascular_article


def procedures_on(store: CoverageStore, procedure: str, day: dt.date = DAY) -> list[tuple[str, int]]:
    return [(v.article.display_id, v.article.version) for v in store.articles_for(procedure, day)]


@pytest.mark.parametrize("layout", ["outer", "inner", "folder"])
def test_outer_zip_inner_zip_and_folder_import_alike(tmp_path: Path, layout: str) -> None:
    target = tmp_path / ("download" if layout == "folder" else "download.zip")
    write_download(standard_articles(), target, layout=layout)  # type: ignore[arg-type]
    summary = import_download(target, tmp_path / "coverage.sqlite3")

    assert (summary.articles, summary.procedures, summary.covered, summary.noncovered) == (2, 5, 5, 1)
    store = open_store(tmp_path / "coverage.sqlite3")
    assert procedures_on(store, "71250") == [("A50001", 4)]
    assert store.counts()["covered"] == 5


def test_a_byte_order_mark_before_the_header_is_ignored(tmp_path: Path) -> None:
    store = open_store(import_articles(tmp_path, standard_articles(), bom=True))
    assert procedures_on(store, "93880") == [("A50002", 2)]


def test_quoted_cells_and_multi_line_html_survive(tmp_path: Path) -> None:
    store = open_store(import_articles(tmp_path, standard_articles()))
    (view,) = store.articles_for("71250", DAY)
    assert view.article.title == 'Billing and Coding: Made-Up Chest CT, "Adults"'
    assert view.article.lcds == ("L39001",)
    (group,) = view.covered
    assert group.paragraph == "Group 1 Paragraph: Made-up covered list, first line second line"
    assert group.asterisk_note == "*Dual diagnosis: secondary code required & listed first"


def test_dotted_and_undotted_codes_are_one_code(tmp_path: Path) -> None:
    store = open_store(import_articles(tmp_path, standard_articles()))
    # the download lists "R911" (no dot) and "C34.90" (dot, asterisk); lookups use the undotted form
    assert store.listings(50001, 4, "R911") == ((True, 1, False),)
    assert store.listings(50001, 4, "C3490") == ((True, 1, True),)
    assert store.listings(50001, 4, "M6281") == ((False, 1, False),)


def test_windows_1252_bytes_are_read(tmp_path: Path) -> None:
    folder = write_download(standard_articles(), tmp_path / "csv", layout="folder")
    article = folder / "article.csv"
    article.write_bytes(article.read_bytes().replace(b"Made-Up Duplex", b"Made-Up \x96 Duplex"))
    store = open_store(import_articles_from(folder, tmp_path))
    assert store.articles_for("93880", DAY)[0].article.title == "Billing and Coding: Made-Up – Duplex Scans"


def import_articles_from(source: Path, tmp_path: Path) -> Path:
    database = tmp_path / "from-folder.sqlite3"
    import_download(source, database)
    return database


def test_only_status_a_versions_are_kept_and_the_newest_in_effect_wins(tmp_path: Path) -> None:
    articles = [
        chest_article(version=3, effective="2024-01-01", end="2025-12-31"),
        chest_article(version=4, effective="2026-01-01"),
        chest_article(version=5, effective="2026-02-01", status="F"),  # not current: skipped
        chest_article(article_id=50009, version=1, status="R"),
    ]
    database = import_articles(tmp_path, articles)
    store = open_store(database)
    assert procedures_on(store, "71250", dt.date(2025, 12, 31)) == [("A50001", 3)]
    assert procedures_on(store, "71250", dt.date(2026, 1, 1)) == [("A50001", 4)]
    assert procedures_on(store, "71250", dt.date(2023, 12, 31)) == []
    counts = store.counts()
    assert (counts["versions"], counts["not_current"]) == (2, 2)
    assert counts["other_versions"] > 0  # code rows of versions 5 and of the retired article were skipped


def test_an_open_ended_older_version_gives_way_to_a_newer_one(tmp_path: Path) -> None:
    articles = [chest_article(version=3, effective="2024-01-01"), chest_article(version=4, effective="2026-03-02")]
    store = open_store(import_articles(tmp_path, articles))
    assert procedures_on(store, "71250", dt.date(2026, 3, 1)) == [("A50001", 3)]
    assert procedures_on(store, "71250", dt.date(2026, 3, 2)) == [("A50001", 4)]


def test_a_procedure_dropped_by_the_newer_version_no_longer_applies(tmp_path: Path) -> None:
    articles = [
        chest_article(version=3, effective="2024-01-01", end="2026-02-28"),
        chest_article(version=4, effective="2026-03-01", procedures={1: ["71260"]}),
    ]
    store = open_store(import_articles(tmp_path, articles))
    assert procedures_on(store, "71250", dt.date(2026, 2, 28)) == [("A50001", 3)]
    assert procedures_on(store, "71250", dt.date(2026, 3, 1)) == []


@pytest.mark.parametrize(
    ("changes", "last_in_effect"),
    [
        ({"end": "2026-06-30"}, dt.date(2026, 6, 30)),
        ({"retired": "2026-06-30 00:00:00.000000"}, dt.date(2026, 6, 30)),
        ({"end": "2026-09-30", "retired": "2026-06-30"}, dt.date(2026, 6, 30)),
    ],
)
def test_end_and_retirement_dates_are_the_last_day_in_effect(
    tmp_path: Path, changes: dict, last_in_effect: dt.date
) -> None:
    store = open_store(import_articles(tmp_path, [chest_article(effective="2026-01-01", **changes)]))
    assert procedures_on(store, "71250", dt.date(2025, 12, 31)) == []
    assert procedures_on(store, "71250", dt.date(2026, 1, 1)) == [("A50001", 4)]
    assert procedures_on(store, "71250", last_in_effect) == [("A50001", 4)]
    assert procedures_on(store, "71250", last_in_effect + dt.timedelta(days=1)) == []


def test_group_paragraphs_that_name_procedures_link_only_those(tmp_path: Path) -> None:
    store = open_store(import_articles(tmp_path, standard_articles()))
    ((duplex,), (renal,)) = (store.articles_for("93882", DAY), store.articles_for("76700", DAY))
    assert [g.number for g in duplex.covered] == [1] and duplex.linked
    assert [g.number for g in renal.covered] == [2]
    (chest,) = store.articles_for("71260", DAY)
    assert not chest.linked and chest.covered[0].procedures is None


def test_rows_that_cannot_be_read_are_counted_and_skipped(tmp_path: Path) -> None:
    article = chest_article(covered={1: ["R05.9", "not-a-code", "R91.1"]})
    download = write_download([article], tmp_path / "current_article.zip")
    summary = import_download(download, tmp_path / "coverage.sqlite3")
    bad = summary.bad["article_x_icd10_covered"]
    assert bad.count == 1 and bad.lines == [3]  # header is line 1
    assert summary.covered == 2


def _one_line_error(excinfo: pytest.ExceptionInfo[CoverageImportError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_a_missing_table_is_one_line_naming_it(tmp_path: Path) -> None:
    download = write_download(standard_articles(), tmp_path / "current_article.zip", omit=["article_x_icd10_covered"])
    with pytest.raises(CoverageImportError) as excinfo:
        import_download(download, tmp_path / "coverage.sqlite3")
    message = _one_line_error(excinfo)
    assert "current_article.zip" in message and "article_x_icd10_covered.csv" in message
    assert not (tmp_path / "coverage.sqlite3").exists()


def test_a_wrong_header_is_one_line_naming_the_file_and_column(tmp_path: Path) -> None:
    rename = {("article_x_icd10_noncovered", "icd10_noncovered_group"): "icd10_group"}
    download = write_download(standard_articles(), tmp_path / "current_article.zip", rename=rename)
    with pytest.raises(CoverageImportError) as excinfo:
        import_download(download, tmp_path / "coverage.sqlite3")
    message = _one_line_error(excinfo)
    assert "current_article_csv.zip:article_x_icd10_noncovered.csv" in message
    assert "'icd10_noncovered_group'" in message


@pytest.mark.parametrize("content", [b"", b"not a zip at all"])
def test_a_file_that_is_not_a_download_is_refused(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "current_article.zip"
    bogus.write_bytes(content)
    with pytest.raises(CoverageImportError) as excinfo:
        import_download(bogus, tmp_path / "coverage.sqlite3")
    assert str(bogus) in _one_line_error(excinfo)


def test_a_download_without_current_articles_is_refused(tmp_path: Path) -> None:
    download = write_download([chest_article(status="R")], tmp_path / "current_article.zip")
    with pytest.raises(CoverageImportError, match="no current"):
        import_download(download, tmp_path / "coverage.sqlite3")


def test_a_failed_import_leaves_the_previous_store_working(tmp_path: Path) -> None:
    database = import_articles(tmp_path, standard_articles())
    before = database.read_bytes()
    reader = CoverageStore(database)  # a run that opened the store before the import
    broken = write_download([vascular_article()], tmp_path / "broken.zip", rename={("article", "status"): "state"})
    with pytest.raises(CoverageImportError):
        import_download(broken, database)
    assert database.read_bytes() == before
    assert sorted(p.name for p in database.parent.iterdir()) == ["coverage.sqlite3"]  # no temporary left
    assert procedures_on(open_store(database), "71250") == [("A50001", 4)]
    assert procedures_on(reader, "71250") == [("A50001", 4)]


def test_a_new_import_replaces_the_store_and_open_readers_keep_their_version(tmp_path: Path) -> None:
    database = import_articles(tmp_path, standard_articles())
    reader = CoverageStore(database)
    write_download([vascular_article()], tmp_path / "second.zip")
    import_download(tmp_path / "second.zip", database)

    assert procedures_on(open_store(database), "71250") == []  # the new store
    assert procedures_on(reader, "71250") == [("A50001", 4)]  # still reading the file it opened
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM article").fetchone() == (1,)


def test_a_paragraph_longer_than_the_csv_default_field_limit_is_read(tmp_path: Path) -> None:
    long_text = "<p>" + "made-up words " * 20_000 + "</p>"  # 280 KB; the csv module's default limit is 128 KiB
    store = open_store(import_articles(tmp_path, [chest_article(covered_paragraphs={1: long_text})]))
    (view,) = store.articles_for("71250", DAY)
    assert len(view.covered[0].paragraph) == len("made-up words " * 20_000) - 1
