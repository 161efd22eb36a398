"""Luban Workshops (鲁班工坊): overseas workshops of Chinese vocational colleges with a partner
institution abroad — host country, partner institution, Chinese colleges and enterprises, majors,
EPIP adoption, equipment and its value, yearly enrolment, trainees and teachers trained, standards
adopted by the host country, status and opening date.

Built only on public hooks: its tables and migration branch, record kinds, the ``xiaoqi luban``
commands, a TUI screen, the rules LW-ACTIVITY-MISSING and LW-LEAD-COLLEGE, demo data and an
annual-report section. Heavy modules are imported inside the hooks, so loading the plugin is cheap.
"""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.plugin_tables import table_hooks

globals().update(table_hooks(__name__, column_types=True))  # models, kinds, migrations


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("luban", ("鲁班工坊：列表、详情与汇总", "Luban Workshops: list, details and summaries"),
                         "xiaoqi.plugins.luban.commands:luban_group")]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return list(RULES)


@hookimpl
def xiaoqi_demo_data(session, seed, today, manifest):
    from .demo import generate

    manifest.counts.update(generate(session, seed=seed, today=today, manifest=manifest))


@hookimpl
def xiaoqi_report_sections(session, year, school_code, actor):
    from .report import section

    return [section(session, year=year, school_code=school_code, actor=actor)]


@hookimpl
def xiaoqi_register_screens():
    from xiaoqi.tui import ScreenEntry

    def luban_screen(context):
        from .screens import LubanScreen  # Textual is imported only when the TUI opens the screen

        return LubanScreen(context)

    return [ScreenEntry(id="luban", title=("鲁班工坊概览", "Luban overview"), screen=luban_screen)]
