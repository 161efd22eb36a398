"""Teachers' enterprise practice and 双师型 recognition, over the core's teachers registry.

The 2016 rule (《职业学校教师企业实践规定》) asks every specialist teacher to practise in
enterprises at least six months in every five years, and a new teacher without enterprise
experience to practise before teaching; the 2021 Opinions ask for 双师型 teachers. This plugin
records what the core has no place for and judges it:

1. ``vocabulary.py`` — the forms of practice, the levels of recognition;
2. ``models.py`` and ``migrations/`` — ``tch_practice`` and ``tch_recognitions``, in the plugin's own
   Alembic branch (``teachers``);
3. ``kinds.py`` — the record kinds, their permissions and personal columns;
4. ``rules.py`` — TCH-PRACTICE-5Y6M, TCH-NEW-PRACTICE-FIRST and TCH-DUAL-SHARE, set-based SQL;
5. ``service.py`` — the queries the commands, the TUI and the report share;
6. ``commands.py`` — ``xiaoqi teachers list | show | practice-due | summary``;
7. ``tui.py``, ``report.py``, ``demo.py`` — a teacher's detail sections, the dashboard panel of
   practice due, the annual-report section and the demo's practice histories.

Everything is reached through public hooks; the heavy modules are imported inside the hooks.
"""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.plugin_tables import table_hooks

globals().update(table_hooks(__name__))  # models, kinds, migrations


@hookimpl
def xiaoqi_addhooks(pm):
    from . import hookspecs

    caller = getattr(pm.hook, "xiaoqi_enterprise_teaching", None)
    if caller is None or caller.spec is None:  # once per manager, also when the plugin is registered again
        pm.add_hookspecs(hookspecs)


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return list(RULES)


@hookimpl
def xiaoqi_demo_data(session, seed, today, manifest):
    from .demo import generate

    manifest.counts.update(generate(session, seed=seed, today=today, manifest=manifest))


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("teachers", ("教师：名录、详情、企业实践到期与年度汇总", "teachers: list, details, practice due, yearly summary"),
                         "xiaoqi.plugins.teachers.commands:teachers_group")]


@hookimpl
def xiaoqi_detail_sections(kind):
    if kind != "teachers":
        return []
    from .tui import SECTIONS  # Textual is imported only when the TUI opens a teacher

    return list(SECTIONS)


@hookimpl
def xiaoqi_dashboard_panels():
    from xiaoqi.tui import PanelEntry

    def practice_panel(context):
        from .tui import PracticeDuePanel

        return PracticeDuePanel(context)

    return [PanelEntry(id="teachers-practice-due", title=("企业实践到期", "Enterprise practice due"), widget=practice_panel)]


@hookimpl
def xiaoqi_report_sections(session, year, school_code, actor):
    from .report import section

    return [section(session, year=year, school_code=school_code, actor=actor)]
