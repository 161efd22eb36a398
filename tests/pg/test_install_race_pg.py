"""Two databases of one server set up for logins at the same time: the group roles belong to the
server, so the second install finds the first one's roles being created, not yet committed, and must
take them as its own instead of failing on ``pg_authid_rolname_index``."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from xiaoqi.core import logins
from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kinds

pytestmark = pytest.mark.pg


def test_two_databases_installing_at_once_both_get_the_group_roles(xiaoqi_pg, monkeypatch):
    # group roles of this test only (the real ones exist already and other tests use them)
    tag = uuid.uuid4().hex[:8]
    groups = {role: f"xiaoqi_race{tag}_{role}" for role in logins.GROUPS}
    for role, name in groups.items():
        monkeypatch.setitem(logins.GROUPS, role, name)
    urls = [xiaoqi_pg.create(), xiaoqi_pg.create()]
    engines = [make_engine(url) for url in urls]
    admin = sa.create_engine(xiaoqi_pg.server_url, isolation_level="AUTOCOMMIT")
    # the policies of one kind: the roles are made before any policy, and every kind's policies
    # cost seconds to build
    kinds = [get_kinds()["schools"]]
    errors: list[BaseException] = []
    second_pid: list[int] = []

    def second_install():
        try:
            with engines[1].begin() as conn:
                second_pid.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
                logins.install(conn, kinds)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    try:
        with engines[0].begin() as first:
            logins.install(first, kinds)  # the roles made, not committed
            thread = threading.Thread(target=second_install)
            thread.start()
            # the second install waits on the first one's uncommitted role
            deadline = time.monotonic() + 30
            waiting = False
            while not waiting and thread.is_alive() and time.monotonic() < deadline:
                with admin.connect() as conn:
                    waiting = bool(second_pid) and conn.execute(
                        sa.text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                        {"pid": second_pid[0]}).scalar()
                if not waiting:
                    time.sleep(0.02)
            assert waiting, errors or "the second install never waited for the first one's roles"
        thread.join(60)
        assert not thread.is_alive()
        assert errors == []
        with admin.connect() as conn:
            made = conn.execute(sa.text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                                {"p": f"xiaoqi\\_race{tag}\\_%"}).scalars().all()
        assert sorted(made) == sorted(groups.values())
        for engine in engines:  # each database grants its tables to the group roles
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT has_schema_privilege(:g, 'xiaoqi_sec', 'USAGE') AND has_table_privilege(:g, 'schools', 'SELECT')"),
                                    {"g": groups["school"]}).scalar()
    finally:
        for engine in engines:
            engine.dispose()
        for url in urls:
            xiaoqi_pg.drop(url)
        with admin.connect() as conn:
            for name in groups.values():
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        admin.dispose()
