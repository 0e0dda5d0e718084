"""integrity rules: filled in by their issue."""

from scrubber.rules.base import Rule

RULES: list[Rule] = []
