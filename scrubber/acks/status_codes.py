"""Which 277CA claim status a finding becomes: one table from rule id to STC category and code.

Category (code source 507): A2 accepted into adjudication; A3 returned as unprocessable (the
data cannot be read: structure, envelopes); A7 rejected for invalid information (the data reads
but is wrong). Status code (code source 508), e.g. 21 missing or invalid information, 254
principal diagnosis code, 255 diagnosis code, 454 procedure code, 562 entity's NPI (which needs
an entity code in STC01-3: 85 billing provider, 82 rendering provider).
"""

from __future__ import annotations

from dataclasses import dataclass

from scrubber.findings import Finding

ACCEPTED_CATEGORY, ACCEPTED_CODE = "A2", "20"  # accepted for processing
RECEIVED_CATEGORY, RECEIVED_CODE = "A1", "19"  # entity acknowledges receipt


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """STC01: category, status code and (when the code asks for one) the entity it concerns."""

    category: str
    code: str
    entity: str = ""


_INVALID, _UNPROCESSABLE = "A7", "A3"

# rule id -> status. Rules not listed fall back to their family prefix, then to A7:21.
STATUS_FOR_RULE: dict[str, ClaimStatus] = {
    "ICD001": ClaimStatus(_INVALID, "255"),  # invalid code (254 when principal: see status_for)
    "ICD002": ClaimStatus(_INVALID, "255"),  # header (non-billable) code
    "ICD003": ClaimStatus(_INVALID, "255"),  # ICD-9 qualifier after the ICD-10 date
    "ICD004": ClaimStatus(_INVALID, "255"),  # Excludes1 conflict
    "ICD005": ClaimStatus(_INVALID, "254"),  # manifestation code listed first
    "ICD006": ClaimStatus(_INVALID, "254"),  # external-cause code listed first
    "ICD007": ClaimStatus(_INVALID, "255"),  # age conflict
    "ICD008": ClaimStatus(_INVALID, "86"),  # diagnosis and patient gender mismatch
    "ICD009": ClaimStatus(_INVALID, "255"),
    "ICD010": ClaimStatus(_INVALID, "255"),
    "ICD011": ClaimStatus(_INVALID, "255"),  # duplicate diagnosis
    "PAIR001": ClaimStatus(_INVALID, "454"),  # procedure not supported by a pointed diagnosis
    "PAIR002": ClaimStatus(_INVALID, "454"),  # denied dx/procedure pairing
    "CLM001": ClaimStatus(_INVALID, "400"),  # claim is out of balance
    "CLM002": ClaimStatus(_INVALID, "477"),  # diagnosis code pointer missing or invalid
    "CLM003": ClaimStatus(_INVALID, "255"),
    "CLM004": ClaimStatus(_INVALID, "187"),  # date(s) of service
    "CLM005": ClaimStatus(_INVALID, "187"),
    "CLM006": ClaimStatus(_INVALID, "562", "85"),  # NPI (entity from the finding's loop)
    "CLM007": ClaimStatus(_INVALID, "476"),  # units of service (178 for the charge: see status_for)
    "CLM008": ClaimStatus(_INVALID, "54"),  # duplicate of a claim/line
    "CLM009": ClaimStatus(_INVALID, "454"),  # procedure code
    "NCCI001": ClaimStatus(_INVALID, "454"),  # NCCI PTP pair
    "NCCI002": ClaimStatus(_INVALID, "476"),  # units beyond the MUE
    "ENV008": ClaimStatus(_INVALID, "21"),  # a value that cannot be read
}

STATUS_FOR_FAMILY: dict[str, ClaimStatus] = {
    "X12": ClaimStatus(_UNPROCESSABLE, "21"),  # structural error (SNIP 1-2): returned unprocessable
    "ENV": ClaimStatus(_UNPROCESSABLE, "21"),
    "ICD": ClaimStatus(_INVALID, "255"),
    "PAIR": ClaimStatus(_INVALID, "454"),
    "NCCI": ClaimStatus(_INVALID, "454"),
    "CLM": ClaimStatus(_INVALID, "21"),
}
DEFAULT_STATUS = ClaimStatus(_INVALID, "21")

_RENDERING_LOOPS = ("2310B", "2420A")


def status_for(finding: Finding) -> ClaimStatus:
    """The STC a rejecting finding maps to, refined by the element it points at."""
    status = STATUS_FOR_RULE.get(finding.rule)
    if status is None:
        family = next((prefix for prefix in STATUS_FOR_FAMILY if finding.rule.startswith(prefix)), "")
        status = STATUS_FOR_FAMILY.get(family, DEFAULT_STATUS)
    location = finding.location
    element = location.element if location else ""
    if status.code == "255" and element.startswith("HI01"):
        status = ClaimStatus(status.category, "254")  # the principal diagnosis
    elif finding.rule == "CLM007" and element.startswith("SV102"):
        status = ClaimStatus(status.category, "178")  # submitted charges
    elif status.code == "562" and location is not None and location.loop in _RENDERING_LOOPS:
        status = ClaimStatus(status.category, "562", "82")
    return status
