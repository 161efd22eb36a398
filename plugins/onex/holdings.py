"""Which certificates and levels students hold on a day, for ``xiaoqi_onex_certificates_held`` and
the credit-bank account: a certificate issued on or before the day, not expired (``valid_to``
empty or on or after it), of a certificate that was in force when it was issued. The level's rank
(1 初级, 2 中级, 3 高级) lets a caller ask for "this level or higher". One set-based query.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .vocabulary import RANK

# The two tables as this module reads them (``models.Issued`` and ``models.Certificate`` define them):
# Core tables, so that a caller of the hook (a rule in a check) builds no model class.
ISSUED = sa.table("onex_issued", sa.column("id_number", sa.String), sa.column("school_code", sa.String),
                  sa.column("certificate_code", sa.String), sa.column("level", sa.String),
                  sa.column("certificate_no", sa.String), sa.column("issued_on", sa.Date), sa.column("valid_to", sa.Date))
CERTIFICATES = sa.table("onex_certificates", sa.column("code", sa.String), sa.column("name", sa.String),
                        sa.column("organisation_uscc", sa.String), sa.column("valid_from", sa.Date),
                        sa.column("valid_to", sa.Date))


def held_clause(i=ISSUED.c, c=CERTIFICATES.c, on=None):
    """The SQL condition that the certificate ``i`` (of ``c``) is held on ``on`` (a date or an SQL expression)."""
    return sa.and_(i.issued_on <= on, sa.or_(i.valid_to.is_(None), i.valid_to >= on),
                   c.valid_from <= i.issued_on, sa.or_(c.valid_to.is_(None), c.valid_to >= i.issued_on))


def rank_case(column):
    return sa.case(*((column == level, n) for level, n in RANK.items()), else_=0)


def certificates_held(conn, *, on: dt.date, id_numbers: list[str] | None = None) -> list[dict]:
    """The certificates held on ``on``, by student, certificate and level."""
    i, c = ISSUED.c, CERTIFICATES.c
    stmt = (sa.select(i.id_number, i.school_code, i.certificate_code, c.name.label("certificate_name"), c.organisation_uscc,
                      i.level, rank_case(i.level).label("rank"), i.certificate_no, i.issued_on, i.valid_to)
            .select_from(ISSUED.join(CERTIFICATES, c.code == i.certificate_code))
            .where(held_clause(i, c, on))
            .order_by(i.id_number, i.certificate_code, rank_case(i.level), i.certificate_no))
    if id_numbers is not None:
        ids = sorted(set(id_numbers))
        rows = []
        for start in range(0, len(ids), 500):
            rows.extend(conn.execute(stmt.where(i.id_number.in_(ids[start:start + 500]))).mappings())
        rows.sort(key=lambda r: (r["id_number"], r["certificate_code"], r["rank"], r["certificate_no"]))
    else:
        rows = list(conn.execute(stmt).mappings())
    return [dict(r) for r in rows]
