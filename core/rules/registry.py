"""The registry of rules: every ``Rule`` the plugins register, by id, and their regional variants."""

from __future__ import annotations

from dataclasses import replace

from ..errors import UsageError
from ..i18n import t
from ..plugins import get_plugin_manager, on_plugins_changed
from .model import Rule

_rules: tuple[dict[str, Rule], dict[str, list[Rule]]] | None = None


@on_plugins_changed
def _reset() -> None:
    global _rules
    _rules = None


def _load() -> tuple[dict[str, Rule], dict[str, list[Rule]]]:
    global _rules
    if _rules is None:
        pm = get_plugin_manager()
        base: dict[str, Rule] = {}
        variants: dict[str, list[Rule]] = {}
        for impl in reversed(pm.hook.xiaoqi_register_rules.get_hookimpls()):  # registration order
            for rule in impl.function() or []:
                rule = replace(rule, plugin=impl.plugin_name)
                if rule.extends:
                    variants.setdefault(rule.extends, []).append(rule)
                else:
                    base[rule.id] = rule
        _rules = (dict(sorted(base.items())), variants)
    return _rules


def get_rules() -> dict[str, Rule]:
    """Every rule by id (national and regional), in id order; variants are not listed here."""
    return _load()[0]


def get_rule(rule_id: str) -> Rule:
    rules = get_rules()
    if rule_id not in rules:
        raise UsageError(t("rules.unknown", rule=rule_id, rules=", ".join(rules)))
    return rules[rule_id]


def rule_variants(rule_id: str) -> list[Rule]:
    """Regional variants registered with ``extends=rule_id``."""
    return list(_load()[1].get(rule_id, []))

