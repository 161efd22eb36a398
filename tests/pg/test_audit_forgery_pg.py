"""A login cannot write the audit log in another's name: psycopg as a school's login, bypassing
xiaoqi, is refused an entry whose actor is not its own school (the admin, another school) or whose
login is not its own, in the table and through its view alike (SQLSTATE XQ002, a message in
Chinese and English, nothing written); its own entries pass with its login recorded; an admin's
login may write any actor (``logins.narrow``); xiaoqi as the login writes its entries as before."""

from __future__ import annotations


import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.db_errors import AUDIT_STATE, explain
from xiaoqi.core.i18n import reset_lang, set_lang
from xiaoqi.testing import XiaoqiFactory

from .test_logins_pg import _cli, _raw, add_login, drop_with_logins

pytestmark = pytest.mark.pg

INSERT = ("INSERT INTO {table} (block_id, at, actor, kind, action, key, hash{login}) "
          "VALUES (0, now(), %s, 'schools', 'update', %s, '\\x00'::bytea{value})")


@pytest.fixture(scope="module")
def forgery(xiaoqi_pg):
    """Two schools, the first one's login and an admin's login (made by ``users add``)."""
    url = xiaoqi_pg.create()
    engine = make_engine(url)
    f = XiaoqiFactory(engine)
    school, other = f.school().school_code, f.school().school_code
    name, school_url = add_login(url, f"school:{school}")
    admin, admin_url = add_login(url, "admin")
    yield {"url": url, "engine": engine, "school": school, "other": other, "name": name, "school_url": school_url,
           "admin": admin, "admin_url": admin_url}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [name, admin])


def _entries(engine, key: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT actor, login FROM audit_log WHERE key = :k AND action = 'update'"), {"k": key}).all()


def test_a_school_login_cannot_write_an_audit_entry_in_anothers_name(forgery):
    w = forgery
    engine, school, name = w["engine"], w["school"], w["name"]
    refusals = []
    with _raw(w["school_url"]) as conn:
        for table in ("public.audit_log", "audit_log"):  # the table, and the view its search_path finds first
            for actor in ("admin", f"school:{w['other']}", "auditor", f"school:{school}x"):
                with pytest.raises(psycopg.Error) as refused:
                    conn.execute(INSERT.format(table=table, login="", value=""), (actor, f"forged-{table}-{actor}"))
                refusals.append((actor, refused.value))
            # its own actor, another login
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(INSERT.format(table=table, login=", login", value=", %s"),
                             (f"school:{school}", f"forged-{table}-login", w["admin"]))
            refusals.append(("login", refused.value))
            # its own actor and login: written, the login recorded by the database
            conn.execute(INSERT.format(table=table, login="", value=""), (f"school:{school}", f"own-{table}"))
            assert _entries(engine, f"own-{table}") == [(f"school:{school}", name)]
    assert all(e.sqlstate == AUDIT_STATE for _, e in refusals), [(a, e.sqlstate, str(e)) for a, e in refusals]
    actor, first = refusals[0]
    assert f"不能以「{actor}」的名义写审计条目" in str(first) and f"it cannot write an audit entry as '{actor}'" in str(first)
    assert f"school:{school}" in str(first)
    shown = str(explain(first, db=w["url"], busy_seconds=5))
    assert shown == f"登录 {name} 的身份是 school:{school}，不能以「admin」的名义写审计条目。数据库未被修改。"
    assert "不是当前登录" in str(explain(refusals[-1][1], db=w["url"], busy_seconds=5))
    token = set_lang("en")  # --lang en
    try:
        assert str(explain(first, db=w["url"], busy_seconds=5)) == (
            f"Login {name} acts as school:{school}; it cannot write an audit entry as 'admin'. Nothing was changed.")
    finally:
        reset_lang(token)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE key LIKE 'forged-%'")).scalar_one() == 0


def test_an_admin_login_writes_any_actor_and_xiaoqi_as_the_school_login_audits_as_before(forgery):
    w = forgery
    with _raw(w["admin_url"]) as conn:
        conn.execute(INSERT.format(table="audit_log", login="", value=""), (f"school:{w['other']}", "narrowed-by-admin"))
        with pytest.raises(psycopg.Error) as refused:  # but not in another login's name
            conn.execute(INSERT.format(table="audit_log", login=", login", value=", %s"),
                         ("admin", "admin-as-school-login", w["name"]))
    assert refused.value.sqlstate == AUDIT_STATE
    assert _entries(w["engine"], "narrowed-by-admin") == [(f"school:{w['other']}", w["admin"])]
    code, out, err = _cli(w["school_url"], "records", "set", "schools", w["school"], "contact=王老师")
    assert code == 0, (out, err)
    assert _entries(w["engine"], w["school"]) == [(f"school:{w['school']}", w["name"])]
