"""Diagnosis-to-procedure pairing policies: TOML packs, their models and the merged set."""

from scrubber.refdata.policies.loader import PolicyPackError, default_pack_path, load_pack, load_policies
from scrubber.refdata.policies.models import Citation, DeniedPair, PolicyPack, SupportPolicy
from scrubber.refdata.policies.policyset import PolicySet

__all__ = [
    "Citation",
    "DeniedPair",
    "PolicyPack",
    "PolicyPackError",
    "PolicySet",
    "SupportPolicy",
    "default_pack_path",
    "load_pack",
    "load_policies",
]
