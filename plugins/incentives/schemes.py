"""The intern-subsidy schemes other plugins add (``xiaoqi_intern_subsidy_schemes``), each with its
figures as dated parameters of a rule of its own.

A scheme declares its figures as ``Param``s (``params``): a default where a public text fixes the
figure, none where nothing does. This plugin registers one rule per scheme — ``INC-<ID>``, e.g.
``INC-NINGDE``, in force in the scheme's region (``province``) from its ``valid_from`` to its
``valid_to`` — so that the scheme's figures and dates are read like any rule parameter: a regional
or dated value (``xiaoqi_rule_params`` of a plugin, ``[params."INC-NINGDE"]`` in ``xiaoqi.toml``)
is a new row, never new code. The rule itself holds that a subsidy of the scheme is paid only on a
case whose steps all pass or are decided by an audited override.

``cases(ctx, year)`` gets a ``SchemeContext``: the rule context of the scheme's rule (``ctx.conn``,
``ctx.applies(region, date)`` for the scheme's region and validity, ``ctx.param(name, region=…,
on=…)`` as SQL resolved per row, ``ctx.param_value`` in Python) and ``ctx.need(value, name, …)``,
which notes a figure that has no value for a case; ``accrue`` and ``claim`` refuse such a case with
a message naming the parameter and how to set it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xiaoqi.core.errors import UsageError
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule, RuleContext
from xiaoqi.core.rules.context import Scope

catalogue(
    {
        "inc.scheme.unset": ("补贴项目「{scheme}」的参数 {param}（规则 {rule}）对地区 {region}、日期 {on} 没有取值（共 {n} 个案件缺少取值）。"
                             "请在 xiaoqi.toml 中设定，例如：[params.\"{rule}\"] {param} = [{{ value = …, region = \"{region}\", valid_from = {on} }}]",
                             "Subsidy scheme '{scheme}': parameter {param} (rule {rule}) has no value for region {region} on {on} "
                             "({n} case(s) lack a value). Set it in xiaoqi.toml, e.g. [params.\"{rule}\"] {param} = [{{ value = …, region = \"{region}\", valid_from = {on} }}]"),
        "inc.scheme.bad": ("插件 {plugin} 提供的补贴项目无效：{reason}", "the subsidy scheme given by plugin {plugin} is invalid: {reason}"),
        "inc.rule.scheme.msg": ("{firm}的{scheme}案件 {case} 已拨付 {paid} 元，但审核步骤未全部通过且无例外：{steps}",
                                "{firm} was paid {paid} yuan on the {scheme} case {case}, whose steps do not all pass and are not overridden: {steps}"),
        "inc.rule.scheme.req": ("{scheme}只拨付给审核步骤全部通过或经登记例外的案件",
                                "{scheme} is paid only on a case whose steps all pass or are overridden"),
        "inc.rule.scheme.title": ("{scheme}未经审核拨付", "{scheme} paid without eligibility"),
    }
)


def rule_id(scheme: dict) -> str:
    """The id of the scheme's rule: ``rule`` if the scheme names one, else ``INC-`` and its id."""
    return scheme.get("rule") or "INC-" + str(scheme["id"]).upper().replace("_", "-")


def schemes() -> list[dict]:
    """The intern-subsidy schemes other plugins add (``xiaoqi_intern_subsidy_schemes``), by id;
    none while the hook is missing (the incentives plugin not loaded in this manager)."""
    from xiaoqi.core.plugins import get_plugin_manager

    caller = getattr(get_plugin_manager().hook, "xiaoqi_intern_subsidy_schemes", None)
    if caller is None or caller.spec is None:
        return []
    found = [s for result in caller() for s in (result or [])]
    return sorted(found, key=lambda s: s["id"])


def by_id() -> dict[str, dict]:
    return {s["id"]: s for s in schemes()}


def has_param(scheme: dict, name: str) -> bool:
    return any(p.name == name for p in scheme.get("params", ()))


def scheme_label(scheme: dict) -> str:
    from xiaoqi.core.i18n import both

    return both(*scheme["name"])


def scheme_rules() -> list[Rule]:
    """One rule per scheme (see the module)."""
    out = []
    for scheme in schemes():
        name = scheme["name"]
        out.append(Rule(
            id=rule_id(scheme), severity="error",
            title=(t("inc.rule.scheme.title", "zh", scheme=name[0]), t("inc.rule.scheme.title", "en", scheme=name[1])),
            source=scheme.get("source") or name[0], evaluate=_evaluate(scheme), params=tuple(scheme.get("params", ())),
            requirement=(t("inc.rule.scheme.req", "zh", scheme=name[0]), t("inc.rule.scheme.req", "en", scheme=name[1])),
            region_by="enterprise", province=scheme.get("region") or None, valid_from=scheme.get("valid_from"),
            valid_to=scheme.get("valid_to"), subject_kind="inc_lines"))
    return out


@dataclass
class Missing:
    param: str
    region: str
    on: dt.date | None
    count: int = 1


class SchemeContext(RuleContext):
    """The rule context of a scheme's rule, given to the scheme's ``cases`` (see the module)."""

    def __init__(self, conn, scheme: dict, params):
        from xiaoqi.core.rules import get_rule

        super().__init__(conn, get_rule(rule_id(scheme)), params, Scope())
        self.scheme = scheme
        self.missing: dict[str, Missing] = {}

    def firms_in_region(self, uscc: str = "i.uscc") -> str:
        """SQL condition: the enterprise ``uscc`` (a column) lies in the scheme's region — as a range
        over the enterprises' region index, so that the database starts from the region's few
        enterprises and their internships (``ix_internships_uscc_dates``), not from every
        internship of the year. ``applies`` still decides the region and validity of each row."""
        prefix = str(self.scheme.get("region") or "")
        if not prefix:
            return "1 = 1"
        upper = str(int(prefix) + 1).zfill(len(prefix))
        return (f"{uscc} IN (SELECT x.uscc FROM enterprises x WHERE x.region >= {self.bind(prefix)} "
                f"AND x.region < {self.bind(upper)})")

    def need(self, value: Any, name: str, *, region: str | None, on: dt.date | None) -> Any:
        """``value`` (a figure read for a case, e.g. a column of ``param``); None notes the figure
        as missing for that region and day, for ``accrue`` and ``claim`` to refuse."""
        if value is None:
            seen = self.missing.get(name)
            if seen is None:
                self.missing[name] = Missing(name, region or "", on)
            else:
                seen.count += 1
        return value

    def figure(self, name: str, *, region: str | None, on: dt.date | None) -> Any:
        """The figure for a region and day, in Python (None noted as missing)."""
        return self.need(self.param_value(name, region=region, on=on), name, region=region, on=on)

    def refuse_missing(self) -> None:
        if not self.missing:
            return
        first = next(iter(self.missing.values()))
        raise UsageError(t("inc.scheme.unset", scheme=scheme_label(self.scheme), param=first.param, rule=self.rule.id,
                           region=first.region or "—", on=first.on or "—", n=first.count))


def run_cases(conn, scheme: dict, year: int, params) -> tuple[list[dict], SchemeContext]:
    """Every case the scheme gives for ``year`` (a case whose figure was missing has ``amount``
    None) and the context that noted what was missing."""
    ctx = SchemeContext(conn, scheme, params)
    found = list(scheme["cases"](ctx, year))
    for case in found:
        if case.get("amount") is not None:
            case["amount"] = Decimal(case["amount"]).quantize(Decimal("0.01"))
    return found, ctx


def cases_of(conn, scheme: dict, year: int, params, *, strict: bool = True) -> list[dict]:
    """The scheme's cases of ``year`` with their figures resolved per case; ``strict`` refuses (a
    ``UsageError``) when a figure a case needs has no value, otherwise leaves such cases out."""
    found, ctx = run_cases(conn, scheme, year, params)
    if strict:
        ctx.refuse_missing()
    return [c for c in found if c.get("amount") is not None]


def pass_on_days(params, scheme: dict, region: str | None, on: dt.date) -> int | None:
    """The days within which a paid subsidy of the scheme reaches the student (None: not passed on)."""
    if not has_param(scheme, "pass_on_days"):
        return None
    found = params.resolve(rule_id(scheme), "pass_on_days", region or "", on)
    return None if found is None or found.value is None else int(found.value)


def _evaluate(scheme: dict):
    def evaluate(ctx: RuleContext):
        from .rules import scheme_steps

        return scheme_steps(ctx, scheme)

    return evaluate
