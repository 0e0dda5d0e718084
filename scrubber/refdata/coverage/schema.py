"""The SQLite layout of imported coverage articles, shared by the importer and the reader.

One row per current article version; the code lists keyed for the two lookups the rules make
(which article versions list a procedure; how an article version lists a diagnosis). Dates are
integers yyyymmdd. No CPT descriptions are stored: only code numbers, group numbers, titles and
the group paragraphs (plain text) the findings quote.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"
DATABASE_NAME = "coverage.sqlite3"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE article (
    article_id INTEGER NOT NULL, version INTEGER NOT NULL, display_id TEXT NOT NULL, title TEXT NOT NULL,
    article_type TEXT NOT NULL, effective INTEGER, last_day INTEGER, lcds TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
) WITHOUT ROWID;
CREATE TABLE hcpc (
    code TEXT NOT NULL, article_id INTEGER NOT NULL, version INTEGER NOT NULL, grp INTEGER NOT NULL,
    PRIMARY KEY (code, article_id, version, grp)
) WITHOUT ROWID;
CREATE TABLE hcpc_range (
    first TEXT NOT NULL, last TEXT NOT NULL, article_id INTEGER NOT NULL, version INTEGER NOT NULL,
    grp INTEGER NOT NULL
);
CREATE TABLE code_group (
    article_id INTEGER NOT NULL, version INTEGER NOT NULL, covered INTEGER NOT NULL, grp INTEGER NOT NULL,
    paragraph TEXT NOT NULL, asterisk_note TEXT NOT NULL,
    procedures TEXT,  -- space-separated codes the paragraph names and the article lists; NULL: every one
    PRIMARY KEY (article_id, version, covered, grp)
) WITHOUT ROWID;
CREATE TABLE icd (
    article_id INTEGER NOT NULL, version INTEGER NOT NULL, code TEXT NOT NULL, covered INTEGER NOT NULL,
    grp INTEGER NOT NULL, asterisk INTEGER NOT NULL,
    PRIMARY KEY (article_id, version, code, covered, grp)
) WITHOUT ROWID;
CREATE TABLE icd_range (
    article_id INTEGER NOT NULL, version INTEGER NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL,
    covered INTEGER NOT NULL, grp INTEGER NOT NULL, asterisk INTEGER NOT NULL
);
"""
