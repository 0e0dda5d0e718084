"""CMS coverage articles (Medicare Coverage Database download): import, store and PAIR001 lookups.

CMS publishes every Local Coverage Determination's billing and coding article with its covered
and non-covered ICD-10-CM lists per HCPCS group. The lists name CPT codes under the AMA licence,
so scrubber ships only this importer: users download ``current_article.zip`` themselves and run
``scrubber policies import``.
"""

from scrubber.refdata.coverage.importer import ImportSummary, import_download
from scrubber.refdata.coverage.pairing import CoverageRules, LineVerdict
from scrubber.refdata.coverage.schema import DATABASE_NAME
from scrubber.refdata.coverage.source import CoverageImportError
from scrubber.refdata.coverage.store import Article, CoverageDataError, CoverageStore, open_store

__all__ = [
    "DATABASE_NAME",
    "Article",
    "CoverageDataError",
    "CoverageImportError",
    "CoverageRules",
    "CoverageStore",
    "ImportSummary",
    "LineVerdict",
    "import_download",
    "open_store",
]
