"""The import/export kind of the Shaanxi plugin's table."""

from __future__ import annotations

from xiaoqi.core import models as m
from xiaoqi.core.kinds import Column, RecordKind, Reference

from .models import ARRANGED_BY, Arrangement


def _school_of(session, values: dict) -> set[str]:
    """The school of the internship may record how it was arranged (as may its enterprise)."""
    import sqlalchemy as sa

    school = session.execute(
        sa.select(m.Internship.school_code).where(
            m.Internship.id_number == values.get("id_number"), m.Internship.uscc == values.get("uscc"),
            m.Internship.start_on == values.get("start_on"))
    ).scalar()
    return {c for c in (school, values.get("uscc")) if c}


def _visible(actor):
    import sqlalchemy as sa

    if actor.role == "province":
        own = sa.select(m.Internship.id_number).join(m.School, m.School.school_code == m.Internship.school_code).where(
            m.School.region.startswith(actor.code))
    else:
        col = m.Internship.school_code if actor.role == "school" else m.Internship.uscc
        own = sa.select(m.Internship.id_number).where(col == actor.code)
    return Arrangement.id_number.in_(own)


ARRANGEMENTS = RecordKind(
    name="shaanxi_arrangements", zh="实习安排方式", en="internship arrangements", model=Arrangement,
    key=("id_number", "uscc", "start_on"), enterprise_column="uscc", plugin="shaanxi",
    owners=_school_of, read_filter_fn=_visible,
    references=[Reference("internships", ("id_number", "uscc", "start_on"), ("id_number", "uscc", "start_on"))],
    columns=[
        Column("id_number", "身份证号", "idcard", required=True, key=True),
        Column("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        Column("start_on", "开始日期", "date", required=True, key=True),
        Column("arranged_by", "安排方式", "choice", required=True, choices=ARRANGED_BY,
               choices_en=("school", "enterprise", "individual", "agency")),
        Column("arranger", "安排人", "text", max_len=100, doc=("个人或机构名称", "the person or organisation")),
    ],
)
