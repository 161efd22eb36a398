"""Parameter values: from the plugins (``xiaoqi_rule_params``) and ``xiaoqi.toml``, resolved per region
and date (``ParamTable``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Sequence

from ..errors import UsageError
from ..i18n import t
from ..plugins import contributions
from .model import CONFIG_ORIGIN, VALIDITY_NAMES, VALIDITY_PARAMS, Param, ParamValue, Rule, coerce_value
from .registry import get_rule, rule_set, rule_variants

def _check_region(region: Any) -> str:
    region = "" if region is None else str(region).strip()
    if region and not (region.isdigit() and len(region) in (2, 4, 6)):
        raise ValueError(t("rules.param.region"))
    return region


def config_param_values(config: dict | None, rules: dict[str, Rule]) -> list[ParamValue]:
    """ParamValues from the ``[params]`` table of ``xiaoqi.toml`` (format in ``xiaoqi.core.config``).
    ``rules`` holds every rule by its own id, variants included (their validity may be set too)."""
    out: list[ParamValue] = []
    for rule_id, table in ((config or {}).get("params") or {}).items():
        rule = rules.get(rule_id)
        if rule is None:
            raise UsageError(t("rules.unknown", rule=rule_id, rules=", ".join(sorted(rules))))
        for name, spec in (table or {}).items():
            try:
                param = find_param(rule_id, name)
            except KeyError:
                names = [p.name for r in (rule, *rule_variants(rule_id)) for p in r.params] + list(VALIDITY_NAMES)
                raise UsageError(t("rules.param.unknown", rule=rule_id, param=name,
                                   params=", ".join(names) or t("rules.none"))) from None
            entries = spec if isinstance(spec, list) and spec and all(isinstance(e, dict) for e in spec) else [{"value": spec}]
            for entry in entries:
                if "value" not in entry or set(entry) - {"value", "region", "valid_from"}:
                    raise UsageError(t("rules.param.bad_entry", rule=rule_id, param=name))
                try:
                    region = _check_region(entry.get("region"))
                    since = coerce_value(Param("valid_from", "date"), entry["valid_from"]) if entry.get("valid_from") else None
                    value = coerce_value(param, entry["value"])
                except ValueError as exc:
                    raise UsageError(t("rules.param.bad", rule=rule_id, param=name, value=entry.get("value"), reason=exc)) from None
                out.append(ParamValue(rule_id, name, value, region, since, CONFIG_ORIGIN))
    return out


def _hook_param_values() -> list[ParamValue]:
    return [replace(v, origin=v.origin or plugin) for plugin, v in contributions("xiaoqi_rule_params")]


class ParamTable:
    """Every known value of every parameter, ordered for resolution.

    A rule's validity (``Rule.valid_from`` / ``valid_to``) is kept here too, as the parameters
    ``valid_from`` / ``valid_to`` of the rule's own id (a variant's under its own id, not the
    rule it extends), so that a region or ``xiaoqi.toml`` may date a rule differently."""

    def __init__(self, rules: dict[str, Rule], values: Sequence[ParamValue], variants: Sequence[Rule] = ()):
        self.rules = rules
        self._by: dict[tuple[str, str], list[ParamValue]] = {}
        known = {**rules, **{v.id: v for v in variants}}
        for rule in known.values():
            for p in rule.params:
                if p.default is not None:
                    rule_id = rule.extends or rule.id
                    self._by.setdefault((rule_id, p.name), []).append(ParamValue(rule_id, p.name, p.default, "", None, "default"))
            for name in VALIDITY_NAMES:
                if getattr(rule, name):
                    self._by.setdefault((rule.id, name), []).append(ParamValue(rule.id, name, getattr(rule, name), "", None, "default"))
        for rank, v in enumerate(values):
            if v.rule not in known:
                continue  # a value for a rule whose plugin is not loaded
            try:
                value = coerce_value(find_param(v.rule, v.param), v.value)
                region = _check_region(v.region)
            except ValueError as exc:
                raise UsageError(t("rules.param.bad", rule=v.rule, param=v.param, value=v.value, reason=exc)) from None
            self._by.setdefault((v.rule, v.param), []).append(replace(v, value=value, region=region))
        order = {"default": 0}
        for key, items in self._by.items():
            # most specific region first, then latest valid-from; later sources (config) win ties
            indexed = list(enumerate(items))
            indexed.sort(key=lambda iv: (len(iv[1].region), iv[1].valid_from or dt.date.min,
                                         iv[1].origin == CONFIG_ORIGIN, order.get(iv[1].origin, 1), iv[0]), reverse=True)
            self._by[key] = [v for _, v in indexed]

    def fingerprint(self) -> list[str]:
        """Every value of every parameter, as text in a fixed order (``check_store.rule_set_digest``)."""
        return [f"{key}: " + "; ".join(repr((v.value, v.region, v.valid_from, v.origin)) for v in items)
                for key, items in sorted(self._by.items())]

    def candidates(self, rule_id: str, name: str) -> list[ParamValue]:
        return list(self._by.get((rule_id, name), []))

    def resolve(self, rule_id: str, name: str, region: str = "", on: dt.date | None = None) -> ParamValue | None:
        """The value that applies to one region code and date (Python mirror of the SQL CASE)."""
        for v in self._by.get((rule_id, name), []):
            if region.startswith(v.region) and (v.valid_from is None or (on is not None and v.valid_from <= on)):
                return v
        return None

    def unsettled(self, rule: Rule) -> tuple[str, ...]:
        param_rule = rule.extends or rule.id
        return tuple(p.name for p in rule.params if p.required and not self._by.get((param_rule, p.name)))


def find_param(rule_id: str, name: str) -> Param:
    """A parameter of the rule ``rule_id`` or of one of its regional variants; ``valid_from`` and
    ``valid_to`` of any rule or variant."""
    variants = _variants_by_id()
    if name in VALIDITY_NAMES:
        if rule_id not in variants:
            get_rule(rule_id)
        return next(p for p in VALIDITY_PARAMS if p.name == name)
    if rule_id in variants:
        raise KeyError(name)  # a variant's parameters belong to the rule it extends
    for rule in [get_rule(rule_id), *rule_variants(rule_id)]:
        for p in rule.params:
            if p.name == name:
                return p
    raise KeyError(name)


def _variants_by_id() -> dict[str, Rule]:
    return {v.id: v for v in rule_set().all_variants()}


def param_table(config: dict | None = None) -> ParamTable:
    rules = dict(rule_set().rules)
    variants = _variants_by_id()
    return ParamTable(rules, _hook_param_values() + config_param_values(config, {**rules, **variants}), list(variants.values()))

