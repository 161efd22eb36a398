"""The qualifying investment the plugin publishes through ``xiaoqi_qualifying_investments``: every
investment line of partner enterprises in their colleges, for a year, in the shape the incentives
plugin reads (API decided between the two plugins): ``uscc, year, amount, category, source_kind,
source_key, evidence`` — ``category`` in English (cash, equipment, base, software, staff_time, other)
so that a consumer needs none of this plugin's words, ``source_key`` the record's natural key.

Which lines qualify for a tax credit is the consumer's to judge (certification, revocation, dates):
this plugin gives the lines as recorded, one set-based query.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from xiaoqi.core.models import CENT

from .kinds import INVESTMENTS
from .models import Investment
from .vocabulary import INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN

_CATEGORY = dict(zip(INVESTMENT_CATEGORIES, INVESTMENT_CATEGORIES_EN))


def qualifying_investments(conn, *, year: int, uscc: str | None = None) -> list[dict]:
    """The investment lines of ``year`` (of one enterprise when ``uscc`` is given), by enterprise,
    college and evidence."""
    v = Investment
    stmt = (sa.select(v.college_code, v.uscc, v.year, v.category, v.amount, v.evidence)
            .where(v.year == year).order_by(v.uscc, v.college_code, v.evidence))
    if uscc is not None:
        stmt = stmt.where(v.uscc == uscc)
    return [{"uscc": r.uscc, "year": r.year, "amount": Decimal(r.amount).quantize(CENT), "category": _CATEGORY[r.category],
             "source_kind": INVESTMENTS.name, "source_key": INVESTMENTS.key_of(r._mapping), "evidence": r.evidence}
            for r in conn.execute(stmt)]
