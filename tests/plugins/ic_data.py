"""A small industrial-college register built through the services (so every record is validated,
guarded and audited), with figures the tests work out by hand.

智能制造产业学院 (CY-01), led by ``lead`` since 2021-03-01, operating:
- partners: enterprise ``a`` (共建, current), enterprise ``b`` (参与, left 2024-06-30), school
  ``partner_school`` (共建), the 杭州 government (参与) and an industry association (参与);
- 理事会 with four members (lead 1 seat, ``a`` 2, partner school 1), meeting 2024-01-15, 2024-07-10 and
  2025-01-20; 学术委员会, meeting 2024-03-01;
- investment: ``a`` 2024 cash 500,000.00 + equipment 1,200,000.50; 2025 base 800,000.00 + staff time
  60,000.00; ``b`` 2023 software 150,000.00;
- teaching: mentor ``ta`` (of ``a``) 64 h in 2024-2025-1 and 48 h in 2024-2025-2; ``tb`` (of ``b``)
  32 h in 2023-2024-2;
- an order class of ``a`` (intake 2022, 38 enrolled, 36 graduates in 2025, 27 hired), two bases,
  three courses, four services, two task self-assessments for 2025.

新能源汽车企业学院 (CY-02), led by ``partner_school`` since 2023-09-01, with ``a`` as 牵头 partner and
its 2024 cash investment of 100,000.00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xiaoqi.core.fields import uscc_with_check
from xiaoqi.testing import XiaoqiFactory

C1, C2 = "CY-01", "CY-02"


def association_code(serial: int) -> str:
    """A valid USCC of a 社会团体 (registration code 51)."""
    return uscc_with_check(f"51330100MJ{serial:07d}")


@dataclass
class IcRegister:
    lead: object
    partner_school: object
    stranger: object  # a school with no college
    a: object  # the current partner enterprise
    b: object  # the partner that left on 2024-06-30
    outsider: object  # an enterprise of no college
    ta: object  # enterprise mentor of a
    tb: object  # enterprise mentor of b
    association: str
    majors: dict  # lead (460301, joint), robotics (460305 of the lead school, not joint), partner (460301, joint)


def college(factory: XiaoqiFactory, code: str, school, **values):
    return factory.record("ic_colleges", **{
        "code": code, "name": f"{code}产业学院", "lead_school_code": school.school_code, "type": "现代产业学院",
        "industry_chain": "智能制造装备产业链", "location": "园区", "founded_on": dt.date(2021, 3, 1), "status": "运行",
        "contact": "周老师", "phone": "0571-86660000", **values,
    })


def partner(factory: XiaoqiFactory, code: str, party, partner_type: str = "企业", **values):
    party_code = party if isinstance(party, str) else getattr(party, "uscc", None) or party.school_code
    return factory.record("ic_partners", **{
        "college_code": code, "partner_code": party_code, "partner_type": partner_type, "role": "共建",
        "joined_on": dt.date(2021, 3, 1), **values,
    })


def build(factory: XiaoqiFactory) -> IcRegister:
    lead, partner_school, stranger = factory.school(name="杭州智造职业技术学院"), factory.school(), factory.school()
    majors = {"lead": factory.major(school=lead), "robotics": factory.major(school=lead, major_code="460305", name="工业机器人技术"),
              "partner": factory.major(school=partner_school)}
    a, b, outsider = factory.enterprise(name="杭州精工智能装备有限公司"), factory.enterprise(), factory.enterprise()
    for firm in (a, b):  # the mentors of a partner are seen by the school through its agreements
        factory.agreement(school=lead, enterprise=firm, kind="产业学院、实习基地")
    ta = factory.teacher(enterprise=a, kind="企业导师", name="李工")
    tb = factory.teacher(enterprise=b, kind="企业导师", name="王工")
    reg = IcRegister(lead=lead, partner_school=partner_school, stranger=stranger, a=a, b=b, outsider=outsider,
                     ta=ta, tb=tb, association=association_code(1), majors=majors)

    college(factory, C1, lead, name="智能制造产业学院")
    factory.record("ic_recognitions", college_code=C1, level="校级", recognised_on=dt.date(2021, 12, 1))
    factory.record("ic_recognitions", college_code=C1, level="省级", recognised_on=dt.date(2023, 10, 10), batch="第二批",
                   issuer="浙江省教育厅", document_no="浙教函〔2023〕88号")
    partner(factory, C1, a)
    partner(factory, C1, b, role="参与", left_on=dt.date(2024, 6, 30))
    partner(factory, C1, partner_school, "学校")
    partner(factory, C1, "330100", "地方政府", name="杭州市人民政府", role="参与")
    partner(factory, C1, reg.association, "行业协会", name="浙江省智能制造行业协会", role="参与")

    factory.record("ic_bodies", college_code=C1, name="理事会", body_type="理事会", established_on=dt.date(2021, 3, 1))
    factory.record("ic_bodies", college_code=C1, name="学术委员会", body_type="学术委员会")
    for name, org, role in (("张理事长", lead.school_code, "理事长"), ("李理事", a.uscc, "理事"), ("王理事", a.uscc, "理事"),
                            ("赵理事", partner_school.school_code, "理事")):
        factory.record("ic_members", college_code=C1, body_name="理事会", name=name, organisation_code=org, role=role,
                       phone="13900001111")
    for day in (dt.date(2024, 1, 15), dt.date(2024, 7, 10), dt.date(2025, 1, 20)):
        factory.record("ic_meetings", college_code=C1, body_name="理事会", held_on=day, title="理事会会议",
                       decisions="审议年度建设计划、通过经费预算")
    factory.record("ic_meetings", college_code=C1, body_name="学术委员会", held_on=dt.date(2024, 3, 1))

    factory.record("ic_majors", college_code=C1, school_code=lead.school_code, major_code="460301", core=True, since_year=2021)
    factory.record("ic_majors", college_code=C1, school_code=partner_school.school_code, major_code="460301", since_year=2022)
    factory.record("ic_order_classes", college_code=C1, class_name="精工订单班2022", uscc=a.uscc, major_code="460301",
                   intake_year=2022, planned=40, enrolled=38, committed_hires=30, graduation_year=2025, graduates=36, hired=27)

    for firm, year, category, amount, evidence, extra in (
            (a, 2024, "现金", "500000.00", "HT-2024-01", {}),
            (a, 2024, "设备", "1200000.50", "SB-2024-02", {"description": "工业机器人实训工作站"}),
            (a, 2025, "实训基地", "800000.00", "JD-2025-01", {"area": 1200, "workstations": 60}),
            (a, 2025, "人员", "60000.00", "RY-2025-01", {"hours": 480}),
            (b, 2023, "软件", "150000.00", "RJ-2023-01", {})):
        factory.record("ic_investments", college_code=C1, uscc=firm.uscc, year=year, category=category,
                       amount=Decimal(amount), evidence=evidence, **extra)

    factory.record("ic_courses", college_code=C1, item_type="课程", title="工业机器人编程", year=2024, uscc=a.uscc,
                   authors="李工、王工")
    factory.record("ic_courses", college_code=C1, item_type="教材", title="智能产线运维", year=2025, uscc=a.uscc,
                   reference="ISBN 978-7-111-00000-0")
    factory.record("ic_courses", college_code=C1, item_type="企业项目", title="产线视觉检测改造", year=2025, uscc=a.uscc,
                   students=12)
    factory.record("ic_teaching", college_code=C1, teacher_id=ta.id_number, term="2024-2025-1", course="工业机器人编程", hours=64)
    factory.record("ic_teaching", college_code=C1, teacher_id=ta.id_number, term="2024-2025学年第二学期", course="智能产线运维", hours=48)
    factory.record("ic_teaching", college_code=C1, teacher_id=tb.id_number, term="2023-2024-2", course="PLC控制技术", hours=32)
    factory.record("ic_bases", college_code=C1, name="智能制造实训中心", location="校内", area=3000, workstations=120,
                   capacity=240, opened_on=dt.date(2022, 9, 1))
    factory.record("ic_bases", college_code=C1, name="精工生产性实训基地", location="企业", uscc=a.uscc, capacity=60,
                   opened_on=dt.date(2023, 3, 1))
    factory.record("ic_services", college_code=C1, year=2024, service_type="联合研发", title="柔性装配线联合研发",
                   uscc=a.uscc, amount=Decimal("350000.00"))
    factory.record("ic_services", college_code=C1, year=2024, service_type="技术服务", title="设备改造咨询", uscc=a.uscc,
                   amount=Decimal("200000.00"))
    factory.record("ic_services", college_code=C1, year=2025, service_type="专利", title="一种视觉检测装置",
                   patent_no="ZL202510000001.X")
    factory.record("ic_services", college_code=C1, year=2025, service_type="员工培训", title="企业员工技能提升", uscc=a.uscc,
                   trainees=320)
    factory.record("ic_tasks", college_code=C1, year=2025, task="1", status="已完成", evidence="人才培养方案、订单班协议")
    factory.record("ic_tasks", college_code=C1, year=2025, task="⑦", status="进行中", evidence="理事会章程")

    college(factory, C2, partner_school, name="新能源汽车企业学院", type="企业学院", location="企业",
            founded_on=dt.date(2023, 9, 1))
    partner(factory, C2, a, role="牵头", joined_on=dt.date(2023, 9, 1))
    factory.record("ic_investments", college_code=C2, uscc=a.uscc, year=2024, category="现金", amount=Decimal("100000.00"),
                   evidence="HT-C2-2024")
    return reg


@dataclass
class Students:
    intern: object  # 岗位实习 at a, 2025-03-01 to 2025-08-31 (joint major, lead school)
    apprentice: object  # 学徒 at a from 2025-09-01
    partner_intern: object  # the partner school's student, 岗位实习 at a in 2024
    elsewhere: object  # joint major, but interning at an enterprise of no college
    other_major: object  # interning at a, but not in a joint major


def add_students(factory: XiaoqiFactory, reg: IcRegister) -> Students:
    """Students and internships in the core registry, of which the college counts three: its
    students are those of its joint majors (460301 at both schools), its internships theirs at its
    partners during the partnership."""
    post = factory.position(reg.a)
    outside = factory.position(reg.outsider)

    def student(major: str):
        return factory.student(school=reg.partner_school if major == "partner" else reg.lead, major=reg.majors[major])

    intern, apprentice, partner_intern = student("lead"), student("lead"), student("partner")
    elsewhere, other_major = student("lead"), student("robotics")
    factory.internship(student=intern, position=post, start_on=dt.date(2025, 3, 1))
    factory.internship(student=apprentice, position=post, kind="学徒", start_on=dt.date(2025, 9, 1), end_on=dt.date(2026, 8, 31))
    factory.internship(student=partner_intern, position=post, start_on=dt.date(2024, 3, 1))
    factory.internship(student=elsewhere, position=outside, start_on=dt.date(2025, 3, 1))
    factory.internship(student=other_major, position=post, start_on=dt.date(2025, 3, 1))
    return Students(intern, apprentice, partner_intern, elsewhere, other_major)
