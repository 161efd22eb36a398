"""Demo arrangements: every internship of a Shaanxi school is recorded as arranged by the school,
except one the rule judges (from its own date on) arranged by an individual, so that
INT-AGENCY-BAN has a Shaanxi finding. One INSERT ... SELECT."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.rules import SqlDialect

from .rules import RULE


def add_demo_arrangements(session) -> None:
    sql = SqlDialect(session.get_bind().dialect.name)
    shaanxi = "SELECT school_code FROM schools WHERE substr(region, 1, 2) = '61'"
    session.execute(sa.text(f"""
        INSERT INTO shaanxi_arrangements (id_number, uscc, start_on, arranged_by, arranger)
        SELECT i.id_number, i.uscc, i.start_on, '学校', s.name
        FROM internships i JOIN schools s ON s.school_code = i.school_code
        WHERE i.school_code IN ({shaanxi})
    """))
    first = session.execute(sa.text(
        "SELECT MIN(a.id) FROM shaanxi_arrangements a JOIN internships i ON i.id_number = a.id_number "
        "AND i.uscc = a.uscc AND i.start_on = a.start_on WHERE i.kind = '岗位实习' AND (i.via_agency IS NULL OR i.via_agency = FALSE) "
        f"AND i.start_on >= {sql.date('since')}"
    ), {"since": RULE.valid_from.isoformat()}).scalar()
    if first is not None:
        session.execute(sa.text("UPDATE shaanxi_arrangements SET arranged_by = '个人', arranger = '李某（学生亲属介绍）' WHERE id = :id"),
                        {"id": first})
