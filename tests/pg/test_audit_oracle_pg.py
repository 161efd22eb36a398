"""``xiaoqi audit show KIND KEY`` as a login finds a record's entries by the key as written
(``xiaoqi_sec.entries_of``) only when every ID number in that key is shown to the login in full: an
enterprise that reads its intern's entries (masked) cannot learn the intern's ID number by trying
numbers until one finds entries; the intern's school, which sees the number, finds them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


def test_a_guessed_id_number_finds_no_entries(xiaoqi_pg, pg_logins_template):
    from .conftest import busiest_pair, new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    made = []
    try:
        with engine.connect() as conn:
            firm, school = busiest_pair(conn)
            intern = conn.execute(sa.text("SELECT id_number FROM internships WHERE uscc = :f AND school_code = :s "
                                          "ORDER BY id LIMIT 1"), {"f": firm, "s": school}).scalar_one()
        assert _cli(url, "records", "set", "students", intern, "guardian_phone=13912345678")[0] == 0
        from xiaoqi.core.fields import id_number_with_check

        wrong = id_number_with_check(intern[:14] + ("0" if intern[14] != "0" else "1") + intern[15:17])  # (another valid number)
        firm_login, firm_url = new_login(engine, url, f"enterprise:{firm}")
        school_login, school_url = new_login(engine, url, f"school:{school}")
        made += [firm_login, school_login]
        with _raw(firm_url) as raw:
            # the enterprise reads the entries of its intern (in its view, the key masked) ...
            assert raw.execute("SELECT count(*) FROM audit_log WHERE kind = 'students'").fetchone()[0] >= 1
            # ... but the number as written finds none, the right one no more than a wrong one
            for number in (intern, wrong):
                assert raw.execute("SELECT count(*) FROM xiaoqi_sec.entries_of('students', %s)", (number,)).fetchone()[0] == 0
        with _raw(school_url) as raw:  # the intern's school sees the number: it finds them
            assert raw.execute("SELECT count(*) FROM xiaoqi_sec.entries_of('students', %s)", (intern,)).fetchone()[0] >= 1
        for number in (intern, wrong):
            code, out, err = _cli(firm_url, "audit", "show", "students", number)
            assert code != 0 and intern not in out + err, (number, out, err)
        refusals = {_cli(firm_url, "audit", "show", "students", n)[2].replace(n[:6], "").replace(n[-4:], "")
                    for n in (intern, wrong)}
        assert len(refusals) == 1, refusals  # the same answer, right guess or wrong
        code, out, err = _cli(school_url, "audit", "show", "students", intern, "--format", "json")
        assert code == 0 and "13912345678" not in out and '"update"' in out, (out, err)
        # the owner (and an admin) find it as before
        assert _cli(url, "audit", "show", "students", intern)[0] == 0
    finally:
        engine.dispose()
        drop_with_logins(xiaoqi_pg, url, made)
