"""CLM: claim integrity. Totals, pointers, dates, NPIs, units and code shapes."""

from __future__ import annotations

from scrubber.rules.base import Rule
from scrubber.rules.integrity.claim import (
    BadPointer,
    ChargeTotalMismatch,
    FutureServiceDate,
    ServiceBeforeBirth,
    UnreferencedDiagnosis,
)
from scrubber.rules.integrity.lines import (
    DuplicateServiceLine,
    InvalidNpi,
    InvalidProcedureFormat,
    InvalidUnitsOrCharge,
    npi_is_valid,
)

RULES: list[Rule] = [
    ChargeTotalMismatch(),
    BadPointer(),
    UnreferencedDiagnosis(),
    FutureServiceDate(),
    ServiceBeforeBirth(),
    InvalidNpi(),
    InvalidUnitsOrCharge(),
    DuplicateServiceLine(),
    InvalidProcedureFormat(),
]

__all__ = ["RULES", "npi_is_valid"]
