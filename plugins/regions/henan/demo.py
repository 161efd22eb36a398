"""Demo assessments: each student of a Henan school with an internship is assessed three weeks
before the first one, except the first three such students (by ID number) whose internships the
rule judges (from its own date on), so that ``xiaoqi check`` has HA-MENTAL-CHECK findings to
show. One INSERT ... SELECT, any size."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.rules import SqlDialect

from .rules import RULE

LEFT_OUT = 3


def add_demo_assessments(session) -> None:
    sql = SqlDialect(session.get_bind().dialect.name)
    henan = "SELECT school_code FROM schools WHERE substr(region, 1, 2) = '41'"
    session.execute(sa.text(f"""
        INSERT INTO henan_mental_checks (school_code, id_number, assessed_on, assessor, conclusion)
        SELECT i.school_code, i.id_number, {sql.add_days('MIN(i.start_on)', -21)}, '心理健康教育中心', '未见异常'
        FROM internships i
        WHERE i.school_code IN ({henan})
          AND i.id_number NOT IN (
              SELECT id_number FROM (SELECT DISTINCT id_number FROM internships WHERE school_code IN ({henan})
                                     AND start_on >= {sql.date('since')} ORDER BY id_number LIMIT {LEFT_OUT}) AS skipped)
        GROUP BY i.school_code, i.id_number
    """), {"since": RULE.valid_from.isoformat()})
