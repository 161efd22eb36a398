"""A small register for the teachers plugin's tests: two schools, a partner enterprise and another,
teachers of each kind, practice records and 双师型 recognitions, written through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

D = dt.date


@dataclass
class Register:
    school: Any
    other_school: Any
    firm: Any
    other_firm: Any
    teacher: Any        # 专任 specialist of ``school``, practised at ``firm``, 双师型
    colleague: Any      # 专任 specialist of ``school``, practised at ``other_firm``
    stranger: Any       # 专任 of ``other_school``
    mentor: Any         # 企业导师 of ``firm``


def build(f) -> Register:
    school, other_school = f.school(), f.school()
    firm, other_firm = f.enterprise(), f.enterprise()
    f.agreement(school, firm)
    teacher = f.teacher(school, name="陈老师")
    colleague = f.teacher(school, name="林老师")
    stranger = f.teacher(other_school, name="黄老师")
    mentor = f.teacher(kind="企业导师", enterprise=firm, name="刘师傅")
    f.record("tch_practice", teacher_id=teacher.id_number, uscc=firm.uscc, start_on=D(2023, 7, 1),
             end_on=D(2023, 8, 31), form="技能培训", post="数控车间", evidence="SJ-2023-001")
    f.record("tch_practice", teacher_id=teacher.id_number, uscc=firm.uscc, start_on=D(2024, 3, 1),
             end_on=D(2024, 6, 30), form="兼职任职", days=40)
    f.record("tch_practice", teacher_id=colleague.id_number, uscc=other_firm.uscc, start_on=D(2025, 1, 10),
             end_on=D(2025, 1, 20), form="考察观摩")
    f.record("tch_practice", teacher_id=stranger.id_number, uscc=firm.uscc, start_on=D(2022, 7, 1),
             end_on=D(2022, 12, 31), form="研发")
    f.record("tch_recognitions", teacher_id=teacher.id_number, level="中级", recognised_on=D(2023, 12, 1),
             recognised_by="浙江省教育厅", valid_to=D(2028, 11, 30), certificate_no="SS-2023-17")
    f.record("tch_recognitions", teacher_id=stranger.id_number, level="初级", recognised_on=D(2022, 6, 1),
             recognised_by="学校认定委员会")
    return Register(school, other_school, firm, other_firm, teacher, colleague, stranger, mentor)
