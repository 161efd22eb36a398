"""``xiaoqi imports undo`` as a login on PostgreSQL is refused, saying who can undo it: the login
reads the audit log masked (ID numbers as pseudonyms, phones starred), and restoring from those
states would write the masked values into its records. The owner's undo of the same batch restores
the records' own values."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine

from .test_logins_pg import _cli, drop_with_logins

pytestmark = pytest.mark.pg


def test_a_login_may_not_undo_from_a_masked_log(xiaoqi_pg, pg_logins_template, tmp_path):
    from .conftest import new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    school = pg_logins_template[1]["school"]
    made = []
    try:
        code, out, err = _cli(url, "--as", f"school:{school}", "export", "students", "--reveal", "--format", "csv")
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(out)))
        header, body = rows[0], rows[1:4]
        phone = header.index("监护人电话")
        for n, row in enumerate(body):
            row[phone] = f"1390000000{n}"
        file = tmp_path / "students.csv"
        with open(file, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *body])
        ids = [row[header.index("身份证号")] for row in body]

        def phones() -> dict:
            with engine.connect() as conn:
                return dict(conn.execute(sa.text("SELECT id_number, guardian_phone FROM students WHERE id_number = ANY(:i)"),
                                         {"i": ids}).all())

        before = phones()
        login, login_url = new_login(engine, url, f"school:{school}")
        made.append(login)
        code, out, err = _cli(login_url, "import", "students", file)
        assert code == 0, err
        changed = phones()
        assert changed == {i: f"1390000000{n}" for n, i in enumerate(ids)} != before
        code, out, err = _cli(login_url, "imports", "list", "--format", "json")
        batch = json.loads(out)[0]["id"]
        for lang, words in (("zh", "须由管理员"), ("en", "undone by the admin")):
            code, out, err = _cli(login_url, "--lang", lang, "imports", "undo", batch, "--yes")
            assert code != 0 and words in err and f"imports undo {batch}" in err and "Traceback" not in err, err
        assert phones() == changed  # nothing restored, nothing masked written
        code, out, err = _cli(url, "imports", "undo", batch, "--yes")
        assert code == 0, err
        assert phones() == before  # the owner restores the records' own values
    finally:
        engine.dispose()
        drop_with_logins(xiaoqi_pg, url, made)
