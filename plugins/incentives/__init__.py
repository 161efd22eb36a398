"""Incentives for enterprises (激励台账): what an enterprise has earned, used, carried forward,
been paid or must pay back — the 产教融合型企业 surcharge credit, the 企业新型学徒制 subsidy and the
cities' intern subsidies — kept as an append-only ledger of typed lines.

Read it in this order:

1. ``vocabulary.py`` — accounts and line types;
2. ``models.py`` and ``migrations/`` — the ledger, its periods and the records it is computed
   from; the database refuses changes in place and lines in closed periods;
3. ``kinds.py`` — who may see and change what (the ledger is written only by ``xiaoqi incentives``);
4. ``ledger.py`` — posting, reversing, closing and balances;
5. ``params.py``, ``eligibility.py``, ``accrue.py``, ``subsidies.py`` — what is earned and its steps;
6. ``hookspecs.py``, ``schemes.py`` — the intern-subsidy schemes other plugins add, their figures as
   dated parameters of a rule per scheme;
7. ``rules.py``, ``statement.py``, ``commands.py``, ``views.py`` / ``screens.py``, ``demo.py``.

Everything is reached through public hooks only; heavy modules are imported inside the hooks.
"""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.plugin_tables import table_hooks

globals().update(table_hooks(__name__))  # models, kinds, migrations


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("incentives", ("激励台账：抵免额、学徒与实习补贴的计算、申请、核准、拨付、对账单", "incentives ledger: credits and subsidies accrued, claimed, approved, paid; statements"),
                         "xiaoqi.plugins.incentives.commands:incentives_group")]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES
    from .schemes import scheme_rules

    return [*RULES, *scheme_rules()]


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


@hookimpl
def xiaoqi_register_screens():
    from xiaoqi.tui import ScreenEntry

    def incentives_screen(context):
        from .screens import IncentivesScreen  # Textual is imported only when the TUI opens the screen

        return IncentivesScreen(context)

    return [ScreenEntry(id="incentives", title=("激励台账", "Incentives ledger"), screen=incentives_screen)]


@hookimpl
def xiaoqi_dashboard_panels():
    from xiaoqi.tui import PanelEntry

    def incentives_panel(context):
        from .screens import IncentivesPanel

        return IncentivesPanel(context)

    return [PanelEntry(id="incentives", title=("激励台账", "Incentives"), widget=incentives_panel)]


@hookimpl(trylast=True)  # after the other plugins' demo data (the industrial colleges' investment)
def xiaoqi_demo_data(session, seed, today, manifest):
    from .demo import generate

    manifest.counts.update(generate(session, today=today, manifest=manifest, seed=seed))
