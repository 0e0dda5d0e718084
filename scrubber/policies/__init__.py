"""Diagnosis-to-procedure pairing policies: TOML packs, their models and the merged set."""

from scrubber.policies.loader import PolicyPackError, default_pack_path, load_pack, load_policies
from scrubber.policies.models import Citation, DeniedPair, PolicyPack, SupportPolicy
from scrubber.policies.policyset import PolicySet

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
