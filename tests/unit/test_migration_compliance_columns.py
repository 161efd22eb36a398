"""Revision 0005 (compliance columns) from the previous head, with data: a database at 0004 holding
a registry is upgraded; every row keeps its values and the new columns read NULL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.rules_data import POLICY, World
from xiaoqi.core import models as m
from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import current, heads, upgrade

PREVIOUS = "0004"
NEW_COLUMNS = {
    "internships": ("daily_hours", "weekly_rest_days", "paid_in_kind", "premium_deducted", "documents_withheld",
                    "self_arranged", "school_approved_on"),
    "positions": ("probation_wage", "barred_for_women", "labour_intensity"),
    "policies": ("status", "cancelled_on"),
}
#: what the old schema holds, compared before and after (the new columns are not in it)
OLD_COLUMNS = {
    "internships": ("id_number", "uscc", "start_on", "end_on", "kind", "kind_label", "monthly_pay", "fees_charged", "guardian_signed"),
    "positions": ("uscc", "position_code", "wage", "hazardous", "staff_count"),
    "policies": ("policy_no", "kind", "start_on", "end_on", "premium"),
    "insured": ("policy_no", "id_number", "start_on", "end_on"),
}


def _rows(conn, table: str, columns) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))]


@pytest.fixture(params=["sqlite", "pg"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    dbs = request.getfixturevalue("xiaoqi_pg")
    url = dbs.create(migrated=False)
    yield url
    dbs.drop(url)


def test_upgrade_from_the_previous_head_keeps_every_row(empty_url):
    engine = make_engine(empty_url)
    try:
        upgrade(engine, PREVIOUS)
        assert current(engine) == {PREVIOUS}
        with Session(engine) as session, session.begin():
            world = World(session)
            legacy = world.internship(start_on=dt.date(2021, 3, 1), end_on=dt.date(2021, 8, 31), kind_label="顶岗实习",
                                      fees_charged="押金", monthly_pay="3000")
            world.internship(kind="认识实习", position_code=None, monthly_pay=None)
        with engine.connect() as conn:
            before = {table: _rows(conn, table, cols) for table, cols in OLD_COLUMNS.items()}
        upgrade(engine)
        assert current(engine) == heads()
        with engine.connect() as conn:
            after = {table: _rows(conn, table, cols) for table, cols in OLD_COLUMNS.items()}
            assert after == before and len(after["internships"]) == 2 and after["insured"]
            for table, columns in NEW_COLUMNS.items():
                values = conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}")).all()
                assert values and all(v is None for row in values for v in row), table
        with Session(engine) as session:
            row = session.execute(sa.select(m.Internship).where(m.Internship.kind_label == "顶岗实习")).scalar_one()
            assert f"{row.id_number}/{row.uscc}/{row.start_on}" == legacy
            assert row.monthly_pay == Decimal("3000.00") and row.fees_charged == "押金" and row.daily_hours is None
            policy = session.execute(sa.select(m.InsurancePolicy).where(m.InsurancePolicy.policy_no == POLICY)).scalar_one()
            assert policy.status is None and policy.cancelled_on is None
    finally:
        engine.dispose()
