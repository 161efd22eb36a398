"""Demo practice histories and 双师型 recognitions for the demo's school teachers.

Every full-time specialist teacher practises at a partner enterprise of the school: a summer post
(1 July – 31 August) in each of the last four years after they were hired, older summers now and
then, a short visit inside a summer (overlapping records, counted once) and a part-time R&D post
with its days. A new teacher without enterprise experience practises the two months before they
start. So the demo breaks the rules only on purpose, and stays so for more than a year after the
day it is generated for:

- the first school's first long-serving specialist has two summers and a ten-day visit in the last
  five years (134 days): TCH-PRACTICE-5Y6M;
- its second has 182 days, 120 of them in a record near the window's start, so that they fall
  short about 150 days after the demo's day (``xiaoqi teachers practice-due --within 180``);
- the second school's most recently hired teacher without enterprise experience started teaching
  without practising first: TCH-NEW-PRACTICE-FIRST.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core.fields import PROVINCES
from xiaoqi.core.models import Agreement, Enterprise, School, Teacher

from .models import Practice, Recognition
from .rules import RULE_2016
from .vocabulary import FULL_TIME, LEVELS

#: recognitions by the provinces' standards, before the national basic standard of 2022
RECOGNITIONS_FROM = dt.date(2019, 1, 1)
POSTS = ("数控加工岗", "设备维护岗", "质量检测岗", "工艺技术岗", "生产调度岗", "软件开发岗", "客户服务岗")


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def generate(session: Session, *, seed: int, today: dt.date, manifest=None) -> dict[str, int]:
    """Write the demo's practice records and recognitions; returns the row count of each kind."""
    rng = random.Random(f"teachers-practice-{seed}")
    hosts: dict[str, list[str]] = {}
    for school, uscc in session.execute(sa.select(Agreement.school_code, Agreement.uscc).order_by(Agreement.school_code, Agreement.uscc)):
        hosts.setdefault(school, []).append(uscc)
    firms = list(session.execute(sa.select(Enterprise.uscc).order_by(Enterprise.uscc)).scalars())
    regions = {code: region for code, region in session.execute(sa.select(School.school_code, School.region))}
    teachers = session.execute(
        sa.select(Teacher.id_number, Teacher.school_code, Teacher.hired_on, Teacher.enterprise_experience)
        .where(Teacher.kind == FULL_TIME, Teacher.specialist.is_(True), Teacher.school_code.is_not(None))
        .order_by(Teacher.school_code, Teacher.id_number)).all()
    if not teachers or not firms:
        return {}
    window_from = _years_back(today, 5) + dt.timedelta(days=1)
    last_summer = today.year - 1 if today < dt.date(today.year, 9, 1) else today.year
    schools = sorted({t.school_code for t in teachers})
    by_school = {code: [t for t in teachers if t.school_code == code] for code in schools}
    long_serving = [t for t in by_school[schools[0]] if t.hired_on <= window_from]
    short, due = (long_serving + [None, None])[:2]
    late_starters = sorted((t for t in by_school[schools[-1]] if t.enterprise_experience is False and t.hired_on >= RULE_2016),
                           key=lambda t: (t.hired_on, t.id_number))
    no_first = late_starters[-1] if late_starters else None

    practice, recognitions = [], []

    def record(teacher, start, end, form, uscc, days=None):
        practice.append({"teacher_id": teacher.id_number, "uscc": uscc, "start_on": start, "end_on": end, "form": form,
                         "days": days, "post": rng.choice(POSTS) if form == "兼职任职" else None,
                         "evidence": f"SJ-{start.year}-{len(practice) + 1:05d}"})

    for teacher in teachers:
        mine = hosts.get(teacher.school_code) or firms
        host = mine[rng.randrange(len(mine))]
        hired = teacher.hired_on
        if teacher.enterprise_experience is False and hired >= RULE_2016 and teacher is not no_first:
            record(teacher, hired - dt.timedelta(days=61), hired - dt.timedelta(days=1), "技能培训", host)
        summers = [y for y in range(last_summer - 3, last_summer + 1) if dt.date(y, 7, 1) > hired]
        if teacher is short:
            summers = summers[-2:]
            record(teacher, dt.date(last_summer, 10, 10), dt.date(last_summer, 10, 19), "考察观摩", host)
        elif teacher is due:
            summers = summers[-1:]
            start = window_from + dt.timedelta(days=150)
            record(teacher, start, start + dt.timedelta(days=119), "兼职任职", host)
        for year in summers:
            record(teacher, dt.date(year, 7, 1), dt.date(year, 8, 31), rng.choice(("技能培训", "兼职任职")), host)
        if teacher not in (short, due):
            for year in range(max(hired.year + 1, last_summer - 12), last_summer - 4):
                if rng.random() < 0.3:
                    record(teacher, dt.date(year, 7, 5), dt.date(year, 8, 20), rng.choice(("技能培训", "考察观摩")), host)
            if summers and rng.random() < 0.15:  # a visit to another firm during a summer post
                year = summers[-1]
                record(teacher, dt.date(year, 8, 3), dt.date(year, 8, 5), "考察观摩", firms[rng.randrange(len(firms))])
            if rng.random() < 0.1 and hired < dt.date(last_summer - 1, 1, 1):
                record(teacher, dt.date(last_summer - 1, 9, 1), dt.date(last_summer - 1, 12, 31), "研发", host,
                       days=rng.randrange(15, 40))
        earliest = max(hired + dt.timedelta(days=365), RECOGNITIONS_FROM)
        if rng.random() < 0.45 and earliest < today - dt.timedelta(days=30):
            level = LEVELS[min(2, int(rng.random() * 3))]
            on = earliest + dt.timedelta(days=rng.randrange((today - earliest).days))
            province = PROVINCES.get(regions[teacher.school_code][:2], "")
            recognitions.append({
                "teacher_id": teacher.id_number, "level": level, "recognised_on": on,
                "recognised_by": "学校双师型教师认定委员会" if level == "初级" else f"{province}省级教育行政部门",
                "valid_to": _years_back(on, -5) - dt.timedelta(days=1) if rng.random() < 0.7 else None,
                "certificate_no": f"SS-{on.year}-{len(recognitions) + 1:04d}",
            })
    for model, rows in ((Practice, practice), (Recognition, recognitions)):
        session.execute(sa.insert(model.__table__), rows)
    if manifest is not None:
        if short is not None:
            manifest.expect("TCH-PRACTICE-5Y6M", short.id_number)
        if no_first is not None:
            manifest.expect("TCH-NEW-PRACTICE-FIRST", no_first.id_number)
    return {"tch_practice": len(practice), "tch_recognitions": len(recognitions)}
