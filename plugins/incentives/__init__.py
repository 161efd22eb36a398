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


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("incentives", ("激励台账：抵免额、学徒与实习补贴的计算、申请、核准、拨付、对账单", "incentives ledger: credits and subsidies accrued, claimed, approved, paid; statements"),
                         "xiaoqi.plugins.incentives.commands:incentives_group")]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return list(RULES)


@hookimpl
def xiaoqi_rule_params():
    from .params import param_values

    return param_values()


@hookimpl
def xiaoqi_addhooks(pm):
    from . import hookspecs

    caller = getattr(pm.hook, "xiaoqi_intern_subsidy_schemes", None)
    if caller is None or caller.spec is None:  # once per manager, also when the plugin is registered again
        pm.add_hookspecs(hookspecs)
