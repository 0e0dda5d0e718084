"""The benchmark's input files: realistic 837P claims, generated once and reused between runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrubber.synthetic import random_claims, write_837

SEED = 837
FAULTY_SHARE = 0.1  # a tenth of the claims carry a deliberate error (CLM02, pointer, header code)
CLAIMS_PER_TRANSACTION = 50  # several ST per interchange, as a clearinghouse batch holds
TRANSACTIONS_PER_INTERCHANGE = 20


@dataclass(frozen=True)
class BenchFile:
    claims: int
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def ensure_file(directory: Path, claims: int) -> BenchFile:
    """The file of ``claims`` claims, generated (streamed, constant memory) when missing."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"claims-{claims}.837"
    if not path.exists():
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="latin-1", newline="") as out:
            write_837(
                out,
                random_claims(claims, seed=SEED, faulty_share=FAULTY_SHARE),
                claims_per_transaction=CLAIMS_PER_TRANSACTION,
                transactions_per_interchange=TRANSACTIONS_PER_INTERCHANGE,
            )
        partial.replace(path)
    return BenchFile(claims, path)
