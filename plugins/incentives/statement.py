"""Statements of an enterprise's ledger for a year, and what they are built from."""

from __future__ import annotations

import sqlalchemy as sa


def firm_names(conn, usccs) -> dict[str, str]:
    """Enterprise names by USCC (one statement)."""
    usccs = sorted(set(usccs))
    if not usccs:
        return {}
    stmt = sa.text("SELECT uscc, name FROM enterprises WHERE uscc IN :u").bindparams(sa.bindparam("u", expanding=True))
    return {r.uscc: r.name for r in conn.execute(stmt, {"u": usccs})}
