"""The 1+X record kinds: columns with Chinese and English headers, keys, references, checks and
who may see and change them. One definition serves import, export, templates, ``xiaoqi records``,
the services and the TUI forms.

| kind | 中文 | key |
|---|---|---|
| ``onex_organisations`` | 培训评价组织 | 统一社会信用代码 |
| ``onex_certificates`` | 职业技能等级证书 | 证书代码 |
| ``onex_registrations`` | 1+X试点登记 | 学校代码 + 证书代码 + 等级 + 专业代码 + 年度 |
| ``onex_sites`` | 1+X考核站点 | 站点编码 + 证书代码 + 等级 |
| ``onex_sessions`` | 1+X考核 | 考核编号 |
| ``onex_results`` | 1+X考生成绩 | 考核编号 + 身份证号 |
| ``onex_issued`` | 1+X证书发放 | 证书编号 |
| ``onex_conversion_rules`` | 学分转换规则 | 学校代码 + 规则编号 |
| ``onex_conversions`` | 学分转换记录 | 身份证号 + 课程代码 + 学期 |

Who may do what: organisations and certificates are the national list, kept by the administrator
and read by everyone; a school keeps its pilot registrations, its sites and the sessions they host,
its students' results, certificates and conversions, and its conversion rules, which everyone reads
(schools publish them), as everyone reads the accredited sites. A host school also reads and keeps
the results of the sessions it hosts (candidates may come from other schools). A 培训评价组织 that is
in the enterprise register (``--as enterprise:USCC``) reads the registrations, sites, sessions,
results and certificates of its own certificates. ID numbers are masked like every ID number; an
organisation's contact phone is personal data.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core import fields as f
from xiaoqi.core.access import ALL, NONE, OWN, PHONE, Access, via, where
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import Column, ColumnType, RecordKind, Reference

from . import vocabulary as v

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "onex.v.year": ("年度应为 2019 到 2100 之间的四位年份", "the year is a four-digit year from 2019 to 2100"),
        "onex.v.before": ("{later}不能早于{earlier}", "{later} is before {earlier}"),
        "onex.v.positive": ("{column}应大于 0", "{column} is more than 0"),
        "onex.v.level_offered": ("证书 {certificate} 不设{level}（只设 {levels}）", "the certificate {certificate} has no {level} level (only {levels})"),
        "onex.v.no_certificate": ("证书名录中没有 {certificate}：请先登记（xiaoqi import onex_certificates）", "{certificate} is not in the certificate list: register it first (xiaoqi import onex_certificates)"),
        "onex.v.tenths": ("应为 0 到 {max} 之间的数，最多一位小数，如 {example}", "must be a number from 0 to {max} with at most one decimal, e.g. {example}"),
    }
)

_TENTH = Decimal("0.1")


def _tenths(maximum: int, example: str):
    """A parser of a number with at most one decimal, from 0 to ``maximum`` (credits, a score)."""

    def parse(value) -> Decimal:
        if isinstance(value, bool):
            raise ValueError(t("onex.v.tenths", max=maximum, example=example))
        text = repr(value) if isinstance(value, float) else f.parse_text(value).removesuffix("学分").removesuffix("分").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(t("onex.v.tenths", max=maximum, example=example)) from None
        if not number.is_finite() or not 0 <= number <= maximum or number != number.quantize(_TENTH):
            raise ValueError(t("onex.v.tenths", max=maximum, example=example))
        return number.quantize(_TENTH)

    return parse


#: the column types these kinds add: credits (up to 99.9) and a score (up to 100)
COLUMN_TYPES = [
    ColumnType("onex_credits", _tenths(99, "1.5"), ("学分（最多一位小数）", "credits (at most one decimal)"), stored_as="money"),
    ColumnType("onex_score", _tenths(100, "78.5"), ("成绩（0–100，最多一位小数）", "score (0–100, at most one decimal)"), stored_as="money"),
]


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


def _level(**kw) -> Column:
    kw.setdefault("required", True)
    kw.setdefault("doc", ("初级、中级或高级（也可写 1、2、3）", "初级, 中级 or 高级 (or 1, 2, 3)"))
    return _c("level", "等级", "choice", choices=v.LEVELS, choices_en=v.LEVELS_EN, aliases=v.LEVEL_ALIASES, **kw)


def _certificate_column(**kw) -> Column:
    kw.setdefault("required", True)
    return _c("certificate_code", "证书代码", "text", max_len=30, **kw)


CERTIFICATE_REF = Reference("onex_certificates", ("certificate_code",), ("code",))
STUDENT_REF = Reference("students", ("id_number",), ("id_number",), agree=("school_code",))


def _header(kind: str, name: str) -> str:
    # read when a row is checked, in the reader's language
    return next(c.header() for k in KINDS if k.name == kind for c in k.columns if c.name == name)


def _ordered(kind: str, earlier: str, later: str):
    """``later`` is not before ``earlier`` (columns of ``kind``)."""

    def check(values: dict) -> list[tuple[str, str]]:
        a, b = values.get(earlier), values.get(later)
        if a is not None and b is not None and b < a:
            return [(later, t("onex.v.before", later=_header(kind, later), earlier=_header(kind, earlier)))]
        return []

    return check


def _positive(kind: str, *columns: str):
    def check(values: dict) -> list[tuple[str, str]]:
        return [(c, t("onex.v.positive", column=_header(kind, c))) for c in columns if values.get(c) is not None and values[c] <= 0]

    return check


def _year(values: dict) -> list[tuple[str, str]]:
    return [("year", t("onex.v.year"))] if values.get("year") is not None and not 2019 <= values["year"] <= 2100 else []


def level_offered(session, kind, rows) -> list[tuple[int, str, str]]:
    """Guard: the row's certificate exists and offers the row's level (one query per batch)."""
    from . import models as m

    codes = sorted({r["certificate_code"] for r in rows if r.get("certificate_code")})
    offered = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        offered.update(session.execute(sa.select(m.Certificate.code, m.Certificate.levels).where(m.Certificate.code.in_(chunk))).all())
    problems = []
    for n, row in enumerate(rows):
        code, level = row.get("certificate_code"), row.get("level")
        if not code or not level:
            continue
        if code not in offered:
            problems.append((n, "certificate_code", t("onex.v.no_certificate", certificate=code)))
        elif level not in offered[code].split("、"):
            problems.append((n, "level", t("onex.v.level_offered", certificate=code, level=level, levels=offered[code])))
    return problems


def _kind(**kw) -> RecordKind:
    return RecordKind(plugin="onex", **kw)


def _organisation_of(model, code):
    """Rows of a certificate of the 培训评价组织 whose USCC is ``code``."""
    from . import models as m

    return model.certificate_code.in_(sa.select(m.Certificate.code).where(m.Certificate.organisation_uscc == code))


ORGANISATION_READ = where(_organisation_of, ("本组织的证书", "the organisation's own certificates"))

ORGANISATIONS = _kind(
    name="onex_organisations", zh="培训评价组织", en="training-evaluation organisations", model="xiaoqi.plugins.onex.models:Organisation", key=("uscc",),
    access=Access(read=ALL, write=NONE, personal={"phone": PHONE}),
    columns=[
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _c("name", "组织名称", "text", required=True),
        _c("batch", "遴选批次", "choice", required=True, choices=v.BATCHES, choices_en=v.BATCHES_EN, aliases=v.BATCH_ALIASES,
           doc=("第一批至第四批（也可写 1–4）", "the first to the fourth batch (or 1–4)")),
        _c("contact", "联系人", "text", max_len=100),
        _c("phone", "联系电话", "text", max_len=50),
    ],
)

CERTIFICATES = _kind(
    name="onex_certificates", zh="职业技能等级证书", en="vocational skill-level certificates", model="xiaoqi.plugins.onex.models:Certificate", key=("code",),
    access=Access(read=ALL, write=NONE),
    references=[Reference("onex_organisations", ("organisation_uscc",), ("uscc",))],
    checks=[_ordered("onex_certificates", "valid_from", "valid_to")],
    columns=[
        _c("code", "证书代码", "text", required=True, key=True, max_len=30),
        _c("name", "证书名称", "text", required=True),
        _c("organisation_uscc", "培训评价组织统一社会信用代码", "uscc", required=True),
        _c("field", "所属领域", "text", required=True, max_len=100, doc=("如 装备制造、电子与信息", "e.g. equipment manufacturing")),
        _c("levels", "设置等级", "list", required=True, max_len=20, choices=v.LEVELS, choices_en=v.LEVELS_EN,
           aliases=v.LEVEL_ALIASES, doc=("用、分隔，如 初级、中级、高级", "separated by 、, e.g. 初级、中级、高级")),
        _c("valid_from", "启用日期", "date", required=True),
        _c("valid_to", "停用日期", "date", doc=("证书退出目录的最后一日；之后不再登记、考核", "the last day before the certificate is withdrawn")),
        _c("replaced_by", "替代证书代码", "text", max_len=30),
    ],
)

REGISTRATIONS = _kind(
    name="onex_registrations", zh="1+X试点登记", en="1+X pilot registrations", model="xiaoqi.plugins.onex.models:Registration",
    key=("school_code", "certificate_code", "level", "major_code", "year"), school_column="school_code",
    access=Access(read={"enterprise": ORGANISATION_READ}, guards=(level_offered,)),
    references=[Reference("schools", ("school_code",), ("school_code",)), CERTIFICATE_REF,
                Reference("majors", ("school_code", "major_code"), ("school_code", "major_code"))],
    checks=[_year],
    columns=[
        _c("school_code", "学校代码", "code10", required=True, key=True),
        _certificate_column(key=True),
        _level(key=True),
        _c("major_code", "专业代码", "digits6", required=True, key=True),
        _c("year", "年度", "int", required=True, key=True, doc=("试点年度（四位年份）", "the pilot year")),
        _c("planned", "计划人数", "int", required=True),
        _c("registered_on", "备案日期", "date", doc=("向省级教育行政部门备案的日期", "filed with the provincial education department on")),
    ],
)

SITES = _kind(
    name="onex_sites", zh="1+X考核站点", en="1+X assessment sites", model="xiaoqi.plugins.onex.models:Site", key=("site_code", "certificate_code", "level"),
    school_column="school_code",
    access=Access(read=ALL, guards=(level_offered,)),
    references=[Reference("schools", ("school_code",), ("school_code",)), CERTIFICATE_REF],
    checks=[_ordered("onex_sites", "accredited_from", "accredited_to"), _positive("onex_sites", "capacity")],
    columns=[
        _c("site_code", "站点编码", "text", required=True, key=True, max_len=30, doc=("培训评价组织授予的站点编码", "the code the organisation gave the site")),
        _certificate_column(key=True),
        _level(key=True),
        _c("name", "站点名称", "text", required=True),
        _c("school_code", "所在学校代码", "code10", required=True),
        _c("capacity", "每场考核容量", "int", required=True, doc=("一场考核最多考生人数", "candidates a session may take at most")),
        _c("accredited_from", "授权开始日期", "date", required=True),
        _c("accredited_to", "授权截止日期", "date", doc=("授权有效的最后一日", "the last day of the accreditation")),
    ],
)

SITE_REF = Reference("onex_sites", ("site_code", "certificate_code", "level"), ("site_code", "certificate_code", "level"),
                     agree=("school_code",))


def _sessions_of_students(model, code):
    """Sessions some of the school's own students sat."""
    from . import models as m

    return model.session_code.in_(sa.select(m.Result.session_code).where(m.Result.school_code == code))


SESSIONS = _kind(
    name="onex_sessions", zh="1+X考核", en="1+X assessment sessions", model="xiaoqi.plugins.onex.models:Session", key=("session_code",),
    school_column="school_code",
    access=Access(read={"school": OWN | where(_sessions_of_students, ("本校学生参加的考核", "sessions its students sat")),
                        "enterprise": ORGANISATION_READ}),
    references=[SITE_REF],
    columns=[
        _c("session_code", "考核编号", "text", required=True, key=True, max_len=30),
        _c("school_code", "站点所在学校代码", "code10", required=True),
        _c("site_code", "站点编码", "text", required=True, max_len=30),
        _certificate_column(),
        _level(),
        _c("held_on", "考核日期", "date", required=True),
        _c("fee", "考核费（元/人）", "money", doc=("每名考生的考核费标准", "the assessment fee per candidate")),
    ],
)


def _results_hosted(model, code):
    """Results of the sessions the school's sites host."""
    from . import models as m

    return model.session_code.in_(sa.select(m.Session.session_code).where(m.Session.school_code == code))


def _results_of_organisation(model, code):
    from . import models as m

    return model.session_code.in_(sa.select(m.Session.session_code).where(_organisation_of(m.Session, code)))


RESULTS = _kind(
    name="onex_results", zh="1+X考生成绩", en="1+X candidates and results", model="xiaoqi.plugins.onex.models:Result", key=("session_code", "id_number"),
    school_column="school_code",
    access=Access(read={"school": OWN | where(_results_hosted, ("本校站点的考核", "sessions at its own sites")),
                        "enterprise": where(_results_of_organisation, ("本组织证书的考核", "sessions of the organisation's certificates"))},
                  write={"school": OWN | via("onex_sessions", "update")}),
    references=[Reference("onex_sessions", ("session_code",), ("session_code",)), STUDENT_REF],
    columns=[
        _c("session_code", "考核编号", "text", required=True, key=True, max_len=30),
        _c("id_number", "身份证号", "idcard", required=True, key=True),
        _c("school_code", "学生所在学校代码", "code10", required=True),
        _c("score", "成绩", "onex_score", doc=("0–100，最多一位小数", "0–100, at most one decimal")),
        _c("passed", "是否通过", "bool", required=True),
        _c("fee_paid", "本人缴纳考核费（元）", "money", doc=("考生本人实际缴纳的考核费；未缴纳填 0", "the fee the candidate paid; 0 when none")),
    ],
)

ISSUED = _kind(
    name="onex_issued", zh="1+X证书发放", en="1+X certificates issued", model="xiaoqi.plugins.onex.models:Issued", key=("certificate_no",),
    school_column="school_code",
    access=Access(read={"enterprise": ORGANISATION_READ}, guards=(level_offered,)),
    references=[CERTIFICATE_REF, STUDENT_REF],
    checks=[_ordered("onex_issued", "issued_on", "valid_to")],
    columns=[
        _c("certificate_no", "证书编号", "text", required=True, key=True, max_len=50),
        _c("id_number", "身份证号", "idcard", required=True),
        _c("school_code", "学校代码", "code10", required=True),
        _certificate_column(),
        _level(),
        _c("issued_on", "发证日期", "date", required=True),
        _c("valid_to", "有效期至", "date"),
    ],
)

CONVERSION_RULES = _kind(
    name="onex_conversion_rules", zh="学分转换规则", en="credit-conversion rules", model="xiaoqi.plugins.onex.models:ConversionRule",
    key=("school_code", "rule_code"), school_column="school_code",
    access=Access(read=ALL, guards=(level_offered,)),
    references=[Reference("schools", ("school_code",), ("school_code",)), CERTIFICATE_REF],
    checks=[_ordered("onex_conversion_rules", "valid_from", "valid_to"), _positive("onex_conversion_rules", "credits")],
    columns=[
        _c("school_code", "学校代码", "code10", required=True, key=True),
        _c("rule_code", "规则编号", "text", required=True, key=True, max_len=30),
        _certificate_column(),
        _level(doc=("取得该等级或更高等级的证书即可转换", "a certificate at this level or higher qualifies")),
        _c("course_codes", "课程代码", "list", required=True, max_len=200, doc=("可转换的课程代码，用、分隔", "the courses converted, separated by 、")),
        _c("course_names", "课程名称", "list", max_len=500, doc=("与课程代码一一对应，用、分隔", "one per course code, separated by 、")),
        _c("credits", "学分", "onex_credits", required=True, doc=("每门课程转换的学分，最多一位小数", "credits per course, at most one decimal")),
        _c("exemption", "转换方式", "choice", required=True, choices=v.EXEMPTIONS, choices_en=v.EXEMPTIONS_EN),
        _c("valid_from", "生效日期", "date", required=True),
        _c("valid_to", "失效日期", "date", doc=("规则有效的最后一日", "the last day the rule is in force")),
    ],
)

CONVERSIONS = _kind(
    name="onex_conversions", zh="学分转换记录", en="credit conversions", model="xiaoqi.plugins.onex.models:Conversion", key=("id_number", "course_code", "term"),
    school_column="school_code",
    references=[STUDENT_REF, Reference("onex_conversion_rules", ("school_code", "rule_code"), ("school_code", "rule_code"))],
    checks=[_positive("onex_conversions", "credits")],
    columns=[
        _c("id_number", "身份证号", "idcard", required=True, key=True),
        _c("school_code", "学校代码", "code10", required=True),
        _c("course_code", "课程代码", "text", required=True, key=True, max_len=30),
        _c("term", "学期", "term", required=True, key=True),
        _c("rule_code", "规则编号", "text", required=True, max_len=30),
        _c("certificate_no", "所用证书编号", "text", max_len=50),
        _c("credits", "学分", "onex_credits", required=True),
        _c("exemption", "转换方式", "choice", required=True, choices=v.EXEMPTIONS, choices_en=v.EXEMPTIONS_EN),
        _c("applied_on", "认定日期", "date", required=True),
        _c("applied_by", "认定人", "text", required=True, max_len=100),
    ],
)

KINDS = [ORGANISATIONS, CERTIFICATES, REGISTRATIONS, SITES, SESSIONS, RESULTS, ISSUED, CONVERSION_RULES, CONVERSIONS]
