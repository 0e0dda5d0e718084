"""Per-code attribute bits stored in the data files (one small int per code keeps them compact)."""

from __future__ import annotations

from enum import IntFlag


class CodeFlag(IntFlag):
    BILLABLE = 1  # valid on a claim (a leaf of the tabular)
    MANIFESTATION = 2  # "in diseases classified elsewhere" / MCE manifestation list
    NEWBORN = 4  # MCE age edits
    PEDIATRIC = 8
    MATERNITY = 16
    ADULT = 32
    MALE = 64  # MCE sex edits (last published for FY2024)
    FEMALE = 128
    UNACCEPTABLE_PDX = 256  # MCE: unacceptable as principal diagnosis
    UNSPECIFIED = 512  # MCE unspecified-code list
    NO_TEXT = 1024  # provisional code known only from the MCE: no tabular text bundled


AGE_FLAGS = {
    "newborn": CodeFlag.NEWBORN,
    "pediatric": CodeFlag.PEDIATRIC,
    "maternity": CodeFlag.MATERNITY,
    "adult": CodeFlag.ADULT,
}

MCE_ATTRIBUTE_FLAGS = {
    **AGE_FLAGS,
    "manifestation": CodeFlag.MANIFESTATION,
    "male": CodeFlag.MALE,
    "female": CodeFlag.FEMALE,
    "unacceptable": CodeFlag.UNACCEPTABLE_PDX,
    "unspecified": CodeFlag.UNSPECIFIED,
}


def mce_flags(attributes: frozenset[str] | set[str]) -> int:
    value = 0
    for attribute in attributes:
        value |= MCE_ATTRIBUTE_FLAGS.get(attribute, 0)
    return value
