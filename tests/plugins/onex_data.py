"""A small 1+X register built through the services (so every record is validated, guarded and
audited), with figures the tests work out by hand. Nothing in it breaks an X-… rule on 2026-01-15
(the day the rule tests check on) with the parameters unset; each rule test breaks exactly one.

- organisations ``org_a`` (第一批, WEB-01) and ``org_b`` (第二批, IR-01 and OLD-01);
- certificates WEB-01 Web前端开发 (初级、中级、高级, from 2019-06-01), IR-01 工业机器人应用编程
  (初级、中级、高级), OLD-01 (初级、中级, withdrawn after 2022-12-31, replaced by IR-01);
- school ``a`` hosts site ST-A1 for WEB-01 中级 (capacity 4, accredited 2020-01-01 to 2026-06-30)
  and 初级 (capacity 30, no end); school ``b`` hosts ST-B1 for IR-01 高级 (capacity 10);
- school ``a`` registers WEB-01 中级 for 460301 in 2025 (4 places, 4 candidates: take-up 100%);
- session KH-2025-01: ST-A1 WEB-01 中级 on 2025-06-01, fee 300.00: ``s1`` (hardship, paid 0) passed
  85, ``s2`` passed 72.5 (paid 300), ``s3`` failed 40 (paid 300), ``s4`` of school ``b`` passed 90;
  pass rate 3/4;
- issued: X-WEB-0001 to ``s1`` (2025-07-01, valid to 2028-06-30), X-WEB-0002 to ``s2``,
  X-WEB-0003 to ``s4``;
- school ``a``'s conversion rule R-WEB-M: WEB-01 中级 → C101、C102 (Web前端基础、JavaScript程序设计),
  4.0 credits each, 免修, from 2024-09-01; R-IR-H: IR-01 高级 → C201, 2.5, 免考;
- conversion: ``s1`` C101 in 2025-2026-1 under R-WEB-M with X-WEB-0001, 4.0 credits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xiaoqi.testing import XiaoqiFactory, make_uscc

SESSION = "KH-2025-01"
CHECK_DAY = dt.date(2026, 1, 15)


@dataclass
class OnexRegister:
    org_a: str
    org_b: str
    a: object
    b: object
    s1: object  # hardship
    s2: object
    s3: object  # failed
    s4: object  # of school b


def build(factory: XiaoqiFactory) -> OnexRegister:
    org_a, org_b = make_uscc("110108", 701), make_uscc("310115", 702)
    factory.record("onex_organisations", uscc=org_a, name="北京示例教育科技有限公司", batch="第一批", contact="刘老师", phone="13911112222")
    factory.record("onex_organisations", uscc=org_b, name="上海示例机器人有限公司", batch="2")
    factory.record("onex_certificates", code="WEB-01", name="Web前端开发", organisation_uscc=org_a, field="电子与信息",
                   levels="初级、中级、高级", valid_from=dt.date(2019, 6, 1))
    factory.record("onex_certificates", code="IR-01", name="工业机器人应用编程", organisation_uscc=org_b, field="装备制造",
                   levels="初级、中级、高级", valid_from=dt.date(2019, 6, 1))
    factory.record("onex_certificates", code="OLD-01", name="工业机器人装调（旧）", organisation_uscc=org_b, field="装备制造",
                   levels="初级、中级", valid_from=dt.date(2019, 6, 1), valid_to=dt.date(2022, 12, 31), replaced_by="IR-01")

    a, b = factory.school(name="杭州示例职业技术学院"), factory.school(name="宁波示例职业技术学院")
    major_a, major_b = factory.major(school=a), factory.major(school=b)
    s1 = factory.student(school=a, major=major_a, hardship=True, name="张一")
    s2 = factory.student(school=a, major=major_a, name="王二")
    s3 = factory.student(school=a, major=major_a, name="李三")
    s4 = factory.student(school=b, major=major_b, name="赵四")

    factory.record("onex_registrations", school_code=a.school_code, certificate_code="WEB-01", level="中级",
                   major_code=major_a.major_code, year=2025, planned=4, registered_on=dt.date(2025, 3, 1))
    factory.record("onex_sites", site_code="ST-A1", certificate_code="WEB-01", level="中级", name="杭州示例学院Web考核站",
                   school_code=a.school_code, capacity=4, accredited_from=dt.date(2020, 1, 1), accredited_to=dt.date(2026, 6, 30))
    factory.record("onex_sites", site_code="ST-A1", certificate_code="WEB-01", level="初级", name="杭州示例学院Web考核站",
                   school_code=a.school_code, capacity=30, accredited_from=dt.date(2020, 1, 1))
    factory.record("onex_sites", site_code="ST-B1", certificate_code="IR-01", level="高级", name="宁波示例学院机器人考核站",
                   school_code=b.school_code, capacity=10, accredited_from=dt.date(2021, 3, 1))
    factory.record("onex_sessions", session_code=SESSION, school_code=a.school_code, site_code="ST-A1", certificate_code="WEB-01",
                   level="中级", held_on=dt.date(2025, 6, 1), fee=Decimal("300.00"))
    for student, score, passed, paid in ((s1, "85", True, "0"), (s2, "72.5", True, "300"), (s3, "40", False, "300"),
                                         (s4, "90", True, "300")):
        factory.record("onex_results", session_code=SESSION, id_number=student.id_number, school_code=student.school_code,
                       score=score, passed=passed, fee_paid=paid)
    for n, student in enumerate((s1, s2, s4), start=1):
        factory.record("onex_issued", certificate_no=f"X-WEB-{n:04d}", id_number=student.id_number, school_code=student.school_code,
                       certificate_code="WEB-01", level="中级", issued_on=dt.date(2025, 7, 1), valid_to=dt.date(2028, 6, 30))
    factory.record("onex_conversion_rules", school_code=a.school_code, rule_code="R-WEB-M", certificate_code="WEB-01", level="中级",
                   course_codes="C101、C102", course_names="Web前端基础、JavaScript程序设计", credits="4", exemption="免修",
                   valid_from=dt.date(2024, 9, 1))
    factory.record("onex_conversion_rules", school_code=a.school_code, rule_code="R-IR-H", certificate_code="IR-01", level="高级",
                   course_codes="C201", credits="2.5", exemption="免考", valid_from=dt.date(2024, 9, 1))
    factory.record("onex_conversions", id_number=s1.id_number, school_code=a.school_code, course_code="C101", term="2025-2026-1",
                   rule_code="R-WEB-M", certificate_no="X-WEB-0001", credits="4", exemption="免修",
                   applied_on=dt.date(2025, 9, 10), applied_by="教务处")
    return OnexRegister(org_a=org_a, org_b=org_b, a=a, b=b, s1=s1, s2=s2, s3=s3, s4=s4)
