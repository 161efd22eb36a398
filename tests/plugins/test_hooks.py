"""One test per hook (tests/plugins/test_hook_docs.py checks that every hookspec has one): a small
plugin implements the hook and the test checks its effect through the core, as a plugin author
would see it. A test's name contains the name of the hook it covers.

The plugin here records enterprise visits (企业走访记录): its own table, migration branch, record
kind, command, demo data and event handler — the parts of a real regional plugin."""


import datetime as dt
import random
import sys
import textwrap
import types

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from xiaoqi.core import hookimpl, plugins
from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.hookspecs import hookspec
from xiaoqi.core.kinds import Column, RecordKind, Reference, RowProblems, get_kind
from xiaoqi.core.migrate import current, ensure_current, heads, load_models, upgrade
from xiaoqi.core.services import create_record, delete_record
from xiaoqi.testing import XiaoqiFactory, make_id_number

MIGRATION = '''
"""kit visits: the test plugin's own table"""
import sqlalchemy as sa
from alembic import op

revision = "kit_0001"
down_revision = None
branch_labels = ("kit",)
depends_on = None


def upgrade():
    op.create_table(
        "kit_visits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("id_number", sa.String(18), sa.ForeignKey("students.id_number"), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.UniqueConstraint("id_number", "visited_on"),
    )


def downgrade():
    op.drop_table("kit_visits")
'''


@pytest.fixture(scope="module")
def visit_model():
    """The plugin's table class, made for this module and taken out of the shared metadata after it
    (a table no migration of the suite creates would otherwise show in schema comparisons)."""
    from typing import Optional

    from sqlmodel import Field, SQLModel

    class KitVisit(SQLModel, table=True):
        __tablename__ = "kit_visits"
        __table_args__ = (sa.UniqueConstraint("id_number", "visited_on"),)
        id: Optional[int] = Field(default=None, primary_key=True)
        id_number: str = Field(sa_column=sa.Column(sa.String(18), sa.ForeignKey("students.id_number"), nullable=False))
        visited_on: dt.date
        note: Optional[str] = Field(default=None, max_length=200)

    yield KitVisit
    SQLModel.metadata.remove(KitVisit.__table__)


class VisitsPlugin:
    """企业走访记录: the test plugin."""

    def __init__(self, model, versions):
        self.model = model
        self.versions = versions
        self.changes = []

    @hookimpl
    def xiaoqi_register_models(self):
        return [self.model]

    @hookimpl
    def xiaoqi_migration_locations(self):
        return [str(self.versions)]

    @hookimpl
    def xiaoqi_register_record_kinds(self):
        return [RecordKind(
            name="kit_visits", zh="企业走访记录", en="enterprise visits", model=self.model,
            key=("id_number", "visited_on"), plugin="kit",
            references=[Reference("students", ("id_number",), ("id_number",))],
            columns=[
                Column("id_number", "身份证号", "idcard", required=True, key=True),
                Column("visited_on", "走访日期", "date", required=True, key=True),
                Column("note", "走访记录", "text"),
            ],
        )]

    @hookimpl
    def xiaoqi_register_commands(self, cli):
        import click

        model = self.model

        @cli.command("visits")
        @click.pass_obj
        def visits(app):
            """走访记录数 / number of enterprise visits."""
            with app.engine().connect() as conn:
                click.echo(f"走访记录 {conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()} 条")

    @hookimpl
    def xiaoqi_demo_data(self, session, size, seed):
        rng = random.Random(seed)
        students = session.execute(sa.text("SELECT id_number FROM students ORDER BY id_number")).scalars().all()
        chosen = rng.sample(students, min(len(students), 20 if size == "small" else 2000))
        session.execute(sa.insert(self.model.__table__), [
            {"id_number": s, "visited_on": dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(60)), "note": "岗位走访"}
            for s in chosen
        ])

    @hookimpl
    def xiaoqi_record_changed(self, session, actor, kind, action, key, before, after):
        self.changes.append((kind, action, key))
        # every new internship gets a visit planned a month after its start, in the same transaction
        if kind == "internships" and action == "create":
            start = dt.date.fromisoformat(after["start_on"])
            session.execute(sa.insert(self.model.__table__).values(
                id_number=after["id_number"], visited_on=start + dt.timedelta(days=30), note="计划走访"))


@pytest.fixture
def visits(visit_model, tmp_path, xiaoqi_plugin_manager):
    versions = tmp_path / "kit_versions"
    versions.mkdir()
    (versions / "kit_0001_visits.py").write_text(textwrap.dedent(MIGRATION))
    plugin = VisitsPlugin(visit_model, versions)
    xiaoqi_plugin_manager.register(plugin, name="kit")
    plugins.set_plugin_manager(xiaoqi_plugin_manager)  # derived caches (record kinds) start afresh
    return plugin


@pytest.fixture
def visits_db(visits, tmp_path):
    """A fresh SQLite database migrated with the visits plugin loaded: (url, engine)."""
    url = f"sqlite:///{tmp_path / 'visits.db'}"
    engine = make_engine(url)
    upgrade(engine)
    yield url, engine
    engine.dispose()


def cli(url, *args):
    from xiaoqi.core.cli import cli as root

    return CliRunner().invoke(root, ["--db", url, *args])


def test_hook_xiaoqi_migration_locations_adds_the_plugins_branch(visits_db):
    url, engine = visits_db
    assert "kit_0001" in heads() and "kit_0001" in current(engine)
    assert "kit_visits" in sa.inspect(engine).get_table_names()
    ensure_current(engine, url)
    # the database still opens, and upgrades, when the plugin is uninstalled: its branch is kept aside
    plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False))
    assert "kit_0001" not in heads()
    ensure_current(engine, url)
    upgrade(engine)
    assert "kit_0001" in current(engine)


def test_hook_xiaoqi_register_models_matches_its_migration(visits_db, visit_model):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    _, engine = visits_db
    assert visit_model in load_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert [d for d in diff if "kit_visits" in repr(d)] == []


def test_hook_xiaoqi_register_record_kinds_serves_services_and_cli(visits_db):
    url, engine = visits_db
    student = XiaoqiFactory(engine).student()
    assert get_kind("kit_visits").label() == "企业走访记录" and get_kind("企业走访记录").name == "kit_visits"
    added = cli(url, "records", "add", "kit_visits", f"身份证号={student.id_number}", "走访日期=2026/3/2", "走访记录=住宿安全")
    assert added.exit_code == 0, added.output
    listed = cli(url, "records", "list", "kit_visits", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert '"visited_on": "2026-03-02"' in listed.output and "住宿安全" in listed.output
    unknown = make_id_number("110101", dt.date(2000, 1, 1), 1)
    refused = cli(url, "records", "add", "kit_visits", f"身份证号={unknown}", "走访日期=2026-03-03")
    assert refused.exit_code == 1 and "引用的学生不存在" in refused.output


def test_hook_xiaoqi_register_commands_adds_and_removes_with_the_plugin(visits_db):
    url, engine = visits_db
    factory = XiaoqiFactory(engine)
    with write_session(engine) as session:
        create_record(session, actor=ADMIN, kind="kit_visits",
                      data={"id_number": factory.student().id_number, "visited_on": "2026-04-01"})
    result = cli(url, "visits")
    assert result.exit_code == 0 and result.output.strip() == "走访记录 1 条"
    assert "visits" in cli(url, "--help").output
    plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False))
    gone = cli(url, "visits")
    assert gone.exit_code == 2 and "没有命令 'visits'" in gone.output


def test_hook_xiaoqi_demo_data_fills_the_plugins_table(visits_db, tmp_path):
    from xiaoqi.core.demo import generate

    url, engine = visits_db
    with write_session(engine) as session:
        generate(session, size="small", seed=7, today=dt.date(2026, 11, 23))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT v.id_number, v.visited_on FROM kit_visits v JOIN students s ON s.id_number = v.id_number ORDER BY 1"
        )).all()
    assert len(rows) == 20
    # the plugin's demo data follows the seed like the core's
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    upgrade(other)
    with write_session(other) as session:
        generate(session, size="small", seed=7, today=dt.date(2026, 11, 23))
    with other.connect() as conn:
        assert conn.execute(sa.text("SELECT id_number, visited_on FROM kit_visits ORDER BY 1")).all() == rows
    other.dispose()


def test_hook_xiaoqi_record_changed_runs_in_the_writers_transaction(visits_db):
    url, engine = visits_db
    factory = XiaoqiFactory(engine)
    internship = factory.internship(start_on="2026-03-02", insure=False)
    plugin = plugins.get_plugin_manager().get_plugin("kit")
    assert ("internships", "create", f"{internship.id_number}/{internship.uscc}/2026-03-02") in plugin.changes
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT visited_on, note FROM kit_visits")).all() == [("2026-04-01", "计划走访")]
    # when the writer's transaction fails later, the plugin's row goes with the record
    with pytest.raises(RuntimeError):
        with write_session(engine) as session:
            create_record(session, actor=ADMIN, kind="internships", data={
                **{c: getattr(internship, c) for c in ("school_code", "id_number", "uscc", "position_code", "monthly_pay")},
                "kind": "岗位实习", "start_on": "2026-09-01", "end_on": "2026-12-31"})
            raise RuntimeError("the import failed on a later row")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM kit_visits")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT COUNT(*) FROM internships")).scalar_one() == 1


# -- a plugin's own hooks --------------------------------------------------------------------

def test_hook_xiaoqi_addhooks_lets_a_plugin_publish_hooks(xiaoqi_plugin_manager):
    specs = types.ModuleType("kit_subsidy_specs")

    @hookspec
    def xiaoqi_kit_subsidy_schemes(region: str) -> list:
        """Subsidy schemes a regional plugin offers in ``region``."""

    specs.xiaoqi_kit_subsidy_schemes = xiaoqi_kit_subsidy_schemes

    class Incentives:
        @hookimpl
        def xiaoqi_addhooks(self, pm):
            pm.add_hookspecs(specs)

    class Zhejiang:
        @hookimpl
        def xiaoqi_kit_subsidy_schemes(self, region):
            return [("学徒培训补贴", 4000)] if region.startswith("33") else []

    # historic: a plugin registered after the manager was made still gets the call
    xiaoqi_plugin_manager.register(Incentives(), name="incentives-kit")
    xiaoqi_plugin_manager.register(Zhejiang(), name="zhejiang-kit")
    hook = xiaoqi_plugin_manager.hook.xiaoqi_kit_subsidy_schemes
    assert hook(region="330100") == [[("学徒培训补贴", 4000)]]
    assert hook(region="460100") == [[]]
    assert sys.modules.get("kit_subsidy_specs") is None


# -- rules and their parameters ----------------------------------------------------------------

def _long_pay_cycle(ctx):
    cycle = ctx.param("max_days", region=ctx.region(), on="i.start_on")
    for row in ctx.internship_rows(f"i.pay_cycle_days > {cycle}", columns=["i.pay_cycle_days AS days", f"{cycle} AS max_days"],
                                   kinds=["岗位实习"]):
        yield ctx.internship_finding(row, f"报酬周期 {row['days']} 天", numbers={"days": row["days"], "max_days": row["max_days"]})


class PayCyclePlugin:
    """A regional rule for 海南 (46): pay at least every N days, N a parameter."""

    @hookimpl
    def xiaoqi_register_rules(self):
        from xiaoqi.core.rules import Param, Rule

        return [Rule(id="KIT-PAY-CYCLE", severity="warning", title=("报酬支付周期", "Pay cycle"), source="test",
                     params=(Param("max_days", "int", 31),), province="46", evaluate=_long_pay_cycle)]


def findings(result) -> dict[str, dict]:
    assert result.exit_code in (0, 1), result.stderr
    return {f["subject_key"]: f for f in result.json["findings"]}


def key(internship) -> str:
    return f"{internship.id_number}/{internship.uscc}/{internship.start_on}"


def test_hook_xiaoqi_register_rules_adds_a_rule_to_check(xiaoqi_plugin_manager, xiaoqi_factory, xiaoqi_cli):
    xiaoqi_plugin_manager.register(PayCyclePlugin(), name="paycycle")
    plugins.set_plugin_manager(xiaoqi_plugin_manager)
    xiaoqi_factory.region = "460100"
    slow = xiaoqi_factory.internship(pay_cycle_days=45)
    monthly = xiaoqi_factory.internship(student=xiaoqi_factory.student())
    xiaoqi_factory.region = "330100"
    xiaoqi_factory.school()
    elsewhere = xiaoqi_factory.internship(student=xiaoqi_factory.student(), pay_cycle_days=45)
    found = findings(xiaoqi_cli("check", "--format", "json", "--rule", "KIT-PAY-CYCLE"))
    assert list(found) == [key(slow)]
    assert found[key(slow)]["severity"] == "warning" and found[key(slow)]["numbers"] == {"days": 45, "max_days": 31}
    assert key(monthly) not in found and key(elsewhere) not in found
    explained = xiaoqi_cli("check", "--explain", "KIT-PAY-CYCLE", "--format", "json").json
    assert explained["plugin"] == "paycycle" and explained["province"] == "46"


def test_hook_xiaoqi_rule_params_overrides_per_region_and_date(xiaoqi_plugin_manager, xiaoqi_factory, xiaoqi_cli):
    from xiaoqi.core.rules import ParamValue

    class Hainan:
        @hookimpl
        def xiaoqi_rule_params(self):
            # 海南 from 2026-01-01: on-post internships may last 4 months; 海口 (4601) from 2026-06-01: 3
            return [ParamValue("INT-DURATION", "max_months", 4, region="46", valid_from=dt.date(2026, 1, 1)),
                    ParamValue("INT-DURATION", "max_months", 3, region="4601", valid_from=dt.date(2026, 6, 1))]

    xiaoqi_plugin_manager.register(Hainan(), name="hainan")
    plugins.set_plugin_manager(xiaoqi_plugin_manager)
    f = xiaoqi_factory
    f.region = "460200"  # 三亚: the province's value
    old = f.internship(start_on="2025-09-01", end_on="2026-01-31")  # 5 months before the date: national 6 applies
    sanya = f.internship(student=f.student(), start_on="2026-03-02", end_on="2026-07-31")  # 5 months > 4
    f.region = "460100"  # 海口: the city's value from June, the province's before
    f.school()
    haikou_spring = f.internship(student=f.student(), start_on="2026-02-02", end_on="2026-05-31")  # 4 months: ok
    haikou_summer = f.internship(student=f.student(), start_on="2026-06-01", end_on="2026-09-30")  # 4 months > 3
    f.region = "330100"
    f.school()
    zhejiang = f.internship(student=f.student(), start_on="2026-03-02", end_on="2026-07-31")
    found = findings(xiaoqi_cli("check", "--format", "json", "--rule", "INT-DURATION"))
    assert set(found) == {key(sanya), key(haikou_summer)}
    assert found[key(sanya)]["numbers"]["max_months"] == 4 and found[key(haikou_summer)]["numbers"]["max_months"] == 3
    assert not {key(old), key(haikou_spring), key(zhejiang)} & set(found)


# -- the annual report -------------------------------------------------------------------------

class TrainingHoursReport:
    """A report section: on-post internships per school in the year, as the plugin counts them."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def xiaoqi_report_sections(self, session, year, school_code, lang, actor):
        from xiaoqi.core.report import ReportSection

        self.calls.append((year, school_code, lang, str(actor)))
        sql = ("SELECT school_code, COUNT(*) FROM internships WHERE kind = '岗位实习' "
               "AND start_on <= :end AND end_on >= :start" + (" AND school_code = :school" if school_code else "") +
               " GROUP BY school_code ORDER BY school_code")
        rows = session.execute(sa.text(sql), {"start": f"{year}-01-01", "end": f"{year}-12-31", "school": school_code}).all()
        note = "按插件口径统计" if lang == "zh" else "as the plugin counts them"
        return [ReportSection(title=("插件统计：岗位实习", "Plugin figures: on-post internships"),
                              columns=[("学校代码", "school"), ("岗位实习", "on-post")], rows=[list(r) for r in rows],
                              notes=[note])]


def test_hook_xiaoqi_report_sections_adds_a_section(xiaoqi_plugin_manager, xiaoqi_factory, xiaoqi_cli):
    plugin = TrainingHoursReport()
    xiaoqi_plugin_manager.register(plugin, name="report-kit")
    first = xiaoqi_factory.internship(start_on="2025-03-03")
    xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on="2025-09-01")
    xiaoqi_factory.school()
    other = xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on="2024-03-04")
    report = xiaoqi_cli("report", "annual", "--year", "2025")
    assert report.exit_code == 0, report.stderr
    assert "插件统计：岗位实习" in report.output and "按插件口径统计" in report.output
    assert first.school_code in report.output and other.school_code not in report.output.split("插件统计")[1]
    english = xiaoqi_cli("--lang", "en", "report", "annual", "--year", "2025", "--school", first.school_code)
    assert english.exit_code == 0, english.stderr
    assert "Plugin figures: on-post internships" in english.output and "as the plugin counts them" in english.output
    assert plugin.calls == [(2025, None, "zh", "admin"), (2025, first.school_code, "en", "admin")]


# -- column types --------------------------------------------------------------------------------

def _parse_grade(value) -> str:
    """A 1+X certificate level: 初级 / 中级 / 高级, or 1 / 2 / 3."""
    text = str(value).strip()
    levels = {"1": "初级", "2": "中级", "3": "高级"}
    if text in levels.values():
        return text
    if text in levels:
        return levels[text]
    raise ValueError("应为 初级、中级、高级（或 1、2、3）")


class GradePlugin:
    """A column type of its own, used by the visits kind of this module's plugin."""

    @hookimpl
    def xiaoqi_register_column_types(self):
        from xiaoqi.core.kinds import ColumnType

        return [ColumnType("kit-grade", _parse_grade, ("证书等级（初级/中级/高级）", "certificate level"))]


def test_hook_xiaoqi_register_column_types_parses_cells_of_plugin_kinds(xiaoqi_plugin_manager, xiaoqi_cli, tmp_path):
    import openpyxl

    from xiaoqi.core.kinds import column_types
    from xiaoqi.core.models import School

    class Certificates(GradePlugin):
        @hookimpl
        def xiaoqi_register_record_kinds(self):
            return [RecordKind(name="kit_levels", zh="证书等级", en="certificate levels", model=School,
                               key=("school_code",), columns=[Column("school_code", "学校代码", "code10", key=True),
                                                              Column("name", "证书等级", "kit-grade", required=True)])]

    xiaoqi_plugin_manager.register(Certificates(), name="kit-grades")
    kind = get_kind("kit_levels")
    assert kind.parse_row({"school_code": "4133010001", "name": "2"})["name"] == "中级"
    with pytest.raises(RowProblems) as caught:
        kind.parse_row({"school_code": "4133010001", "name": "专家"})
    assert caught.value.problems == [("name", "专家", "应为 初级、中级、高级（或 1、2、3）")]
    out = tmp_path / "levels.xlsx"
    assert xiaoqi_cli("--lang", "en", "template", "kit_levels", "-o", out).exit_code == 0
    help_rows = list(openpyxl.load_workbook(out).worksheets[1].iter_rows(values_only=True))
    assert help_rows[2][:2] == ("证书等级", "name") and help_rows[2][3] == "certificate level"
    # the core's own types are untouched: the plugin's exists only while the plugin is loaded
    xiaoqi_plugin_manager.unregister(name="kit-grades")
    assert "kit-grade" not in column_types() and set(column_types()) >= {"text", "date", "money", "uscc"}
