"""What rules are made of: ``Param``, ``Rule``, ``ParamValue``, ``Finding``, ``SwitchedOff`` and
``CheckResult``, and how a parameter value is read (``coerce_value``) and shown (``format_value``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..i18n import both, catalogue, t

if TYPE_CHECKING:
    from .context import RuleContext

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
        "rules.type.monthday": ("应为月-日，如 09-01（不能是 02-29）", "expected a month and day such as 09-01 (not 02-29)"),
        "rules.not_run": ("规则 {rule}（{title}）未对此登录运行：它要读取此登录不能读取的数据（{reads}），本次检查结果不完整。请由管理员运行此规则。",
                          "Rule {rule} ({title}) was not run for this login: it reads data this login may not read ({reads}); this check is incomplete. Ask the admin to run this rule."),
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
PARAM_TYPES = ("decimal", "int", "date", "text", "list", "monthday")
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
    #: the rule judges internships starting on or after this date (None: since always) ...
    valid_from: dt.date | None = None
    #: ... and on or before this one (None: still in force); both overridable per region
    #: through the parameters ``valid_from`` / ``valid_to`` of the rule's own id
    valid_to: dt.date | None = None
    #: only the year of ``valid_from`` is known (its 1 January is used): explain says so
    valid_from_year_only: bool = False
    #: for a rule with dated versions (variants that extend it with ``valid_to``): this
    #: version's short name ("2021", "2016"), carried by its findings as ``rule_version``
    version: str | None = None
    #: the kind of record its findings are about (a RecordKind name)
    subject_kind: str = "internships"
    #: a regional variant of this national rule (findings carry that id)
    extends: str | None = None
    #: set by the engine: the plugin that registered the rule
    plugin: str | None = None
    #: the rule judges what other rules find (``ctx.findings_of``): a check runs it after the
    #: others and hands it their findings from the same run instead of running them again
    reads_findings: bool = False
    #: how long the rule takes on a large registry, roughly (seconds per million internships):
    #: a check starts the costliest rules first, so none is left running alone at the end
    cost: float = 0.0
    #: facts derived from personal data (``core.rules.facts.Fact``) that the rule reads, run by a
    #: login that may not read that data, instead of the data (``ctx.fact``)
    facts: tuple = ()

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity must be one of {SEVERITIES}")
        if self.region_by not in REGION_BY:
            raise ValueError(f"rule {self.id}: region_by must be one of {REGION_BY}")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"rule {self.id}: valid_to is before valid_from")

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


#: every rule's validity, read like its parameters (per region, from ``xiaoqi.toml`` or a plugin's
#: ``xiaoqi_rule_params``) under the rule's own id, variants included
VALIDITY_PARAMS = (
    Param("valid_from", "date", doc=("本规则自该日起施行（实习规则：自该日起开始的实习）", "the rule is in force from this date (an internship rule: internships starting on or after it)"), required=False),
    Param("valid_to", "date", doc=("本规则施行至该日（实习规则：至该日止开始的实习）", "the rule is in force until this date (an internship rule: internships starting on or before it)"), required=False),
)
VALIDITY_NAMES = tuple(p.name for p in VALIDITY_PARAMS)


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
    """A rule that did not run because a required parameter has no value anywhere, or (``reads``)
    because it reads data that the login running the check may not read: the check is incomplete
    (``CheckResult.complete``)."""

    rule: str
    title: str
    params: tuple[str, ...]
    #: what the rule reads that the login may not (a kind, or a kind's column), when not run for that
    reads: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.reads:
            return t("rules.not_run", rule=self.rule, title=self.title, reads="、".join(self.reads))
        return t("rules.off", rule=self.rule, title=self.title, params="、".join(self.params))

    def as_dict(self) -> dict:
        return {"rule": self.rule, "title": self.title, "params": list(self.params), "message": self.message,
                **({"reads": list(self.reads)} if self.reads else {})}


@dataclass
class CheckResult:
    findings: list[Finding]
    switched_off: list[SwitchedOff]
    rules_run: list[str]
    seconds: float = 0.0
    #: seconds each rule run took (its regional variants included)
    rule_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def complete(self) -> bool:
        """Every rule ran that could (none was left out for data the login may not read)."""
        return not any(off.reads for off in self.switched_off)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.rule] = out.get(f.rule, 0) + 1
        return out

    def as_dict(self) -> dict:
        """What ``xiaoqi check --format json`` prints (besides the scope it was asked for): the
        findings, the rules run, and the rules switched off with the parameters they lack."""
        errors = sum(1 for f in self.findings if f.severity == "error")
        return {
            "findings": [f.as_dict() for f in self.findings],
            "rules_run": list(self.rules_run),
            "switched_off": [off.as_dict() for off in self.switched_off],
            "complete": self.complete,
            "counts": {"findings": len(self.findings), "errors": errors, "warnings": len(self.findings) - errors},
            "seconds": round(self.seconds, 3),
        }


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
                from ..fields import parse_list

                return tuple(parse_list(value))
            return tuple(str(v).strip() for v in value)
        if param.type == "monthday":
            month, day = (int(part) for part in str(value).strip().replace("月", "-").rstrip("日").split("-"))
            if (month, day) == (2, 29):
                raise ValueError
            return dt.date(2001, month, day).strftime("%m-%d")  # 2001: any year that is not a leap year
        return str(value)
    except (ValueError, InvalidOperation, TypeError):
        raise ValueError(t(f"rules.type.{param.type}")) from None


def format_value(value: Any) -> str:
    if value is None:
        return t("rules.unset")
    if isinstance(value, tuple):
        return "、".join(value) if value else t("rules.none")
    return str(value)

