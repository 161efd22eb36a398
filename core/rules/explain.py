"""``explain``: a rule, its source, and its parameters as they resolve for a region and date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import UsageError
from ..i18n import both
from .model import Param, ParamValue, Rule, _jsonable
from .params import _check_region, param_table
from .registry import get_rule, rule_variants

@dataclass(frozen=True)
class ParamExplanation:
    param: Param
    #: the value that applies to the region today (or on ``on``), None if not settled
    current: ParamValue | None
    #: every value that can apply to the region, most specific / latest first
    values: list[ParamValue]


@dataclass(frozen=True)
class Validity:
    """When a rule (or one of its versions or regional variants) judges internships, as its
    ``valid_from`` / ``valid_to`` resolve for the region (None: unbounded that way)."""

    rule: Rule
    valid_from: ParamValue | None
    valid_to: ParamValue | None

    def as_dict(self) -> dict:
        return {"rule": self.rule.id, "version": self.rule.version, "province": self.rule.province,
                "source": self.rule.source, "requirement": both(*self.rule.requirement),
                "valid_from": _jsonable(self.valid_from.value) if self.valid_from else None,
                "valid_to": _jsonable(self.valid_to.value) if self.valid_to else None,
                "valid_from_year_only": self.rule.valid_from_year_only and bool(self.valid_from) and self.valid_from.origin == "default",
                "origin": (self.valid_from or self.valid_to).origin if (self.valid_from or self.valid_to) else None}


@dataclass(frozen=True)
class Explanation:
    rule: Rule
    region: str
    on: dt.date
    params: list[ParamExplanation]
    variants: list[Rule]
    unsettled: tuple[str, ...]
    #: the rule's own dates first, then its dated versions, then the regional variants shown
    validity: list[Validity]

    @property
    def versions(self) -> list[Validity]:
        """The rule and its dated versions (variants of no province), latest first."""
        own = [v for v in self.validity if v.rule is self.rule or not v.rule.province]
        return sorted(own, key=lambda v: v.valid_from.value if v.valid_from else dt.date.min, reverse=True)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.id, "severity": self.rule.severity, "title": self.rule.label(),
            "requirement": both(*self.rule.requirement), "source": self.rule.source, "plugin": self.rule.plugin,
            "region_by": self.rule.region_by, "province": self.rule.province,
            "valid_from": self.validity[0].as_dict()["valid_from"], "valid_to": self.validity[0].as_dict()["valid_to"],
            "region": self.region, "on": self.on.isoformat(),
            "params": [{
                "name": p.param.name, "type": p.param.type, "doc": p.param.describe(),
                "value": _jsonable(p.current.value) if p.current else None,
                "origin": p.current.origin if p.current else None,
                "values": [{"value": _jsonable(v.value), "region": v.region, "valid_from": _jsonable(v.valid_from),
                            "origin": v.origin} for v in p.values],
            } for p in self.params],
            "variants": [{"plugin": v.plugin, "province": v.province, "requirement": both(*v.requirement)}
                         for v in self.variants if v.province],
            "versions": [v.as_dict() for v in self.versions],
            "validity": [v.as_dict() for v in self.validity],
            "unsettled": list(self.unsettled),
        }


def explain(rule_id: str, region: str | None = None, *, config: dict | None = None, on: dt.date | None = None) -> Explanation:
    """The rule, its source, and its parameters as they resolve for ``region`` (default: national)."""
    rule = get_rule(rule_id)
    try:
        region = _check_region(region)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    on = on or dt.date.today()
    table = param_table(config)
    variants = [v for v in rule_variants(rule.id) if not v.province or region.startswith(v.province)]
    params = []
    for p in [*rule.params, *(q for v in variants for q in v.params if q not in rule.params)]:
        values = [v for v in table.candidates(rule.id, p.name) if region.startswith(v.region)]
        params.append(ParamExplanation(p, table.resolve(rule.id, p.name, region, on), values))
    validity = [Validity(r, table.resolve(r.id, "valid_from", region, on), table.resolve(r.id, "valid_to", region, on))
                for r in [rule, *variants]]
    return Explanation(rule=rule, region=region, on=on, params=params, variants=variants, unsettled=table.unsettled(rule),
                       validity=validity)
