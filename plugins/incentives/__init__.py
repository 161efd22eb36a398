"""Incentives for enterprises (激励台账): what an enterprise has earned, used, carried forward,
been paid or must pay back — the 产教融合型企业 surcharge credit, the 企业新型学徒制 subsidy and the
cities' intern subsidies — kept as an append-only ledger of typed lines.

Read it in this order:

1. ``vocabulary.py`` — accounts and line types;
2. ``models.py`` and ``migrations/`` — the ledger, its periods and the records it is computed
   from; the database refuses changes in place and lines in closed periods;
3. ``kinds.py`` — who may see and change what (the ledger is written only by ``xiaoqi incentives``);
4. ``ledger.py`` — posting, reversing, closing and balances.

Everything is reached through public hooks only; heavy modules are imported inside the hooks.
"""

from __future__ import annotations

from pathlib import Path

from xiaoqi.core import hookimpl

MIGRATIONS = Path(__file__).parent / "migrations"


@hookimpl
def xiaoqi_register_models():
    from .models import MODELS

    return list(MODELS)


@hookimpl
def xiaoqi_migration_locations():
    return [str(MIGRATIONS)]


@hookimpl
def xiaoqi_register_record_kinds():
    from .kinds import KINDS

    return list(KINDS)
