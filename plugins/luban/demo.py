"""Demo Luban Workshops: workshops in several countries (Thailand first, opened 2016-03-08), led by
the demo's schools and joined by its enterprises and by firms registered abroad, with equipment and
yearly activity — and one operating workshop that has not reported last year, for LW-ACTIVITY-MISSING.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core.models import Enterprise, School

from .models import Workshop, WorkshopActivity, WorkshopEquipment, WorkshopPartner

# (name, country, city, partner institution, status, opened on, majors, EPIP)
WORKSHOPS = [
    ("泰国鲁班工坊", "TH", "大城府", "大城技术学院", "运营", dt.date(2016, 3, 8), ("机电一体化技术", "新能源汽车技术"), True),
    ("英国鲁班工坊", "GB", "奇切斯特", "奇切斯特学院", "运营", dt.date(2016, 12, 19), ("中餐烹饪",), False),
    ("印度鲁班工坊", "IN", "金奈", "金奈理工学院", "运营", dt.date(2017, 12, 8), ("工业机器人技术", "新能源技术"), True),
    ("印度尼西亚鲁班工坊", "ID", "东爪哇", "东爪哇职业学校", "运营", dt.date(2017, 12, 18), ("汽车运用与维修技术",), True),
    ("巴基斯坦鲁班工坊", "PK", "拉合尔", "旁遮普省技术教育与职业培训局", "运营", dt.date(2018, 4, 30), ("机电一体化技术", "自动化技术"), True),
    ("柬埔寨鲁班工坊", "KH", "金边", "柬埔寨国立理工学院", "运营", dt.date(2018, 10, 25), ("计算机网络技术", "电子技术"), True),
    ("吉布提鲁班工坊", "DJ", "吉布提市", "吉布提工商学校", "运营", dt.date(2019, 3, 28), ("铁道运营管理", "商贸"), True),
    ("肯尼亚鲁班工坊", "KE", "马查科斯", "马查科斯大学", "运营", dt.date(2019, 12, 16), ("云计算技术", "信息安全技术"), True),
    ("埃及鲁班工坊", "EG", "开罗", "艾因夏姆斯大学", "运营", dt.date(2020, 12, 18), ("数控技术", "新能源汽车技术"), True),
    ("埃塞俄比亚鲁班工坊", "ET", "亚的斯亚贝巴", "埃塞俄比亚技术大学", "暂停", dt.date(2021, 5, 10), ("机电一体化技术",), True),
    ("哈萨克斯坦鲁班工坊", "KZ", "阿斯塔纳", "哈萨克斯坦国立技术大学", "建设中", None, ("工业自动化",), False),
]
#: the operating workshop left without last year's activity (LW-ACTIVITY-MISSING fires on it)
SILENT = "印度鲁班工坊"
EQUIPMENT = [
    ("工业机器人实训台", 4, 180_000), ("数控车床", 2, 260_000), ("PLC实训装置", 10, 28_000),
    ("新能源汽车实训台架", 3, 150_000), ("EPIP工程实践创新套件", 20, 9_500), ("虚拟仿真实训系统", 1, 320_000),
]
STANDARDS = ["机电一体化技术专业教学标准", "新能源汽车技术课程标准", "工业机器人技术专业教学标准", "数控技术课程标准"]
FOREIGN_FIRMS = ["中国路桥工程有限责任公司（当地分公司）", "华为技术（当地）有限公司", "正大集团（当地）", "中国土木工程集团（当地）"]
ROLES = [("设备捐赠", "技术支持"), ("实习就业",), ("师资培训", "标准开发"), ("资金支持",)]


def generate(session: Session, *, seed: int, today: dt.date, manifest=None) -> dict[str, int]:
    """Write the demo workshops; returns the row count of each kind."""
    rng = random.Random(seed + 16)  # its own stream: the core's demo stays as it is
    schools = list(session.execute(sa.select(School.school_code).order_by(School.school_code)).scalars())
    # manufacturers and software firms go abroad with the colleges (GB/T 4754: 13–43 manufacturing, 65 software)
    enterprises = list(session.execute(
        sa.select(Enterprise.uscc).where(sa.or_(Enterprise.industry_code < "4400", Enterprise.industry_code.startswith("65")))
        .order_by(Enterprise.uscc)).scalars())
    if not schools:
        return {}
    last_year = today.year - 1
    workshops, equipment, activity, partners = [], [], [], []
    for i, (name, country, city, partner, status, opened, majors, epip) in enumerate(WORKSHOPS):
        lead = schools[i % len(schools)]
        others = [s for s in rng.sample(schools, min(2, len(schools))) if s != lead][:1]
        if opened is not None and opened > today:
            status, opened = "建设中", None
        workshops.append({
            "name": name, "country": country, "city": city, "partner_institution": partner, "lead_school_code": lead,
            "other_school_codes": "、".join(others) or None, "majors": "、".join(majors), "epip": epip,
            "status": status, "opened_on": opened,
        })
        delivered = opened or today
        for item, quantity, unit in rng.sample(EQUIPMENT, rng.randrange(2, 5)):
            equipment.append({
                "workshop_name": name, "item": item, "quantity": quantity,
                "value": Decimal(unit * quantity + rng.randrange(0, 100) * 10) + Decimal("0.50") * rng.randrange(0, 2),
                "delivered_on": None if opened is None else delivered - dt.timedelta(days=rng.randrange(20, 90)),
            })
        if enterprises:
            uscc = enterprises[(i * 3) % len(enterprises)]
            partners.append({"workshop_name": name, "partner": uscc, "uscc": uscc, "name": None,
                             "roles": "、".join(rng.choice(ROLES))})
        partners.append({"workshop_name": name, "partner": FOREIGN_FIRMS[i % len(FOREIGN_FIRMS)], "uscc": None,
                         "name": None, "roles": "、".join(rng.choice(ROLES))})
        if opened is None:
            continue
        enrolled = rng.randrange(30, 80)
        for year in range(opened.year, last_year + 1):
            if name == SILENT and year == last_year:
                continue
            enrolled = enrolled + rng.randrange(5, 40)
            activity.append({
                "workshop_name": name, "year": year, "enrolled": enrolled, "trainees": rng.randrange(200, 2000),
                "local_teachers_trained": rng.randrange(10, 80), "chinese_teachers_sent": rng.randrange(2, 12),
                "standards_adopted": rng.choice(STANDARDS) if rng.random() < 0.3 else None,
            })
    for model, rows in ((Workshop, workshops), (WorkshopEquipment, equipment), (WorkshopActivity, activity),
                        (WorkshopPartner, partners)):
        if rows:
            session.execute(sa.insert(model.__table__), rows)
    if manifest is not None and any(w["name"] == SILENT and w["status"] == "运营" and w["opened_on"].year <= last_year
                                    for w in workshops):
        manifest.expect("LW-ACTIVITY-MISSING", SILENT)
    return {"luban_workshops": len(workshops), "luban_equipment": len(equipment), "luban_activity": len(activity),
            "luban_partners": len(partners)}
