"""Test inputs with one broken segment, made from synthetic claims in several transactions."""

from __future__ import annotations

from scrubber.synthetic import ClaimSpec, render_837

CLAIM_IDS = ("PCNA", "PCNB", "PCNC")
BROKEN_CLAIM = "PCNB"
BROKEN_CHARGE = "1O0.00"  # letter O for a zero: CLM02 is type R


def clean_text() -> str:
    """Three claims, one per transaction (ST 0001..0003), one segment per line."""
    claims = [ClaimSpec(claim_id=claim_id) for claim_id in CLAIM_IDS]
    return render_837(claims, claims_per_transaction=1, line_break="\n")


def broken_text() -> str:
    """The clean file with CLM02 of the second claim spoiled (and CLM02 in no other claim changed)."""
    text = clean_text()
    clean_clm = f"CLM*{BROKEN_CLAIM}*100.00*"
    assert text.count(clean_clm) == 1
    return text.replace(clean_clm, f"CLM*{BROKEN_CLAIM}*{BROKEN_CHARGE}*")


def line_of(text: str, prefix: str) -> int:
    """1-based line (= segment position: one segment per line) of the first segment starting with prefix."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(prefix))
