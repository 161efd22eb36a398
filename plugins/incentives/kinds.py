"""The incentives record kinds: who may see and change what.

| kind | 中文 | key | written |
|---|---|---|---|
| ``inc_lines`` | 激励台账 | 行号 | only by ``xiaoqi incentives`` (never by ``records`` or import) |
| ``inc_periods`` | 激励账期 | 年度 | only by ``xiaoqi incentives close-period`` |
| ``inc_investments`` | 企业职业教育投入 | 统一社会信用代码 + 凭证编号 | the enterprise, admin |
| ``inc_surcharges`` | 教育费附加应缴 | 统一社会信用代码 + 年度 | the enterprise, admin |
| ``inc_revocations`` | 产教融合型企业认定撤销 | 统一社会信用代码 + 撤销日期 | admin |
| ``inc_apprentices`` | 企业新型学徒 | 身份证号 + 统一社会信用代码 + 开始日期 | the enterprise, admin |
| ``inc_training`` | 学徒培训学时 | 学徒 + 年度 | the enterprise, admin |
| ``inc_overrides`` | 补贴资格审核例外 | 案件 + 审核步骤 | admin (audited) |

An enterprise reads its own ledger and records; a school reads the subsidy lines of its students
and its students' apprenticeships; a province those of its enterprises; the auditor reads all and
writes nothing. The ledger names apprentices and interns by ID number, masked like every ID number.
"""

from __future__ import annotations

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core.access import ALL, HIDE, IDS, NONE, OWN, Access, via
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import Column, RecordKind, Reference

from . import vocabulary as v

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "inc.v.year": ("年度应为 2000 到 2100 之间的四位年份", "the year is a four-digit year from 2000 to 2100"),
        "inc.v.positive": ("金额应大于 0", "the amount is more than 0"),
        "inc.v.not_negative": ("{column}不能为负数", "{column} cannot be negative"),
        "inc.v.surcharge": ("请填写增值税与消费税实缴额，或教育费附加与地方教育附加应缴额",
                            "give the VAT and consumption tax paid, or the education surcharges due"),
        "inc.v.contract": ("劳动合同截止日期不能早于起始日期", "the labour contract ends before it starts"),
        "inc.v.not_apprentice": ("该实习不是学徒（实习类型应为「学徒」）", "that internship is not an apprenticeship (kind 学徒)"),
        "inc.v.void_year": ("作废起始年度不能晚于撤销年度", "the first void year is after the year of the revocation"),
    }
)

SERVICE = "xiaoqi incentives"
STEPS = ("contract", "pay", "training", "duration", "not_claimed")
STEPS_ZH = ("劳动合同满一年", "工资不低于最低工资", "年培训学时", "培养期限", "未重复申领")


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


def _kind(**kw) -> RecordKind:
    return RecordKind(plugin="incentives", **kw)


def _year(name: str = "year", zh: str = "年度", **kw) -> Column:
    kw.setdefault("doc", ("四位年份", "four-digit year"))
    return _c(name, zh, "int", **kw)


def _years(*columns: str):
    def check(values: dict) -> list[tuple[str, str]]:
        return [(c, t("inc.v.year")) for c in columns if values.get(c) is not None and not 2000 <= values[c] <= 2100]

    return check


def _not_negative(*columns: str):
    def check(values: dict) -> list[tuple[str, str]]:
        return [(c, t("inc.v.not_negative", column=c)) for c in columns if values.get(c) is not None and values[c] < 0]

    return check


ENTERPRISE_REF = Reference("enterprises", ("uscc",), ("uscc",))
#: the enterprise keeps it; its province and the auditor read it
ENTERPRISE_OWN = Access(read={"enterprise": OWN}, write={"enterprise": OWN, "school": NONE})
#: decided by the administration only; the enterprise reads its own
ADMIN_ONLY = Access(read={"enterprise": OWN}, write=NONE)
#: an override's case key names the apprentice by ID number: masked inside the key
OVERRIDE_ACCESS = Access(read={"enterprise": OWN}, write=NONE, personal={"case_key": IDS})

LINES = _kind(
    name="inc_lines", zh="激励台账", en="incentive ledger", model="xiaoqi.plugins.incentives.models:Line", key=("id",),
    enterprise_column="uscc", school_column="school_code",
    # the case, the source key and the note may name an apprentice or intern by ID number
    access=Access(read={"enterprise": OWN, "school": OWN}, write=NONE, service=SERVICE, reveal={"enterprise": OWN, "school": OWN},
                  personal={"case_key": HIDE, "source_key": HIDE, "note": HIDE}),
    references=[ENTERPRISE_REF],
    columns=[
        _c("id", "行号", "int", required=True, key=True),
        _c("uscc", "统一社会信用代码", "uscc", required=True),
        _c("account", "科目", "choice", required=True, choices=v.ACCOUNTS, choices_en=v.ACCOUNTS_EN),
        _c("line_type", "类型", "choice", required=True, choices=tuple(v.LINE_TYPES), choices_en=tuple(v.LINE_TYPES_EN.values())),
        _year("period", "账期", required=True),
        _c("entry_date", "记账日期", "date", required=True),
        _c("amount_fen", "金额（分）", "int", required=True, doc=("有符号：增加为正，减少为负", "signed: positive adds to the account")),
        _year("vintage", "抵免额所属年度"),
        _c("scheme", "项目", "text", required=True, max_len=40),
        _c("case_key", "案件", "text", max_len=120),
        _c("person_id", "学生身份证号", "idcard"),
        _c("school_code", "学校代码", "code10"),
        _c("source_kind", "来源记录类型", "text", required=True, max_len=40),
        _c("source_key", "来源记录", "text", required=True, max_len=300),
        _c("reverses_id", "冲销行号", "int"),
        _c("actor", "记账人", "text", required=True, max_len=60),
        _c("run_id", "批次", "text", max_len=32),
        _c("note", "说明", "text", max_len=500),
    ],
)

PERIODS = _kind(
    name="inc_periods", zh="激励账期", en="incentive periods", model="xiaoqi.plugins.incentives.models:Period", key=("year",),
    access=Access(read=ALL, write=NONE, service=SERVICE),
    columns=[
        _year(required=True, key=True),
        _c("closed_on", "结账日期", "date"),
        _c("closed_by", "结账人", "text", max_len=60),
    ],
)


def _positive(values: dict) -> list[tuple[str, str]]:
    return [("amount", t("inc.v.positive"))] if values.get("amount") is not None and values["amount"] <= 0 else []


INVESTMENTS = _kind(
    name="inc_investments", zh="企业职业教育投入", en="enterprise vocational-education investment", model="xiaoqi.plugins.incentives.models:Investment",
    key=("uscc", "evidence"), enterprise_column="uscc", access=ENTERPRISE_OWN, references=[ENTERPRISE_REF],
    checks=[_years("year"), _positive],
    columns=[
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _year(required=True),
        _c("category", "投入类型", "choice", required=True, choices=("现金", "设备", "基地", "软件", "人员", "其他"),
           choices_en=("cash", "equipment", "base", "software", "staff_time", "other")),
        _c("amount", "金额", "money", required=True, doc=("元", "yuan")),
        _c("evidence", "凭证编号", "text", required=True, key=True, max_len=100, doc=("合同号或凭证号", "contract or voucher number")),
        _c("description", "说明", "text"),
    ],
)


def _surcharge_given(values: dict) -> list[tuple[str, str]]:
    taxes = values.get("vat_paid") is not None or values.get("consumption_tax_paid") is not None
    dues = values.get("education_due") is not None or values.get("local_education_due") is not None
    return [] if taxes or dues else [("vat_paid", t("inc.v.surcharge"))]


SURCHARGES = _kind(
    name="inc_surcharges", zh="教育费附加应缴", en="education surcharges due", model="xiaoqi.plugins.incentives.models:Surcharge", key=("uscc", "year"),
    enterprise_column="uscc", access=ENTERPRISE_OWN, references=[ENTERPRISE_REF],
    checks=[_years("year"), _surcharge_given, _not_negative("vat_paid", "consumption_tax_paid", "education_due", "local_education_due")],
    columns=[
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _year(required=True, key=True),
        _c("vat_paid", "增值税实缴额", "money", doc=("元；未填应缴附加时按 3% + 2% 计算", "yuan; the surcharges are computed at 3% + 2% when not given")),
        _c("consumption_tax_paid", "消费税实缴额", "money"),
        _c("education_due", "教育费附加应缴额", "money", doc=("元；填写则不再计算", "yuan; given, it is not computed")),
        _c("local_education_due", "地方教育附加应缴额", "money"),
    ],
)


def _void_year(values: dict) -> list[tuple[str, str]]:
    year, revoked = values.get("void_from_year"), values.get("revoked_on")
    return [("void_from_year", t("inc.v.void_year"))] if year and revoked and year > revoked.year else []


REVOCATIONS = _kind(
    name="inc_revocations", zh="产教融合型企业认定撤销", en="certification revocations", model="xiaoqi.plugins.incentives.models:Revocation",
    key=("uscc", "revoked_on"), enterprise_column="uscc", access=ADMIN_ONLY, references=[ENTERPRISE_REF],
    checks=[_years("void_from_year"), _void_year],
    columns=[
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _c("revoked_on", "撤销日期", "date", required=True, key=True),
        _c("fraud", "以欺诈取得", "bool", required=True),
        _year("void_from_year", "抵免作废起始年度", doc=("撤销决定写明自该年度起已形成的抵免额作废", "the decision voids credit earned from this year on")),
        _c("document_no", "文号", "text", max_len=100),
    ],
)


def _contract_order(values: dict) -> list[tuple[str, str]]:
    a, b = values.get("contract_from"), values.get("contract_to")
    return [("contract_to", t("inc.v.contract"))] if a and b and b < a else []


def _apprenticeships(session, kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """Each row names an internship of kind 学徒."""
    from xiaoqi.core import models as cm

    i = cm.Internship
    wanted = sorted({(r["id_number"], r["uscc"], r["start_on"]) for r in rows})
    found = set(map(tuple, session.execute(sa.select(i.id_number, i.uscc, i.start_on).where(
        sa.tuple_(i.id_number, i.uscc, i.start_on).in_(wanted), i.kind == "学徒")).all())) if wanted else set()
    return [(n, "start_on", t("inc.v.not_apprentice")) for n, r in enumerate(rows)
            if (r["id_number"], r["uscc"], r["start_on"]) not in found]


INTERNSHIP_REF = Reference("internships", ("id_number", "uscc", "start_on"), ("id_number", "uscc", "start_on"))

APPRENTICES = _kind(
    name="inc_apprentices", zh="企业新型学徒", en="enterprise apprentices", model="xiaoqi.plugins.incentives.models:Apprentice",
    key=("id_number", "uscc", "start_on"), enterprise_column="uscc",
    access=Access(read={"enterprise": OWN, "school": via("internships")}, write={"enterprise": OWN, "school": NONE},
                  guards=(_apprenticeships,)),
    references=[INTERNSHIP_REF], checks=[_contract_order],
    columns=[
        _c("id_number", "身份证号", "idcard", required=True, key=True),
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _c("start_on", "开始日期", "date", required=True, key=True, doc=("学徒（实习类型「学徒」）的开始日期", "the start of the 学徒 internship")),
        _c("skill_level", "培养技能等级", "choice", required=True, choices=v.SKILL_LEVELS, choices_en=v.SKILL_LEVELS_EN),
        _c("contract_from", "劳动合同起始日期", "date"),
        _c("contract_to", "劳动合同截止日期", "date"),
        _c("stopped_on", "提前终止日期", "date", doc=("学徒培养未完成而终止之日", "the day the apprenticeship stopped before its end")),
        _c("subsidy_region", "补贴地区代码", "region", doc=("默认为企业所在地", "the enterprise's region by default")),
    ],
)

TRAINING = _kind(
    name="inc_training", zh="学徒培训学时", en="apprentice training hours", model="xiaoqi.plugins.incentives.models:Training",
    key=("id_number", "uscc", "start_on", "year"), enterprise_column="uscc",
    access=Access(read={"enterprise": OWN, "school": via("inc_apprentices")}, write={"enterprise": OWN, "school": NONE}),
    references=[Reference("inc_apprentices", ("id_number", "uscc", "start_on"), ("id_number", "uscc", "start_on"))],
    checks=[_years("year"), _not_negative("hours")],
    columns=[
        _c("id_number", "身份证号", "idcard", required=True, key=True),
        _c("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        _c("start_on", "开始日期", "date", required=True, key=True),
        _year(required=True, key=True),
        _c("hours", "培训学时", "int", required=True),
    ],
)


OVERRIDES = _kind(
    name="inc_overrides", zh="补贴资格审核例外", en="eligibility overrides", model="xiaoqi.plugins.incentives.models:Override", key=("case_key", "step"),
    enterprise_column="uscc", access=OVERRIDE_ACCESS, references=[ENTERPRISE_REF],
    columns=[
        _c("case_key", "案件", "text", required=True, key=True, max_len=120, doc=("如 apprentice/USCC/身份证号/2024", "e.g. apprentice/USCC/ID/2024")),
        _c("step", "审核步骤", "text", required=True, key=True, max_len=30, choices=STEPS,
           doc=("contract、pay、training、duration、not_claimed 之一", "one of contract, pay, training, duration, not_claimed")),
        _c("uscc", "统一社会信用代码", "uscc", required=True),
        _c("passed", "认定通过", "bool", required=True),
        _c("reason", "理由", "text", required=True, max_len=500),
        _c("decided_on", "决定日期", "date", required=True),
    ],
)

KINDS = [LINES, PERIODS, INVESTMENTS, SURCHARGES, REVOCATIONS, APPRENTICES, TRAINING, OVERRIDES]
