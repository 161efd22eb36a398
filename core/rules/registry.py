"""The registry of rules: every ``Rule`` the plugins register, by id, and their regional variants.

Collected through ``xiaoqi_register_rules`` in plugin registration order, again whenever a plugin
is registered or unregistered; a rule id registered by two plugins is a ``PluginConflict``."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import UsageError
from ..i18n import t
from ..plugins import contributions, derived, unique
from .model import Rule


@dataclass(frozen=True)
class RuleSet:
    #: every rule by id, in id order (regional variants are not here)
    rules: dict[str, Rule]
    #: the regional variants of each rule (``extends=``), in registration order
    variants: dict[str, list[Rule]]

    def all_variants(self) -> list[Rule]:
        return [v for vs in self.variants.values() for v in vs]


@derived
def rule_set() -> RuleSet:
    base: list[tuple[str, str, Rule]] = []
    variants: dict[str, list[Rule]] = {}
    for plugin, rule in contributions("xiaoqi_register_rules"):
        rule = replace(rule, plugin=plugin)
        if rule.extends:
            variants.setdefault(rule.extends, []).append(rule)
        else:
            base.append((plugin, rule.id, rule))
    return RuleSet(dict(sorted(unique("rule", base).items())), variants)


def get_rules() -> dict[str, Rule]:
    """Every rule by id (national and regional), in id order; variants are not listed here."""
    return rule_set().rules


def get_rule(rule_id: str) -> Rule:
    rules = get_rules()
    if rule_id not in rules:
        raise UsageError(t("rules.unknown", rule=rule_id, rules=", ".join(rules)))
    return rules[rule_id]


def rule_variants(rule_id: str) -> list[Rule]:
    """Regional variants registered with ``extends=rule_id``."""
    return list(rule_set().variants.get(rule_id, []))
