"""Industrial colleges (产业学院): the colleges a vocational school co-builds, co-manages and
co-shares with enterprises and often a local government (2021 Opinions §十; the seven construction
tasks of 教高厅函〔2020〕16号).

This is the reference example of a plugin that owns tables; read it in this order:

1. ``vocabulary.py`` — the words of the domain (types, statuses, the seven tasks), spelled once;
2. ``models.py`` and ``migrations/`` — the tables, in the plugin's own Alembic branch;
3. ``kinds.py`` — the record kinds: columns with Chinese and English headers, keys, references,
   checks and who may see and change what (``Access``); import, export, templates and forms follow;
4. ``parties.py`` — the guards that hold every record to the college's own parties;
5. ``figures.py`` and ``checklist.py`` — a college's figures over the core's registry, and the
   seven-task checklist, as SQL;
6. ``rules.py`` — the IC-… rules, set-based, with parameters that have no national figure;
7. ``hookspecs.py`` and ``investments.py`` — the hook this plugin publishes for the incentives
   plugin (``xiaoqi_addhooks``), and its answer;
8. ``service.py`` and ``commands.py`` — the queries a user's view needs, and ``xiaoqi ic``;
9. ``screens.py`` — the TUI screen and dashboard panel; ``demo.py`` — the demo's colleges.

Everything is reached through public hooks only; the heavy modules are imported inside the hooks,
so loading the plugin costs nothing until one of its parts is used.
"""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.plugin_tables import table_hooks

globals().update(table_hooks(__name__, column_types=True))  # models, kinds, migrations


@hookimpl
def xiaoqi_register_commands():
    from xiaoqi.core.commands import CommandEntry

    return [CommandEntry("ic", ("产业学院：列表、详情、年度汇总与建设任务自评", "industrial colleges: list, details, yearly summary, task scorecard"),
                         "xiaoqi.plugins.industrial_college.commands:ic_group")]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return list(RULES)


@hookimpl
def xiaoqi_demo_data(session, seed, today, manifest):
    from .demo import generate

    manifest.counts.update(generate(session, seed=seed, today=today, manifest=manifest))


@hookimpl
def xiaoqi_addhooks(pm):
    from . import hookspecs

    caller = getattr(pm.hook, "xiaoqi_qualifying_investments", None)
    if caller is None or caller.spec is None:  # once per manager, also when the plugin is registered again
        pm.add_hookspecs(hookspecs)


@hookimpl
def xiaoqi_qualifying_investments(conn, year, uscc):
    from .investments import qualifying_investments

    return qualifying_investments(conn, year=year, uscc=uscc)


@hookimpl
def xiaoqi_report_sections(session, year, school_code, actor):
    from .report import sections

    return sections(session, year=year, school_code=school_code, actor=actor)


@hookimpl
def xiaoqi_register_screens():
    from xiaoqi.tui import ScreenEntry

    def college_screen(context):
        from .screens import CollegeScreen  # Textual is imported only when the TUI opens the screen

        return CollegeScreen(context)

    return [ScreenEntry(id="industrial_college", title=("产业学院概览", "Industrial colleges overview"), screen=college_screen)]


@hookimpl
def xiaoqi_dashboard_panels():
    from xiaoqi.tui import PanelEntry

    def college_panel(context):
        from .screens import CollegePanel

        return CollegePanel(context)

    return [PanelEntry(id="industrial_college", title=("产业学院", "Industrial colleges"), widget=college_panel)]


@hookimpl
def xiaoqi_enterprise_teaching(conn, year, school_code):
    # the teachers plugin's hook (only called while that plugin is loaded)
    from .teaching import enterprise_teaching

    return enterprise_teaching(conn, year=year, school_code=school_code)
