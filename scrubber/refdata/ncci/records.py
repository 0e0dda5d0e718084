"""One NCCI edit each: a PTP code pair or an MUE limit, as read from the CMS files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MODIFIER_NOT_ALLOWED = 0
MODIFIER_ALLOWED = 1
MODIFIER_NOT_APPLICABLE = 9

MAI_LINE = 1  # claim-line edit
MAI_DOS_POLICY = 2  # date-of-service edit, absolute (policy)
MAI_DOS_CLINICAL = 3  # date-of-service edit, clinical


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """A column-1/column-2 pair: the column-2 code is not paid with the column-1 code."""

    column1: str
    column2: str
    effective: dt.date
    deletion: dt.date | None  # None when the file says "*" (no deletion date)
    modifier: int  # 0 never, 1 with an NCCI-associated modifier, 9 not applicable
    rationale: str = ""
    prior_1996: bool = False

    def active_on(self, day: dt.date) -> bool:
        """In effect on ``day``: on or after the effective date and before the deletion date."""
        return self.effective <= day and (self.deletion is None or day < self.deletion)


@dataclass(frozen=True, slots=True)
class MueEdit:
    """The most units of a code one provider reports for one patient on one date of service."""

    code: str
    value: int
    mai: int  # MUE adjudication indicator: 1 line, 2 DOS (policy), 3 DOS (clinical)
    rationale: str = ""

    @property
    def per_date_of_service(self) -> bool:
        return self.mai in (MAI_DOS_POLICY, MAI_DOS_CLINICAL)
