"""The Luban Workshop record kinds: their columns (Chinese and English headers), keys, references
and who may see and change them, and the two column types they add (``country``, ``partner``).
One definition serves import, export, templates, the services and the TUI forms.

| kind | 中文 | key |
|---|---|---|
| ``luban_workshops`` | 鲁班工坊 | 工坊名称 |
| ``luban_equipment`` | 鲁班工坊设备 | 工坊名称 + 设备名称 |
| ``luban_activity`` | 鲁班工坊年度数据 | 工坊名称 + 年度 |
| ``luban_partners`` | 鲁班工坊合作企业 | 工坊名称 + 合作企业 |
"""

from __future__ import annotations

import re

from xiaoqi.core.lazy import lazy_module

from xiaoqi.core import fields as f
from xiaoqi.core.access import OWN, Access, via, where
from xiaoqi.core.countries import parse_country
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import Column, ColumnType, RecordKind, Reference

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "luban.v.year": ("年度应为 2000 到 2100 之间的四位年份", "the year is a four-digit year from 2000 to 2100"),
        "luban.v.school_list": ("「{item}」不是10位数字的学校代码", "'{item}' is not a 10-digit school code"),
        "luban.v.lead_repeated": ("国内牵头院校 {code} 不必再列入其他国内院校", "the lead college {code} need not be listed among the other colleges"),
        "luban.v.opened_required": ("运营中的工坊必须填写揭牌日期", "an operating workshop needs its opening date"),
        "luban.v.partner": ("看起来是统一社会信用代码，但{reason}；境外注册的企业请直接写企业名称", "looks like a USCC, but {reason}; for a firm registered abroad write its name"),
    }
)

STATUSES = ("建设中", "运营", "暂停")
STATUSES_EN = ("under construction", "operating", "suspended")
OPERATING = "运营"
ROLES = ("设备捐赠", "师资培训", "实习就业", "标准开发", "资金支持", "技术支持", "运营管理", "其他")
ROLES_EN = ("equipment donation", "teacher training", "internships and jobs", "standards", "funding",
            "technical support", "operations", "other")


# an 18-character code in the USCC alphabet is taken for a USCC (and must pass its checksum);
# anything else is the name of a firm registered abroad
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")


def _year_check(values: dict) -> list[tuple[str, str]]:
    if values.get("year") is not None and not 2000 <= values["year"] <= 2100:
        return [("year", t("luban.v.year"))]
    return []


def _c(name, zh, type_, **kw) -> Column:
    return Column(name=name, zh=zh, type=type_, **kw)


def _workshop_checks(values: dict) -> list[tuple[str, str]]:
    problems = []
    others = f.parse_list(values.get("other_school_codes") or "")
    for item in others:
        try:
            f.parse_code10(item)
        except ValueError:
            problems.append(("other_school_codes", t("luban.v.school_list", item=item)))
    if values.get("lead_school_code") in others:
        problems.append(("other_school_codes", t("luban.v.lead_repeated", code=values["lead_school_code"])))
    if values.get("status") == OPERATING and values.get("opened_on") is None:
        problems.append(("opened_on", t("luban.v.opened_required")))
    return problems


def parse_partner(value) -> str:
    """A partner enterprise: its USCC (checked) or, for a firm registered abroad, its name."""
    text = f.parse_text(value)
    code = text.upper().replace(" ", "")
    if _USCC_SHAPE.match(code):
        try:
            return f.parse_uscc(code)
        except ValueError as exc:
            raise ValueError(t("luban.v.partner", reason=exc)) from None
    return text


def _partner_derive(values: dict) -> dict:
    partner = values.get("partner") or ""
    return {"uscc": partner if _USCC_SHAPE.match(partner) else None}


COLUMN_TYPES = [
    ColumnType("country", parse_country, ("ISO 3166-1 国家代码或国名", "ISO 3166-1 country code or name")),
    ColumnType("partner", parse_partner, ("统一社会信用代码或企业名称", "USCC or firm name")),
]


# -- scope: a workshop belongs to its lead college; the other colleges and the partner enterprises
# -- may read it; a province reads the workshops its colleges lead

def _other_college(model, code):
    others = sa.literal(f.LIST_JOIN).concat(model.other_school_codes).concat(f.LIST_JOIN)
    return others.contains(sa.literal(f.LIST_JOIN).concat(code).concat(f.LIST_JOIN))


def _partner(model, code):
    from .models import WorkshopPartner

    return model.name.in_(sa.select(WorkshopPartner.workshop_name).where(WorkshopPartner.uscc == code))


WORKSHOP_ACCESS = Access(read={
    "school": OWN | where(_other_college, ("其他国内院校", "another college of the workshop")),
    "enterprise": where(_partner, ("合作企业", "a partner enterprise")),
})
#: equipment, yearly figures and partners: read with their workshop, kept by its lead college
CHILD_ACCESS = Access(read=via("luban_workshops"), write=via("luban_workshops"))


WORKSHOP_REF = Reference("luban_workshops", ("workshop_name",), ("name",))
WORKSHOP_COLUMN = _c("workshop_name", "工坊名称", "text", required=True, key=True, max_len=100)

WORKSHOPS = RecordKind(
    name="luban_workshops", zh="鲁班工坊", en="Luban Workshops", model="xiaoqi.plugins.luban.models:Workshop", key=("name",),
    school_column="lead_school_code", access=WORKSHOP_ACCESS, checks=[_workshop_checks], plugin="luban",
    columns=[
        _c("name", "工坊名称", "text", required=True, key=True, max_len=100),
        _c("country", "所在国家", "country", required=True, doc=("如 TH、泰国", "e.g. TH, Thailand")),
        _c("city", "所在城市", "text", max_len=100),
        _c("partner_institution", "合作院校", "text", required=True, doc=("所在国合作院校", "the partner institution in the host country")),
        _c("lead_school_code", "国内牵头院校", "code10", required=True, doc=("学校代码", "school code")),
        _c("other_school_codes", "其他国内院校", "list", max_len=500, doc=("学校代码，用、分隔", "school codes separated by 、")),
        _c("majors", "开设专业", "list", max_len=500),
        _c("epip", "采用EPIP模式", "bool", doc=("工程实践创新项目", "Engineering Practice Innovation Project")),
        _c("status", "状态", "choice", required=True, choices=STATUSES, choices_en=STATUSES_EN),
        _c("opened_on", "揭牌日期", "date", doc=("运营中的工坊必填", "required once operating")),
    ],
)

EQUIPMENT = RecordKind(
    name="luban_equipment", zh="鲁班工坊设备", en="Luban Workshop equipment", model="xiaoqi.plugins.luban.models:WorkshopEquipment",
    key=("workshop_name", "item"), references=[WORKSHOP_REF], access=CHILD_ACCESS, plugin="luban",
    columns=[
        WORKSHOP_COLUMN,
        _c("item", "设备名称", "text", required=True, key=True),
        _c("quantity", "数量", "int", required=True),
        _c("value", "设备价值", "money", required=True, doc=("该项设备总价值（元）", "total value of the line (yuan)")),
        _c("delivered_on", "交付日期", "date"),
    ],
)

ACTIVITY = RecordKind(
    name="luban_activity", zh="鲁班工坊年度数据", en="Luban Workshop yearly activity", model="xiaoqi.plugins.luban.models:WorkshopActivity",
    key=("workshop_name", "year"), references=[WORKSHOP_REF], access=CHILD_ACCESS, checks=[_year_check], plugin="luban",
    columns=[
        WORKSHOP_COLUMN,
        _c("year", "年度", "int", required=True, key=True, doc=("四位年份", "four-digit year")),
        _c("enrolled", "学历教育在校生", "int", required=True),
        _c("trainees", "培训人次", "int", required=True),
        _c("local_teachers_trained", "培训教师人次", "int", required=True, doc=("培训当地教师人次", "local teachers trained")),
        _c("chinese_teachers_sent", "派出中方教师人次", "int", required=True),
        _c("standards_adopted", "纳入所在国国民教育体系的标准", "list", max_len=1000,
           doc=("当年被所在国采纳的专业标准、课程标准", "programme standards and curricula the host country adopted that year")),
    ],
)

PARTNERS = RecordKind(
    name="luban_partners", zh="鲁班工坊合作企业", en="Luban Workshop partner enterprises", model="xiaoqi.plugins.luban.models:WorkshopPartner",
    key=("workshop_name", "partner"), references=[WORKSHOP_REF], access=CHILD_ACCESS, derive=_partner_derive, plugin="luban",
    columns=[
        WORKSHOP_COLUMN,
        _c("partner", "合作企业", "partner", required=True, key=True,
           doc=("统一社会信用代码；境外注册的企业写企业名称", "the USCC; for a firm registered abroad, its name")),
        _c("name", "企业名称", "text"),
        _c("roles", "合作角色", "list", required=True, choices=ROLES, choices_en=ROLES_EN),
    ],
)

KINDS = [WORKSHOPS, EQUIPMENT, ACTIVITY, PARTNERS]
