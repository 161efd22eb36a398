"""A small Luban register built through the services, with figures the tests work out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xiaoqi.testing import XiaoqiFactory


@dataclass
class LubanRegister:
    lead: object  # the school leading the Thai and Egyptian workshops
    other: object  # the school leading the Kenyan one, taking part in the Thai one
    stranger: object  # a school with no workshop
    partner: object  # an enterprise partnering the Thai workshop


def workshop(factory: XiaoqiFactory, name: str, school, country: str, **values):
    return factory.record("luban_workshops", **{
        "name": name, "country": country, "city": "城市", "partner_institution": f"{name}合作院校",
        "lead_school_code": school.school_code, "status": "运营", "opened_on": dt.date(2018, 5, 1),
        "majors": "机电一体化技术、工业机器人技术", "epip": True, **values,
    })


def build(factory: XiaoqiFactory) -> LubanRegister:
    """泰国 (lead, 2 years of activity, 2 equipment lines), 埃及 (lead, 1 year, 1 line), 肯尼亚 (other,
    建设中, nothing yet)."""
    lead, other, stranger = factory.school(), factory.school(), factory.school()
    partner = factory.enterprise()
    workshop(factory, "泰国鲁班工坊", lead, "泰国", opened_on=dt.date(2016, 3, 8), other_school_codes=other.school_code)
    workshop(factory, "埃及鲁班工坊", lead, "EG", opened_on=dt.date(2020, 12, 18))
    workshop(factory, "肯尼亚鲁班工坊", other, "Kenya", status="建设中", opened_on=None)
    factory.record("luban_equipment", workshop_name="泰国鲁班工坊", item="工业机器人实训台", quantity=4,
                   value=Decimal("720000.50"), delivered_on=dt.date(2016, 2, 1))
    factory.record("luban_equipment", workshop_name="泰国鲁班工坊", item="数控车床", quantity=2,
                   value=Decimal("520000.00"), delivered_on=dt.date(2024, 6, 1))
    factory.record("luban_equipment", workshop_name="埃及鲁班工坊", item="PLC实训装置", quantity=10,
                   value=Decimal("280000.25"), delivered_on=dt.date(2020, 11, 1))
    for year, enrolled, trainees, teachers, sent in ((2024, 300, 1200, 40, 6), (2025, 320, 1500, 50, 8)):
        factory.record("luban_activity", workshop_name="泰国鲁班工坊", year=year, enrolled=enrolled, trainees=trainees,
                       local_teachers_trained=teachers, chinese_teachers_sent=sent)
    factory.record("luban_activity", workshop_name="埃及鲁班工坊", year=2024, enrolled=80, trainees=400,
                   local_teachers_trained=20, chinese_teachers_sent=3, standards_adopted="数控技术课程标准、机电一体化技术专业教学标准")
    factory.record("luban_partners", workshop_name="泰国鲁班工坊", partner=partner.uscc, roles="设备捐赠、实习就业")
    factory.record("luban_partners", workshop_name="泰国鲁班工坊", partner="正大集团（泰国）", roles="资金支持")
    return LubanRegister(lead=lead, other=other, stranger=stranger, partner=partner)
