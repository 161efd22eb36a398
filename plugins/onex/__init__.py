"""1+X certificates and the credit bank (《职业教育“1+X”证书制度试点方案》, 教育部等四部门, 2019):
training-evaluation organisations (培训评价组织) and their vocational skill-level certificates
(职业技能等级证书, 初级 / 中级 / 高级), schools' pilot registrations, assessment sites and sessions,
candidates' results, certificates issued, and the credit bank (学分银行): each school's conversion
rules (certificate + level → courses, credits, 免修 / 免考) and the conversions applied to students.

Read it in this order:

1. ``vocabulary.py`` — the levels (a higher level covers the lower), 免修 / 免考, the batches;
2. ``models.py`` and ``migrations/`` — the tables, in the plugin's own Alembic branch (``onex_0001``);
3. ``kinds.py`` — the record kinds, with who may see and change what (``Access``);
4. ``rules.py`` — the X-… rules, set-based, with parameters that have no national figure;
5. ``hookspecs.py`` and ``holdings.py`` — the hook this plugin publishes (which certificates a
   student holds on a day), and its answer;
6. ``bank.py`` — the credit-bank account of a student, the conversion run and the yearly summary;
   ``commands.py`` is ``xiaoqi onex``, ``tui.py`` the screens, panel and detail section,
   ``report.py`` the annual report's section, ``demo.py`` the demo data.

Everything is reached through public hooks only; the heavy modules are imported inside the hooks.
"""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.plugin_tables import table_hooks

globals().update(table_hooks(__name__, column_types=True))  # models, kinds, migrations


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("onex", ("1+X 证书与学分银行：证书、站点、成绩、学分账户、学分转换、年度汇总",
                                  "1+X certificates and the credit bank: certificates, sites, results, accounts, conversion, yearly summary"),
                         "xiaoqi.plugins.onex.commands:onex_group")]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return list(RULES)


@hookimpl
def xiaoqi_report_sections(session, year, school_code, actor):
    from .report import section

    return [section(session, year=year, school_code=school_code, actor=actor)]


@hookimpl
def xiaoqi_demo_data(session, size, seed, today, manifest):
    from .demo import generate

    manifest.counts.update(generate(session, size=size, seed=seed, today=today, manifest=manifest))


@hookimpl
def xiaoqi_detail_sections(kind):
    if kind != "students":
        return []
    from xiaoqi.tui import DetailSection

    from .account_view import load_account

    return [DetailSection(id="onex-account", title=("学分银行账户（1+X）", "Credit-bank account (1+X)"), load=load_account)]


@hookimpl
def xiaoqi_dashboard_panels():
    from xiaoqi.tui import PanelEntry

    def onex_panel(context):
        from .tui import OnexPanel  # Textual is imported only when the dashboard shows the panel

        return OnexPanel(context)

    return [PanelEntry(id="onex", title=("1+X 证书", "1+X certificates"), widget=onex_panel)]


@hookimpl
def xiaoqi_register_screens():
    from xiaoqi.tui import ScreenEntry

    def conversion_screen(context):
        from .tui import ConversionScreen

        return ConversionScreen(context)

    return [ScreenEntry(id="onex-convert", title=("学分转换", "Credit conversion"), screen=conversion_screen)]


@hookimpl
def xiaoqi_addhooks(pm):
    from . import hookspecs

    caller = getattr(pm.hook, "xiaoqi_onex_certificates_held", None)
    if caller is None or caller.spec is None:  # once per manager, also when the plugin is registered again
        pm.add_hookspecs(hookspecs)


@hookimpl
def xiaoqi_onex_certificates_held(conn, on, id_numbers):
    from .holdings import certificates_held

    return certificates_held(conn, on=on, id_numbers=id_numbers)
