"""A tiny two-school, two-enterprise registry written through the services as admin."""

from __future__ import annotations

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.fields import id_number_with_check as make_id
from xiaoqi.core.fields import uscc_with_check as make_uscc
from xiaoqi.core.services import create_record


SA, SB = "4132012345", "4141054321"
EA, EB = make_uscc("91320100MA1AAAAA0"), make_uscc("91410100MA1BBBBB0")
STU_A, STU_B = make_id("32010220040301123"), make_id("41010220040505456")


def rows() -> list[tuple[str, dict]]:
    """(kind, row) for every kind: one record owned by school A / enterprise A, one by B / B."""
    out = []
    for school, region, name in ((SA, "320100", "南京工业职业技术大学"), (SB, "410100", "河南工业职业技术学院")):
        out.append(("schools", {"school_code": school, "name": name, "level": "高职", "region": region}))
        out.append(("majors", {"school_code": school, "major_code": "460301", "name": "机电一体化技术"}))
    for code, region in ((EA, "320100"), (EB, "410100")):
        out.append(("enterprises", {"uscc": code, "name": f"企业{region}", "industry_code": "3484", "region": region, "staff_count": "500"}))
        out.append(("positions", {"uscc": code, "position_code": "P001", "title": "装配技术员", "major_category": "46",
                                  "staff_count": "100", "wage": "5000", "apprentice_quota": "5"}))
    for school, ent, stu, no in ((SA, EA, STU_A, "A-1"), (SB, EB, STU_B, "B-1")):
        out.append(("students", {"school_code": school, "student_no": f"2023{no}", "name": "张三", "id_number": stu,
                                 "major_code": "460301", "enrolled_on": "2023-09-01"}))
        out.append(("agreements", {"school_code": school, "uscc": ent, "agreement_no": f"XQ-{no}", "kind": "实习基地、订单培养",
                                   "signed_on": "2024-01-01", "vetted_on": "2023-12-20"}))
        out.append(("internships", {"school_code": school, "id_number": stu, "uscc": ent, "position_code": "P001",
                                    "kind": "岗位实习", "start_on": "2025-09-01", "end_on": "2026-02-28", "monthly_pay": "4200.50"}))
        out.append(("policies", {"policy_no": f"POL-{no}", "insurer": "中国人民财产保险股份有限公司", "kind": "实习责任保险",
                                 "holder": school, "payer": "学校", "start_on": "2025-01-01", "end_on": "2026-12-31"}))
        out.append(("insured", {"policy_no": f"POL-{no}", "id_number": stu}))
    order = ["schools", "majors", "enterprises", "positions", "students", "agreements", "internships", "policies", "insured"]
    return sorted(out, key=lambda kr: order.index(kr[0]))


def seed(session) -> None:
    for kind, row in rows():
        create_record(session, actor=ADMIN, kind=kind, data=row)
