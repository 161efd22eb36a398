"""This plugin's answer to the teachers plugin's hook ``xiaoqi_enterprise_teaching``: the hours
enterprise teachers taught in its colleges in a calendar year (a term's year: autumn in the year
the school year starts, spring in the next), credited to each college's lead school."""

from __future__ import annotations

import sqlalchemy as sa

from .models import College, Teaching


def enterprise_teaching(conn, *, year: int, school_code: str | None) -> list[dict]:
    stmt = (sa.select(College.lead_school_code, Teaching.teacher_id, sa.func.sum(Teaching.hours))
            .join(College, College.code == Teaching.college_code)
            .where(Teaching.year == year)
            .group_by(College.lead_school_code, Teaching.teacher_id)
            .order_by(College.lead_school_code, Teaching.teacher_id))
    if school_code is not None:
        stmt = stmt.where(College.lead_school_code == school_code)
    return [{"school_code": school, "teacher_id": teacher, "hours": int(hours)} for school, teacher, hours in conn.execute(stmt)]
