"""The compliance rule engine: rules, their parameters, and findings.

How a plugin defines a rule
===========================
A rule is a ``Rule`` returned from the hook ``xiaoqi_register_rules``. Its ``evaluate`` function
receives a ``RuleContext`` and yields ``Finding`` objects. It must find every violation in the
registry with a few set-based SQL queries (never a Python loop over internships), and it streams
the result rows, so memory holds only the findings::

    from xiaoqi.core import hookimpl
    from xiaoqi.core.i18n import catalogue, t
    from xiaoqi.core.rules import Param, Rule

    catalogue({"xx.late.msg": ("协议晚于开始日期 {days} 天", "agreement signed {days} days after the start")})

    def _late_agreement(ctx):
        sql = f'''
            SELECT i.id_number, i.uscc, i.start_on, i.school_code, i.agreement_signed_on
            FROM internships i JOIN schools s ON s.school_code = i.school_code
            WHERE i.kind = '岗位实习' AND {ctx.scope("i")}
              AND {ctx.applies("s.region", "i.start_on")}
              AND i.agreement_signed_on > {ctx.sql.add_days("i.start_on", ctx.param("grace_days", region="s.region", on="i.start_on"))}
        '''
        for row in ctx.rows(sql):
            yield ctx.internship_finding(row, t("xx.late.msg", days=...), numbers={...})

    RULE = Rule(
        id="XX-LATE-AGREEMENT", severity="error", title=("协议迟签", "Late agreement"),
        source="《某省实习管理办法》第十条", region_by="school", province="99",
        params=(Param("grace_days", "int", default=None, doc=("宽限天数", "days of grace")),),
        evaluate=_late_agreement,
    )

    @hookimpl
    def xiaoqi_register_rules():
        return [RULE]

What the context gives a rule:

- ``ctx.scope("i")``: the SQL condition limiting internships (alias ``i``) to what the user asked for
  (``--school``, ``--enterprise``, ``--on``). ``ctx.school``, ``ctx.enterprise``, ``ctx.on`` hold the
  raw values for rules whose subject is not an internship.
- ``ctx.param(name, region=SQL, on=SQL)``: the parameter's value as a SQL expression, resolved per row
  for that region code and date (a ``CASE`` over the few known values; NULL where none applies, so
  ``x > NULL`` never reports). ``ctx.param_index`` gives the index into ``ctx.candidates(name)`` instead,
  for list parameters (see ``ctx.param_in_list``).
- ``ctx.applies(region, date)``: the condition that a regional rule (``Rule.province``) or a rule in
  force from a date (``Rule.valid_from``) applies to the row; ``1 = 1`` for a national rule.
- ``ctx.sql``: portable SQL snippets (``add_days``, ``add_months``, ``add_years``, ``greatest``,
  ``least``, ``date``, ``days_between``) for SQLite and PostgreSQL alike.
- ``ctx.rows(sql, **binds)``: run a query (with the binds that ``param`` and ``scope`` collected)
  and iterate its rows as mappings; ``ctx.finding`` / ``ctx.internship_finding`` build findings.

Parameters and regions
======================
Each ``Param`` has a national default; ``default=None`` means no public text fixes the figure
("not settled"). Values come from ``ParamValue`` objects (hook ``xiaoqi_rule_params``) and from the
configuration file (``[params."RULE-ID"]`` in ``xiaoqi.toml``, see ``xiaoqi.core.config``). For a
row, the value with the most specific matching region wins (city ``320100`` over province ``32``
over national ``""``), then the latest ``valid_from`` on or before the row's date; the
configuration file wins over every plugin at the same region and date. A required parameter that
has no value anywhere switches its rule off; ``run_check`` lists such rules in
``CheckResult.switched_off`` and ``xiaoqi check`` says so once.

``Rule.region_by`` says which region decides: ``"school"`` (the school's region, the default),
``"work"`` (the internship's work region, else the enterprise's) or ``"enterprise"``.

Regional variants of a national rule
====================================
A regional plugin that widens a national rule (陕西: INT-AGENCY-BAN also covers arrangement by an
individual) registers a ``Rule`` with ``extends="INT-AGENCY-BAN"`` and ``province="61"``: its
findings are reported under the national id, it runs whenever that rule runs, and it reads the
national rule's parameters.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa

from .errors import UsageError
from .i18n import both, catalogue, t
from .plugins import get_plugin_manager, on_plugins_changed

catalogue(
    {
        "rules.unknown": ("未知的规则「{rule}」。可用的规则：{rules}", "Unknown rule '{rule}'. Available rules: {rules}"),
        "rules.param.unknown": ("配置文件中规则 {rule} 没有参数「{param}」。该规则的参数：{params}", "The configuration names parameter '{param}' of rule {rule}, which has none such. Its parameters: {params}"),
        "rules.param.bad": ("规则 {rule} 的参数 {param} 取值「{value}」无效：{reason}", "Rule {rule}, parameter {param}: invalid value '{value}': {reason}"),
        "rules.param.bad_entry": ("规则 {rule} 的参数 {param} 的分地区取值需要 value，可选 region（行政区划代码前缀）与 valid_from（日期）。", "Rule {rule}, parameter {param}: a regional value needs value, and optionally region (a region-code prefix) and valid_from (a date)."),
        "rules.param.region": ("地区代码应为2、4或6位数字（空表示全国）", "a region code has 2, 4 or 6 digits (empty for national)"),
        "rules.type.decimal": ("应为数字，如 0.10", "expected a number such as 0.10"),
        "rules.type.int": ("应为整数", "expected a whole number"),
        "rules.type.date": ("应为日期，如 2026-01-01", "expected a date such as 2026-01-01"),
        "rules.type.list": ("应为列表", "expected a list"),
        "rules.off": ("规则 {rule}（{title}）未启用：参数 {params} 没有全国统一取值，请在 xiaoqi.toml 中设定。", "Rule {rule} ({title}) is off: parameter {params} has no national value; set it in xiaoqi.toml."),
        "rules.national": ("全国", "national"),
        "rules.unset": ("（未设定）", "(not settled)"),
        "rules.none": ("（无）", "(none)"),
        "sev.error": ("错误", "error"),
        "sev.warning": ("警告", "warning"),
    }
)

SEVERITIES = ("error", "warning")
REGION_BY = ("school", "work", "enterprise")
PARAM_TYPES = ("decimal", "int", "date", "text", "list")
CONFIG_ORIGIN = "xiaoqi.toml"


# -- definitions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A figure a rule depends on. ``default=None``: not settled (no public text fixes it).

    ``required=False`` marks a refinement that may stay unset without switching the rule off
    (the rule then falls back to another parameter, e.g. INT-DURATION's ``medical_max_months``)."""

    name: str
    type: str = "decimal"
    default: Any = None
    doc: tuple[str, str] = ("", "")
    required: bool = True

    def __post_init__(self):
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.name}: type must be one of {PARAM_TYPES}")
        if self.default is not None:
            object.__setattr__(self, "default", coerce_value(self, self.default))

    def describe(self, lang: str | None = None) -> str:
        return both(*self.doc, lang)


@dataclass(frozen=True)
class Rule:
    """A compliance rule: id, severity, title (zh, en), legal source, parameters and evaluation."""

    id: str
    severity: str
    title: tuple[str, str]
    source: str
    evaluate: Callable[["RuleContext"], Iterable["Finding"]]
    params: tuple[Param, ...] = ()
    #: what must hold, in one sentence (zh, en); shown by ``xiaoqi check --explain``
    requirement: tuple[str, str] = ("", "")
    #: which region decides the parameters: "school", "work" or "enterprise"
    region_by: str = "school"
    #: a regional rule applies only to this region-code prefix (e.g. "32"); None: everywhere
    province: str | None = None
    #: the rule applies to internships starting on or after this date
    valid_from: dt.date | None = None
    #: the kind of record its findings are about (a RecordKind name)
    subject_kind: str = "internships"
    #: a regional variant of this national rule (findings carry that id)
    extends: str | None = None
    #: set by the engine: the plugin that registered the rule
    plugin: str | None = None

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity must be one of {SEVERITIES}")
        if self.region_by not in REGION_BY:
            raise ValueError(f"rule {self.id}: region_by must be one of {REGION_BY}")

    @property
    def reported_id(self) -> str:
        return self.extends or self.id

    def label(self, lang: str | None = None) -> str:
        return both(*self.title, lang)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"rule {self.id} has no parameter {name!r}")


@dataclass(frozen=True)
class ParamValue:
    """A parameter value for a region (code prefix; "" national) from a date (None: always)."""

    rule: str
    param: str
    value: Any
    region: str = ""
    valid_from: dt.date | None = None
    origin: str = ""


@dataclass
class Finding:
    """One violation: which rule, which record (kind + "a/b/c" natural key), who, and why."""

    rule: str
    severity: str
    subject_kind: str
    subject_key: str
    message: str
    school_code: str | None = None
    uscc: str | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    #: decisive date intervals (coverage gaps, days a ratio is exceeded), inclusive
    dates: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule, "severity": self.severity, "subject_kind": self.subject_kind,
            "subject_key": self.subject_key, "message": self.message, "school_code": self.school_code,
            "uscc": self.uscc, "numbers": {k: _jsonable(v) for k, v in self.numbers.items()},
            "dates": [[_jsonable(a), _jsonable(b)] for a, b in self.dates],
        }


@dataclass(frozen=True)
class SwitchedOff:
    """A rule that did not run because a required parameter has no value anywhere."""

    rule: str
    title: str
    params: tuple[str, ...]

    @property
    def message(self) -> str:
        return t("rules.off", rule=self.rule, title=self.title, params="、".join(self.params))


@dataclass
class CheckResult:
    findings: list[Finding]
    switched_off: list[SwitchedOff]
    rules_run: list[str]
    seconds: float = 0.0

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.rule] = out.get(f.rule, 0) + 1
        return out


def _jsonable(v):
    if isinstance(v, (dt.date, Decimal)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


# -- values -------------------------------------------------------------------------------------

def coerce_value(param: Param, value: Any) -> Any:
    """A parameter value in its Python type (Decimal, int, date, str, tuple); ValueError otherwise."""
    try:
        if param.type == "decimal":
            if isinstance(value, float):
                value = repr(value)
            out = Decimal(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
            if not out.is_finite():
                raise InvalidOperation
            return out
        if param.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
        if param.type == "date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        if param.type == "list":
            if isinstance(value, str):
                from .fields import parse_list

                return tuple(parse_list(value))
            return tuple(str(v).strip() for v in value)
        return str(value)
    except (ValueError, InvalidOperation, TypeError):
        raise ValueError(t(f"rules.type.{param.type}")) from None


def format_value(value: Any) -> str:
    if value is None:
        return t("rules.unset")
    if isinstance(value, tuple):
        return "、".join(value) if value else t("rules.none")
    return str(value)


def _check_region(region: Any) -> str:
    region = "" if region is None else str(region).strip()
    if region and not (region.isdigit() and len(region) in (2, 4, 6)):
        raise ValueError(t("rules.param.region"))
    return region


def config_param_values(config: dict | None, rules: dict[str, Rule]) -> list[ParamValue]:
    """ParamValues from the ``[params]`` table of ``xiaoqi.toml`` (format in ``xiaoqi.core.config``)."""
    out: list[ParamValue] = []
    for rule_id, table in ((config or {}).get("params") or {}).items():
        rule = rules.get(rule_id)
        if rule is None:
            raise UsageError(t("rules.unknown", rule=rule_id, rules=", ".join(sorted(rules))))
        for name, spec in (table or {}).items():
            try:
                param = find_param(rule_id, name)
            except KeyError:
                names = [p.name for r in (rule, *rule_variants(rule_id)) for p in r.params]
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


# -- the registry of rules --------------------------------------------------------------------

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


def _hook_param_values() -> list[ParamValue]:
    pm = get_plugin_manager()
    out = []
    for impl in reversed(pm.hook.xiaoqi_rule_params.get_hookimpls()):
        for v in impl.function() or []:
            out.append(replace(v, origin=v.origin or impl.plugin_name))
    return out


class ParamTable:
    """Every known value of every parameter, ordered for resolution."""

    def __init__(self, rules: dict[str, Rule], values: Sequence[ParamValue], variants: Sequence[Rule] = ()):
        self.rules = rules
        self._by: dict[tuple[str, str], list[ParamValue]] = {}
        for rule in [*rules.values(), *variants]:
            for p in rule.params:
                if p.default is not None:
                    rule_id = rule.extends or rule.id
                    self._by.setdefault((rule_id, p.name), []).append(ParamValue(rule_id, p.name, p.default, "", None, "default"))
        for rank, v in enumerate(values):
            rule = rules.get(v.rule)
            if rule is None:
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
    """A parameter of the rule ``rule_id`` or of one of its regional variants."""
    for rule in [get_rule(rule_id), *rule_variants(rule_id)]:
        for p in rule.params:
            if p.name == name:
                return p
    raise KeyError(name)


def param_table(config: dict | None = None) -> ParamTable:
    rules = dict(get_rules())
    variants = [v for vs in _load()[1].values() for v in vs]
    return ParamTable(rules, _hook_param_values() + config_param_values(config, rules), variants)


# -- SQL helpers --------------------------------------------------------------------------------

class SqlDialect:
    """Portable snippets: dates are ISO text on SQLite and DATE on PostgreSQL."""

    def __init__(self, name: str):
        self.name = name
        self.sqlite = name == "sqlite"

    def date(self, bind: str) -> str:
        """A bound date parameter ``:bind`` as a date expression (bind the ISO string)."""
        return f":{bind}" if self.sqlite else f"CAST(:{bind} AS DATE)"

    def add_days(self, expr: str, n: int | str) -> str:
        if self.sqlite:
            return f"date({expr}, ({n}) || ' days')"
        return f"({expr} + ({n}))"

    def days_between(self, a: str, b: str) -> str:
        """Days from ``a`` to ``b`` (b - a)."""
        if self.sqlite:
            return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"
        return f"({b} - {a})"

    def add_months(self, expr: str, n: int | str) -> str:
        """``expr`` plus ``n`` months, the day clamped to the month's end (31 Aug + 6 = 28/29 Feb)."""
        if self.sqlite:
            return (f"MIN(date({expr}, 'start of month', ({n}) || ' months', (CAST(strftime('%d', {expr}) AS INTEGER) - 1) || ' days'), "
                    f"date({expr}, 'start of month', (({n}) + 1) || ' months', '-1 days'))")
        return f"CAST({expr} + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"

    def add_years(self, expr: str, n: int | str) -> str:
        return self.add_months(expr, f"12 * ({n})")

    def greatest(self, *exprs: str) -> str:
        return f"{'MAX' if self.sqlite else 'GREATEST'}({', '.join(exprs)})"

    def least(self, *exprs: str) -> str:
        return f"{'MIN' if self.sqlite else 'LEAST'}({', '.join(exprs)})"

    def province(self, expr: str) -> str:
        return f"substr({expr}, 1, 2)"


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def list_contains(haystack: str, item_sql: str) -> str:
    """SQL: the 、-joined list column ``haystack`` contains the item ``item_sql``."""
    return f"('、' || {haystack} || '、') LIKE ('%、' || {item_sql} || '、%')"


# -- evaluation ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    school: str | None = None
    enterprise: str | None = None
    on: dt.date | None = None


class RuleContext:
    """What a rule's ``evaluate`` works with (see the module docstring)."""

    def __init__(self, conn: sa.Connection, rule: Rule, params: ParamTable, scope: Scope):
        self.conn = conn
        self.rule = rule
        self.params = params
        self.scope_values = scope
        self.sql = SqlDialect(conn.dialect.name)
        self.binds: dict[str, Any] = {}
        self._n = 0

    # the user's filters
    @property
    def school(self) -> str | None:
        return self.scope_values.school

    @property
    def enterprise(self) -> str | None:
        return self.scope_values.enterprise

    @property
    def on(self) -> dt.date | None:
        return self.scope_values.on

    def bind(self, value: Any) -> str:
        """A new bind parameter holding ``value``; returns its SQL (dates become date expressions)."""
        self._n += 1
        name = f"p{self._n}"
        if isinstance(value, dt.date):
            self.binds[name] = value.isoformat() if self.sql.sqlite else value
            return self.sql.date(name)
        self.binds[name] = value
        return f":{name}"

    def scope(self, alias: str = "i") -> str:
        """SQL condition for internships ``alias`` within the user's --school/--enterprise/--on."""
        parts = ["1 = 1"]
        if self.school:
            parts.append(f"{alias}.school_code = {self.bind(self.school)}")
        if self.enterprise:
            parts.append(f"{alias}.uscc = {self.bind(self.enterprise)}")
        if self.on:
            day = self.bind(self.on)
            parts.append(f"{alias}.start_on <= {day} AND {alias}.end_on >= {day}")
        return " AND ".join(parts)

    def region(self, i: str = "i", s: str = "s", e: str = "e") -> str:
        """SQL for the region code that decides this rule (``Rule.region_by``), given the aliases of
        the internship, its school and its enterprise."""
        if self.rule.region_by == "school":
            return f"{s}.region"
        if self.rule.region_by == "enterprise":
            return f"{e}.region"
        return f"COALESCE({i}.work_region, {e}.region)"

    def applies(self, region: str, date: str) -> str:
        """SQL condition: this (regional / dated) rule applies to a row with that region and date."""
        parts = ["1 = 1"]
        if self.rule.province:
            parts.append(f"substr({region}, 1, {len(self.rule.province)}) = {self.bind(self.rule.province)}")
        if self.rule.valid_from:
            parts.append(f"{date} >= {self.bind(self.rule.valid_from)}")
        return " AND ".join(parts)

    def candidates(self, name: str) -> list[ParamValue]:
        return self.params.candidates(self.rule.extends or self.rule.id, name)

    def _case(self, name: str, region: str, on: str, result: Callable[[int, ParamValue], str]) -> str:
        cands = self.candidates(name)
        if not cands:
            return "NULL"
        if len(cands) == 1 and not cands[0].region and cands[0].valid_from is None:
            return result(0, cands[0])
        branches = []
        for k, v in enumerate(cands):
            cond = []
            if v.region:
                cond.append(f"substr({region}, 1, {len(v.region)}) = {self.bind(v.region)}")
            if v.valid_from:
                cond.append(f"{on} >= {self.bind(v.valid_from)}")
            branches.append(f"WHEN {' AND '.join(cond) or '1 = 1'} THEN {result(k, v)}")
        return "(CASE " + " ".join(branches) + " ELSE NULL END)"

    def param(self, name: str, *, region: str, on: str) -> str:
        """The parameter as a SQL expression for rows with region code ``region`` and date ``on``."""
        return self._case(name, region, on, lambda k, v: self._literal(v.value))

    def param_index(self, name: str, *, region: str, on: str) -> str:
        """The index into ``candidates(name)`` of the value that applies (NULL: none)."""
        return self._case(name, region, on, lambda k, v: str(k))

    def param_in_list(self, name: str, item_sql: Callable[[str], str], *, region: str, on: str) -> str:
        """SQL condition: some item of the list parameter satisfies ``item_sql(bound_item)``."""
        def result(k, v):
            tests = [item_sql(self.bind(item)) for item in v.value]
            return "(CASE WHEN " + (" OR ".join(tests) or "1 = 0") + " THEN 1 ELSE 0 END)"

        return f"({self._case(name, region, on, result)} = 1)"

    def _literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (int, Decimal)):
            return str(value)  # a number is a safe literal; Decimal stays exact on PostgreSQL
        return self.bind(value)

    def rows(self, sql: str, **binds) -> Iterator[sa.RowMapping]:
        """Run ``sql`` with the collected binds and stream its rows as mappings."""
        result = self.conn.execution_options(stream_results=True, yield_per=2000).execute(
            sa.text(sql), {**self.binds, **binds})
        for row in result.mappings():
            yield row

    def internship_rows(self, where: str, *, columns: Sequence[str] = (), joins: Sequence[str] = (),
                        kinds: Sequence[str] | None = None) -> Iterator[sa.RowMapping]:
        """Rows of the internships in scope (alias ``i``, with their school ``s`` and enterprise
        ``e``) to which this rule applies and that satisfy ``where``: one query, streamed.

        ``columns`` are extra SELECT expressions (``"st.birth_date AS birth_date"``), ``joins`` extra
        JOIN clauses, ``kinds`` the internship kinds looked at (default: every kind). The
        standard aliases ``st`` (the student) and ``p`` (the position) are available through
        ``JOIN_STUDENT`` and ``JOIN_POSITION``."""
        kind_sql = ""
        if kinds:
            kind_sql = "i.kind IN (" + ", ".join(self.bind(k) for k in kinds) + ") AND "
        extra = "".join(f", {c}" for c in columns)
        sql = (f"SELECT i.id_number, i.uscc, i.start_on, i.end_on, i.school_code, i.kind{extra} "
               f"FROM internships i JOIN schools s ON s.school_code = i.school_code "
               f"JOIN enterprises e ON e.uscc = i.uscc {' '.join(joins)} "
               f"WHERE {kind_sql}{self.scope('i')} AND {self.applies(self.region(), 'i.start_on')} AND ({where})")
        return self.rows(sql)

    def finding(self, *, subject_kind: str, subject_key: str, message: str, school_code: str | None = None,
                uscc: str | None = None, numbers: dict | None = None, dates: list | None = None) -> Finding:
        return Finding(rule=self.rule.reported_id, severity=self.rule.severity, subject_kind=subject_kind,
                       subject_key=subject_key, message=message, school_code=school_code, uscc=uscc,
                       numbers=numbers or {}, dates=[(as_date(a), as_date(b)) for a, b in (dates or [])])

    def internship_finding(self, row, message: str, *, numbers: dict | None = None, dates: list | None = None) -> Finding:
        """A finding about the internship in ``row`` (columns id_number, uscc, start_on, school_code)."""
        return self.finding(subject_kind="internships", subject_key=internship_key(row), message=message,
                            school_code=row["school_code"], uscc=row["uscc"], numbers=numbers, dates=dates)


JOIN_STUDENT = "JOIN students st ON st.id_number = i.id_number"
JOIN_POSITION = "JOIN positions p ON p.uscc = i.uscc AND p.position_code = i.position_code"
CENT = Decimal("0.01")


def money(value) -> Decimal | None:
    """A money value read from SQL (float on SQLite, Decimal on PostgreSQL) as Decimal yuan."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


def internship_key(row) -> str:
    """The internship's natural key in the "a/b/c" form of ``RecordKind.key_of``."""
    return f"{row['id_number']}/{row['uscc']}/{as_date(row['start_on']).isoformat()}"


def _connection(target) -> tuple[sa.Connection, Callable[[], None]]:
    if isinstance(target, sa.Engine):
        conn = target.connect()
        return conn, conn.close
    if isinstance(target, sa.Connection):
        return target, lambda: None
    return target.connection(), lambda: None  # a Session


ProgressFn = Callable[[int, int, str], None]


def run_check(target, *, rules: Iterable[str] | None = None, school: str | None = None, enterprise: str | None = None,
              on: dt.date | None = None, config: dict | None = None, progress: ProgressFn | None = None,
              cancelled: Callable[[], bool] | None = None) -> CheckResult:
    """Evaluate rules over the registry and return every finding.

    ``target`` is a Session, Connection or Engine. ``rules``: ids to run (default all); ``school``,
    ``enterprise``, ``on`` narrow the internships looked at; ``config`` is the parsed ``xiaoqi.toml``.
    ``progress(done, total, rule_id)`` is called before each rule and once at the end;
    ``cancelled()`` is polled between rules (the TUI's worker passes its cancellation flag).
    """
    started = time.perf_counter()
    all_rules = get_rules()
    if rules:
        wanted = list(dict.fromkeys(rules))
        for rule_id in wanted:
            get_rule(rule_id)
        selected = [all_rules[r] for r in wanted]
    else:
        selected = list(all_rules.values())
    table = param_table(config)
    scope = Scope(school=school, enterprise=enterprise, on=on)
    findings: list[Finding] = []
    off: list[SwitchedOff] = []
    ran: list[str] = []
    conn, close = _connection(target)
    work = [(rule, [rule, *rule_variants(rule.id)]) for rule in selected]
    try:
        for done, (rule, parts) in enumerate(work):
            if cancelled and cancelled():
                break
            if progress:
                progress(done, len(work), rule.id)
            missing = table.unsettled(rule)
            if missing:
                off.append(SwitchedOff(rule.id, rule.label(), missing))
                continue
            ran.append(rule.id)
            for part in parts:
                if part is not rule and table.unsettled(part):
                    continue
                findings.extend(part.evaluate(RuleContext(conn, part, table, scope)))
        if progress:
            progress(len(work), len(work), "")
    finally:
        close()
    findings.sort(key=lambda f: (f.rule, f.subject_kind, f.subject_key))
    return CheckResult(findings=findings, switched_off=off, rules_run=ran, seconds=time.perf_counter() - started)


# -- explanation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParamExplanation:
    param: Param
    #: the value that applies to the region today (or on ``on``), None if not settled
    current: ParamValue | None
    #: every value that can apply to the region, most specific / latest first
    values: list[ParamValue]


@dataclass(frozen=True)
class Explanation:
    rule: Rule
    region: str
    on: dt.date
    params: list[ParamExplanation]
    variants: list[Rule]
    unsettled: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.id, "severity": self.rule.severity, "title": self.rule.label(),
            "requirement": both(*self.rule.requirement), "source": self.rule.source, "plugin": self.rule.plugin,
            "region_by": self.rule.region_by, "province": self.rule.province,
            "valid_from": _jsonable(self.rule.valid_from), "region": self.region, "on": self.on.isoformat(),
            "params": [{
                "name": p.param.name, "type": p.param.type, "doc": p.param.describe(),
                "value": _jsonable(p.current.value) if p.current else None,
                "origin": p.current.origin if p.current else None,
                "values": [{"value": _jsonable(v.value), "region": v.region, "valid_from": _jsonable(v.valid_from),
                            "origin": v.origin} for v in p.values],
            } for p in self.params],
            "variants": [{"plugin": v.plugin, "province": v.province, "requirement": both(*v.requirement)} for v in self.variants],
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
    return Explanation(rule=rule, region=region, on=on, params=params, variants=variants, unsettled=table.unsettled(rule))
