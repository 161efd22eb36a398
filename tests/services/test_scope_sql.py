"""``xiaoqi.core.access.scope_sql`` (an actor's read scope as SQL text, for queries written in SQL)
selects exactly the rows the services let the actor read — also where the scope goes through
another kind (``via``, ``referenced_by``), whose EXISTS must correlate with the row."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.access import scope_sql
from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.services import count_records


def test_scope_sql_counts_what_the_services_count(demo_db):
    url, _ = demo_db
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            school = conn.execute(sa.text("SELECT lead_school_code FROM ic_colleges ORDER BY code LIMIT 1")).scalar()
            firm = conn.execute(sa.text("SELECT uscc FROM internships GROUP BY uscc ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
        actors = [Actor("school", school), Actor("enterprise", firm), Actor("province", school[2:4])]
        kinds = ["students", "internships", "teachers", "ic_investments", "ic_teaching", "ic_partners", "ic_colleges"]
        with read_session(engine) as session:
            conn = session.connection()
            for actor in actors:
                for name in kinds:
                    kind = get_kind(name)
                    where = scope_sql(kind, actor, "read", conn.dialect, "row_") or "1 = 1"
                    by_sql = conn.execute(sa.text(f"SELECT COUNT(*) FROM {kind.model.__tablename__} row_ WHERE {where}")).scalar()
                    everything = conn.execute(sa.text(f"SELECT COUNT(*) FROM {kind.model.__tablename__}")).scalar()
                    assert by_sql == count_records(session, actor=actor, kind=kind), (actor, name)
                    if name in ("students", "internships"):
                        assert by_sql < everything, (actor, name)  # nobody but an admin reads every one
    finally:
        engine.dispose()
