"""NCCI PTP and MUE tables: importers for the CMS files and the local store they go into.

CMS tables contain CPT content and are never shipped; users import the files they download.
"""

from scrubber.refdata.ncci.records import MueEdit, PtpEdit
from scrubber.refdata.ncci.store import NcciTables, default_database_path, import_tables, open_tables
from scrubber.refdata.ncci.tables import NcciFileError

__all__ = [
    "MueEdit",
    "NcciFileError",
    "NcciTables",
    "PtpEdit",
    "default_database_path",
    "import_tables",
    "open_tables",
]
