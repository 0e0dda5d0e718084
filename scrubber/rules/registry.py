"""The one table of rules. Registering a code twice is an error, as in ruff's codes table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scrubber.rules.base import Rule


class DuplicateRuleCode(ValueError):
    """Two rules claim the same code: codes are stable identifiers and are never shared."""


class RuleRegistry:
    """Rules by code, in catalogue order."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.register(rule)

    def register(self, rule: Rule) -> None:
        if rule.code in self._rules:
            raise DuplicateRuleCode(f"rule code {rule.code} is registered twice")
        self._rules[rule.code] = rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def get(self, code: str) -> Rule | None:
        return self._rules.get(code.upper())

    def __getitem__(self, code: str) -> Rule:
        rule = self.get(code)
        if rule is None:
            raise KeyError(code)
        return rule
