"""``xiaoqi audit list`` run as a login on PostgreSQL finds its page with the owner's
``xiaoqi_sec.entries_page`` (along the audit log's primary key, each entry judged by
``sees_entry`` until the page is full) instead of reading the masked view whole: the same entries,
page by page and with every filter, as the login reads in its view."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


def test_a_logins_audit_pages_are_the_entries_of_its_view(xiaoqi_pg, pg_logins_template):
    from .conftest import new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    school = pg_logins_template[1]["school"]
    login = None
    try:
        with engine.connect() as conn:
            students = conn.execute(sa.text("SELECT id_number FROM students WHERE school_code = :s ORDER BY id LIMIT 3"),
                                    {"s": school}).scalars().all()
            others = conn.execute(sa.text("SELECT id_number FROM students WHERE school_code <> :s ORDER BY id LIMIT 3"),
                                  {"s": school}).scalars().all()
        for n, student in enumerate(students + others):  # entries of its students and of others', interleaved
            assert _cli(url, "records", "set", "students", student, f"guardian_phone=1391234567{n}")[0] == 0
        assert _cli(url, "--as", f"school:{school}", "records", "set", "students", students[0], "guardian_phone=13900000000")[0] == 0
        login, login_url = new_login(engine, url, f"school:{school}")
        with _raw(login_url) as raw:
            view = [r[0] for r in raw.execute("SELECT id FROM audit_log ORDER BY id DESC").fetchall()]
            of_students = [r[0] for r in raw.execute("SELECT id FROM audit_log WHERE kind = 'students' ORDER BY id DESC").fetchall()]
            by_actor = [r[0] for r in raw.execute("SELECT id FROM audit_log WHERE actor = %s ORDER BY id DESC",
                                                  (f"school:{school}",)).fetchall()]
        assert len(of_students) >= 4 and by_actor
        with engine.connect() as conn:  # the owner's view of the log holds others' entries too
            assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() > len(view)

        def pages(*args) -> list[int]:
            seen, before = [], []
            while True:
                code, out, err = _cli(login_url, "audit", "list", *args, *before, "--limit", "2", "--format", "json")
                assert code == 0, err
                page = json.loads(out)
                seen += [e["id"] for e in page["entries"]]
                if page.get("next_before") is None:
                    return seen
                before = ["--before", page["next_before"]]

        assert pages("--kind", "students") == of_students
        assert pages("--actor", f"school:{school}") == by_actor
        code, out, err = _cli(login_url, "audit", "list", "--limit", "5", "--format", "json")
        assert code == 0, err
        assert [e["id"] for e in json.loads(out)["entries"]] == view[:5]
        # a key as its view gives it (masked: the key as written finds nothing, no guessing of an
        # ID number's birth date)
        with _raw(login_url) as raw:
            (shown_key,) = raw.execute("SELECT key FROM audit_log WHERE id = %s", (of_students[0],)).fetchone()
            with_key = [r[0] for r in raw.execute("SELECT id FROM audit_log WHERE key = %s ORDER BY id DESC",
                                                  (shown_key,)).fetchall()]
        assert shown_key != students[0] and len(with_key) == 2
        code, out, err = _cli(login_url, "audit", "list", "--key", shown_key, "--format", "json")
        assert code == 0, err
        assert [e["id"] for e in json.loads(out)["entries"]] == with_key
        code, out, err = _cli(login_url, "audit", "list", "--key", students[0], "--format", "json")
        assert code == 0 and json.loads(out)["entries"] == [], out
    finally:
        engine.dispose()
        drop_with_logins(xiaoqi_pg, url, [login] if login else [])
