"""Build claims for tests from a few parameters, through the real renderer and walker.

    claim = build_claim(ClaimSpec(diagnoses=["M62.81"], lines=[LineSpec(procedure="71250")]))

The claim goes through the same 837P text and parser as a real file, so segment positions and
element locations in findings are real.
"""

from __future__ import annotations

from scrubber.model import Claim
from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from scrubber.transaction.walker import read_claims

__all__ = ["ClaimSpec", "LineSpec", "build_claim", "build_claims", "render"]


def render(*specs: ClaimSpec, **options: object) -> bytes:
    """An 837P file (bytes) holding the given claims."""
    return render_837(list(specs), **options).encode("latin-1")  # type: ignore[arg-type]


def build_claims(*specs: ClaimSpec) -> list[Claim]:
    return read_claims(render(*specs))


def build_claim(spec: ClaimSpec | None = None, **fields: object) -> Claim:
    """One parsed claim, from a spec or from ClaimSpec fields given as keywords."""
    spec = spec or ClaimSpec(**fields)  # type: ignore[arg-type]
    (claim,) = build_claims(spec)
    return claim
