"""The installed ICD-10-CM years and the choice of year by date of service.

Bundled years live in ``scrubber/refdata/codesets/data``; years a user imports (``scrubber codes import``)
live in a user data directory and win over a bundled file of the same year, so an imported FY2027
replaces the provisional one. Everything is loaded up front: rules only look things up.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import structlog

from scrubber.errors import SetupError
from scrubber.refdata.codesets.icd10.codes import ICD10_EFFECTIVE, fiscal_year
from scrubber.refdata.codesets.icd10.codeset import CodeSet

log = structlog.get_logger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data"
_FILE = re.compile(r"^icd10cm_fy(\d{4})\.json\.gz$")
_DAYS_KEPT = 1 << 14  # dates of service remembered by CodeSets.for_date (bounded: odd input cannot grow it)


def user_data_dir() -> Path:
    """``$SCRUBBER_DATA_DIR/codesets``, else ``$XDG_DATA_HOME/scrubber/codesets`` (~/.local/share)."""
    if os.environ.get("SCRUBBER_DATA_DIR"):
        return Path(os.environ["SCRUBBER_DATA_DIR"]) / "codesets"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "scrubber" / "codesets"


def installed_files(directories: Iterable[Path]) -> dict[int, Path]:
    """Data file per fiscal year; a later directory overrides an earlier one."""
    files: dict[int, Path] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            match = _FILE.match(path.name)
            if match:
                files[int(match.group(1))] = path
    return files


class CodeSetError(SetupError):
    """An installed data file cannot be read; the message names the file."""


def _nearest(available: Iterable[int], wanted: Iterable[int]) -> set[int]:
    """The wanted years that are installed, else the installed year nearest to them."""
    available, wanted = sorted(available), list(wanted)
    hits = {y for y in wanted if y in available}
    if hits or not available or not wanted:
        return hits
    return {min(available, key=lambda y: (abs(y - wanted[0]), -y))}


def _load_year(path: Path) -> CodeSet:
    try:
        codes = CodeSet.load(path)
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise CodeSetError(f"{path}: unreadable ICD-10-CM data file ({error}); re-import it") from error
    # A year is ~20 MiB of small objects that live as long as the process and never change: moved
    # out of the collector's generations, full collections stop walking them on every claim batch.
    # Frozen without a collection first (the pattern the gc docs give for fork): loading leaves no
    # cycles behind, and a collection here walked every object the imports and the year had made,
    # 8-30 ms of each process's start.
    gc.freeze()
    return codes


class _LazyYears(Mapping[int, CodeSet]):
    """Fiscal year -> code set, each year read from its file on first use, then kept."""

    def __init__(self, files: dict[int, Path]) -> None:
        self._files = dict(sorted(files.items()))
        self._loaded: dict[int, CodeSet] = {}

    def __getitem__(self, year: int) -> CodeSet:
        if year not in self._loaded:
            self._loaded[year] = _load_year(self._files[year])
            log.info("icd10cm.loaded", years=[year], files=[str(self._files[year])])
        return self._loaded[year]

    def __iter__(self) -> Iterator[int]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


class CodeSets:
    """Every installed fiscal year; :meth:`for_date` picks the one that judges a claim."""

    def __init__(self, sets: dict[int, CodeSet]) -> None:
        if not sets:
            raise ValueError("no ICD-10-CM code set installed")
        self.sets: Mapping[int, CodeSet] = sets if isinstance(sets, _LazyYears) else dict(sorted(sets.items()))
        self._fallbacks: dict[int, CodeSet] = {}
        self._by_day: dict[dt.date, CodeSet | None] = {}  # for_date's answers: a file repeats its dates

    @classmethod
    def load(
        cls,
        data_dir: Path | None = None,
        *,
        include_user: bool = True,
        years: Iterable[int] | None = None,
        lazy: bool = False,
    ) -> CodeSets:
        """Bundled years plus the user's imported years (``data_dir`` or :func:`user_data_dir`).

        ``years`` limits loading to those fiscal years (or the nearest installed one), for
        one-off lookups. ``lazy`` defers each year until a claim first needs it (a scrub run:
        a file of one year's claims then holds one year in memory, not every installed one).
        """
        directories = [BUNDLED_DIR]
        if include_user:
            directories.append(data_dir or user_data_dir())
        files = installed_files(directories)
        if years is not None:
            keep = _nearest(files, years)
            files = {y: p for y, p in files.items() if y in keep}
        if lazy:
            return cls(_LazyYears(files))  # type: ignore[arg-type]
        sets = {year: _load_year(path) for year, path in files.items()}
        log.info("icd10cm.loaded", years=sorted(sets), files=[str(p) for p in files.values()])
        return cls(sets)

    @property
    def years(self) -> list[int]:
        return list(self.sets)

    def for_year(self, year: int) -> CodeSet:
        """The code set judging fiscal year ``year``: its own, or the nearest one, labelled so."""
        if year in self.sets:
            return self.sets[year]
        if year not in self._fallbacks:
            nearest = max(self.sets) if year > max(self.sets) else min(self.sets)
            base = self.sets[nearest]
            stand_in = copy.copy(base)
            stand_in.label = f"{base.label} standing in for FY{year}"
            stand_in.caveat = (
                f"FY{year} is not installed; codes were judged against {base.label}. New or deleted "
                f"FY{year} codes may be misjudged: import the CDC FY{year} files (scrubber codes import)."
            )
            self._fallbacks[year] = stand_in
        return self._fallbacks[year]

    def for_date(self, date_of_service: dt.date) -> CodeSet | None:
        """The code set for a date of service; None before ICD-10-CM took effect (2015-10-01)."""
        try:
            return self._by_day[date_of_service]
        except KeyError:
            pass
        codes = None if date_of_service < ICD10_EFFECTIVE else self.for_year(fiscal_year(date_of_service))
        if len(self._by_day) >= _DAYS_KEPT:
            self._by_day.clear()
        self._by_day[date_of_service] = codes
        return codes

    def label_for(self, date_of_service: dt.date | None, as_of: dt.date | None = None) -> str | None:
        """What the report's ``code_set`` field says for a claim with this date of service.

        A claim without a date of service is judged as of ``as_of`` (the rules use the run date).
        """
        date_of_service = date_of_service or as_of
        if date_of_service is None:
            return None
        codes = self.for_date(date_of_service)
        return codes.label if codes is not None else "ICD-9-CM (not checked)"
