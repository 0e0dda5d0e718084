"""The 837P (005010X222A1) loop grammar as data.

The walker consults these tables; it never spells segment ids out in branches. An *area* is the
level a loop hangs from (transaction header, an HL level, the claim, the claim's other-subscriber
block, a service line); an opener is the segment (and its entity or qualifier in element 01) that
starts a sub-loop there. Each loop lists the segments it may hold.
"""

from __future__ import annotations

TRANSACTION_SET = "837"  # ST01
SUPPORTED_VERSIONS = frozenset({"005010X222A1", "005010X222A2"})

HEADER = "HEADER"
BILLING_PROVIDER = "2010AA"
SUBSCRIBER_NAME = "2010BA"
PAYER_NAME = "2010BB"
PATIENT_NAME = "2010CA"
CLAIM = "2300"
RENDERING_PROVIDER = "2310B"
OTHER_SUBSCRIBER = "2320"
SERVICE_LINE = "2400"
LINE_RENDERING_PROVIDER = "2420A"

# HL03 hierarchical level code -> loop; the levels and how they nest
BILLING_LEVEL, SUBSCRIBER_LEVEL, PATIENT_LEVEL = "20", "22", "23"
HL_LEVELS: dict[str, str] = {BILLING_LEVEL: "2000A", SUBSCRIBER_LEVEL: "2000B", PATIENT_LEVEL: "2000C"}
HL_PARENT: dict[str, str] = {SUBSCRIBER_LEVEL: BILLING_LEVEL, PATIENT_LEVEL: SUBSCRIBER_LEVEL}
HL_CHILDREN: dict[str, tuple[str, ...]] = {
    BILLING_LEVEL: (SUBSCRIBER_LEVEL, PATIENT_LEVEL),
    SUBSCRIBER_LEVEL: (PATIENT_LEVEL,),
}
HL_NAMES: dict[str, str] = {BILLING_LEVEL: "billing provider", SUBSCRIBER_LEVEL: "subscriber", PATIENT_LEVEL: "patient"}

ANY = "*"  # opener key for "this segment id with any element 01"

# area -> {(segment id, element 01 or ANY): loop it opens}
LOOP_OPENERS: dict[str, dict[tuple[str, str], str]] = {
    HEADER: {("NM1", "41"): "1000A", ("NM1", "40"): "1000B"},
    "2000A": {("NM1", "85"): "2010AA", ("NM1", "87"): "2010AB", ("NM1", "PE"): "2010AC"},
    "2000B": {("NM1", "IL"): "2010BA", ("NM1", "PR"): "2010BB"},
    "2000C": {("NM1", "QC"): "2010CA"},
    CLAIM: {
        ("NM1", "DN"): "2310A",
        ("NM1", "P3"): "2310A",
        ("NM1", "82"): "2310B",
        ("NM1", "77"): "2310C",
        ("NM1", "DQ"): "2310D",
        ("NM1", "PW"): "2310E",
        ("NM1", "45"): "2310F",
        ("SBR", ANY): OTHER_SUBSCRIBER,
    },
    OTHER_SUBSCRIBER: {
        ("SBR", ANY): OTHER_SUBSCRIBER,
        ("NM1", "IL"): "2330A",
        ("NM1", "PR"): "2330B",
        ("NM1", "DN"): "2330C",
        ("NM1", "P3"): "2330C",
        ("NM1", "82"): "2330D",
        ("NM1", "77"): "2330E",
        ("NM1", "DQ"): "2330F",
        ("NM1", "85"): "2330G",
    },
    SERVICE_LINE: {
        ("LIN", ANY): "2410",
        ("NM1", "82"): "2420A",
        ("NM1", "QB"): "2420B",
        ("NM1", "77"): "2420C",
        ("NM1", "DQ"): "2420D",
        ("NM1", "DK"): "2420E",
        ("NM1", "DN"): "2420F",
        ("NM1", "P3"): "2420F",
        ("NM1", "PW"): "2420G",
        ("NM1", "45"): "2420H",
        ("SVD", ANY): "2430",
        ("LQ", ANY): "2440",
    },
}

# Segments that start a hierarchy level, a claim or a service line wherever they stand.
STARTERS = frozenset({"HL", "CLM", "LX"})

_NAME_LOOP = frozenset({"NM1", "N2", "N3", "N4", "REF", "PER", "PRV"})

# loop -> segment ids it may hold (its opener included)
LOOP_SEGMENTS: dict[str, frozenset[str]] = {
    HEADER: frozenset({"BHT", "REF"}),
    "1000A": frozenset({"NM1", "PER"}),
    "1000B": frozenset({"NM1"}),
    "2000A": frozenset({"HL", "PRV", "CUR"}),
    "2010AA": _NAME_LOOP,
    "2010AB": frozenset({"NM1", "N3", "N4"}),
    "2010AC": _NAME_LOOP,
    "2000B": frozenset({"HL", "SBR", "PAT"}),
    "2010BA": frozenset({"NM1", "N3", "N4", "DMG", "REF", "PER"}),
    "2010BB": frozenset({"NM1", "N3", "N4", "REF"}),
    "2000C": frozenset({"HL", "PAT"}),
    "2010CA": frozenset({"NM1", "N3", "N4", "DMG", "REF", "PER"}),
    CLAIM: frozenset({"CLM", "DTP", "PWK", "CN1", "AMT", "REF", "K3", "NTE", "CR1", "CR2", "CRC", "HI", "HCP"}),
    **{f"2310{x}": _NAME_LOOP for x in "ABCDEF"},
    OTHER_SUBSCRIBER: frozenset({"SBR", "CAS", "AMT", "OI", "MIA", "MOA"}),
    **{f"2330{x}": _NAME_LOOP | {"DTP"} for x in "ABCDEFG"},
    SERVICE_LINE: frozenset(
        {
            "LX",
            "SV1",
            "SV5",
            "PWK",
            "CR1",
            "CR3",
            "CRC",
            "DTP",
            "QTY",
            "MEA",
            "CN1",
            "REF",
            "AMT",
            "K3",
            "NTE",
            "PS1",
            "HCP",
        }
    ),
    "2410": frozenset({"LIN", "CTP", "REF"}),
    **{f"2420{x}": _NAME_LOOP for x in "ABCDEFGH"},
    "2430": frozenset({"SVD", "CAS", "DTP", "AMT"}),
    "2440": frozenset({"LQ", "FRM"}),
}

# HI qualifiers that carry diagnosis codes on a professional claim (principal, other)
ICD10_QUALIFIERS = frozenset({"ABK", "ABF"})
ICD9_QUALIFIERS = frozenset({"BK", "BF"})
DIAGNOSIS_QUALIFIERS = ICD10_QUALIFIERS | ICD9_QUALIFIERS
MAX_DIAGNOSES = 12  # HI codes a claim may carry, and so the highest SV107 pointer
MAX_POINTERS = 4  # SV107 components
MAX_MODIFIERS = 4  # SV101-3 .. SV101-6

SERVICE_DATE = "472"  # DTP01 qualifier: date of service
PROCEDURE_QUALIFIER = "HC"  # SV101-1: HCPCS / CPT
UNIT_BASES = frozenset({"UN", "MJ"})  # SV103: units, minutes
NPI_QUALIFIER = "XX"  # NM108: the id in NM109 is an NPI
SELF = "18"  # SBR02 / PAT01 individual relationship code: the patient is the subscriber


def loop_opened_by(area: str, segment_id: str, element_01: str) -> str | None:
    """The loop this segment opens in ``area``, or None when it opens none."""
    openers = LOOP_OPENERS.get(area)
    if not openers:
        return None
    return openers.get((segment_id, element_01)) or openers.get((segment_id, ANY))


def plain_segments() -> frozenset[tuple[str, str, str]]:
    """(area, loop, segment id) for every segment that, in that state, opens no loop, starts nothing
    and belongs to the loop: the segments a walker keeps where it stands (most of a file).

    The states are those a walk reaches: an area right after its HL, CLM, LX (or a 2320 SBR), and
    each loop an opener of the area starts (an opened 2320 is an area of its own).
    """
    areas = [HEADER, *HL_LEVELS.values(), CLAIM, OTHER_SUBSCRIBER, SERVICE_LINE]
    states = {(area, area) for area in areas}
    for area, openers in LOOP_OPENERS.items():
        states |= {(OTHER_SUBSCRIBER if loop == OTHER_SUBSCRIBER else area, loop) for loop in openers.values()}
    plain = set()
    for area, loop in states:
        opening = {sid for sid, _ in LOOP_OPENERS.get(area, {})}
        plain |= {(area, loop, sid) for sid in LOOP_SEGMENTS.get(loop, ()) if sid not in STARTERS | opening}
    return frozenset(plain)
