"""What the core derives from the plugins stays true and unambiguous: every hook is called through
pluggy (so ``XIAOQI_TRACE_PLUGINS`` shows it), an id two plugins register is an error naming both,
the registries follow plugins registered and unregistered at run time, and contributions come in
the documented order (the core's, the built-in plugins', then the others', as registered)."""

import ast
from pathlib import Path

import pytest

from xiaoqi.core import hookimpl, plugins
from xiaoqi.core.kinds import Column, ColumnType, RecordKind, column_types, get_kind, get_kinds
from xiaoqi.core.plugins import DEFAULT_PLUGINS, PluginConflict, contributions
from xiaoqi.core.rules import Rule, get_rules, param_table

ROOT = Path(__file__).resolve().parents[2]


def _no_findings(ctx):
    return iter(())


def rule(rule_id: str, **kw) -> Rule:
    return Rule(id=rule_id, severity="warning", title=("测试规则", "test rule"), source="test", evaluate=_no_findings, **kw)


class RulePlugin:
    def __init__(self, *rules):
        self.rules = list(rules)

    @hookimpl
    def xiaoqi_register_rules(self):
        return self.rules


def kind(name: str, zh: str, en: str, *column_type: str) -> RecordKind:
    from xiaoqi.core.models import School

    return RecordKind(name=name, zh=zh, en=en, model=School, key=("school_code",),
                      columns=[Column("school_code", "学校代码", column_type[0] if column_type else "code10", key=True)])


class KindPlugin:
    def __init__(self, *kinds):
        self.kinds = list(kinds)

    @hookimpl
    def xiaoqi_register_record_kinds(self):
        return self.kinds


# -- every hook through pluggy ------------------------------------------------------------------

def test_no_code_calls_a_hook_implementation_directly():
    """``impl.function(...)`` bypasses tracing and wrappers: only pm.hook (and plugins.calls) call hooks."""
    offenders = []
    for folder in ("core", "tui", "plugins", "xiaoqi"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr == "function" and isinstance(node.value, ast.Name) \
                        and "impl" in node.value.id:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_xiaoqi_trace_plugins_shows_the_rules_params_and_report_hooks(monkeypatch, xiaoqi_factory, xiaoqi_cli):
    xiaoqi_factory.internship(start_on="2025-03-03")
    monkeypatch.setenv("XIAOQI_TRACE_PLUGINS", "1")
    plugins.set_plugin_manager(None)
    checked = xiaoqi_cli("check")
    assert checked.exit_code == 0, checked.stderr
    traced = [line for line in checked.stderr.splitlines() if line.startswith("[xiaoqi plugins]")]
    assert "[xiaoqi plugins] xiaoqi_register_rules() -> xiaoqi.plugins.national" in traced
    assert any(line.startswith("[xiaoqi plugins] xiaoqi_rule_params() -> ") for line in traced)
    report = xiaoqi_cli("report", "annual", "--year", "2025")
    assert report.exit_code == 0, report.stderr
    assert "[xiaoqi plugins] xiaoqi_report_sections(session, year, school_code, lang, actor) -> xiaoqi.plugins.luban" \
        in report.stderr


# -- one id, one plugin ----------------------------------------------------------------------------

def test_a_rule_id_registered_twice_names_both_plugins(xiaoqi_plugin_manager, xiaoqi_cli):
    xiaoqi_plugin_manager.register(RulePlugin(rule("KIT-SAME")), name="kit-one")
    xiaoqi_plugin_manager.register(RulePlugin(rule("KIT-SAME")), name="kit-two")
    with pytest.raises(PluginConflict) as caught:
        get_rules()
    assert (caught.value.what, caught.value.name, caught.value.first, caught.value.second) == \
        ("rule", "KIT-SAME", "kit-one", "kit-two")
    result = xiaoqi_cli("check")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "错误：插件冲突：规则「KIT-SAME」同时由 kit-one 与 kit-two 注册。"
        "请停用其中一个插件（XIAOQI_DISABLE_PLUGINS=kit-two），或请插件作者改用另一个名称。")


def test_a_third_party_rule_reusing_a_national_id_is_an_error_not_a_silent_loss(xiaoqi_plugin_manager, xiaoqi_cli):
    xiaoqi_plugin_manager.register(RulePlugin(rule("INT-DURATION")), name="hainan")
    result = xiaoqi_cli("--lang", "en", "check", "--rule", "INT-DURATION")
    assert result.exit_code == 1
    assert "rule 'INT-DURATION' is registered by both xiaoqi.plugins.national and hainan" in result.stderr
    # the way to widen a national rule for a region is a variant, which is no conflict
    xiaoqi_plugin_manager.unregister(name="hainan")
    xiaoqi_plugin_manager.register(RulePlugin(rule("HAINAN-DURATION", extends="INT-DURATION", province="46")), name="hainan")
    assert get_rules()["INT-DURATION"].plugin == "xiaoqi.plugins.national"


def test_a_record_kind_name_or_label_taken_names_both_owners(xiaoqi_plugin_manager, xiaoqi_cli):
    xiaoqi_plugin_manager.register(KindPlugin(kind("students", "学生名册", "student roll")), name="kit-roll")
    with pytest.raises(PluginConflict, match="xiaoqi.core 与 kit-roll") as caught:
        get_kinds()
    assert (caught.value.what, caught.value.name) == ("kind", "students")
    xiaoqi_plugin_manager.unregister(name="kit-roll")
    # a Chinese label is a name too: get_kind("学生") must find one kind
    xiaoqi_plugin_manager.register(KindPlugin(kind("kit_pupils", "学生", "pupils")), name="kit-pupils")
    with pytest.raises(PluginConflict) as caught:
        get_kind("学生")
    assert (caught.value.name, caught.value.first, caught.value.second) == ("学生", "xiaoqi.core", "kit-pupils")
    result = xiaoqi_cli("records", "list", "students")
    assert result.exit_code == 1 and "数据类型「学生」同时由 xiaoqi.core 与 kit-pupils 注册" in result.stderr


def test_a_column_type_registered_twice_names_both_owners(xiaoqi_plugin_manager):
    class Dates:
        @hookimpl
        def xiaoqi_register_column_types(self):
            return [ColumnType("date", str, ("日期", "date"))]

    xiaoqi_plugin_manager.register(Dates(), name="kit-dates")
    with pytest.raises(PluginConflict) as caught:
        column_types()
    assert (caught.value.what, caught.value.name, caught.value.first, caught.value.second) == \
        ("column_type", "date", "xiaoqi.core", "kit-dates")


def test_a_column_of_a_type_nobody_registered_is_reported_with_its_kind(xiaoqi_plugin_manager):
    from xiaoqi.core.errors import XiaoqiError

    xiaoqi_plugin_manager.register(KindPlugin(kind("kit_odd", "奇怪记录", "odd records", "colour")), name="kit-odd")
    with pytest.raises(XiaoqiError, match="数据类型 kit_odd（kit-odd）的列 school_code 的类型「colour」不存在"):
        get_kinds()


def test_a_screen_or_panel_id_registered_twice_names_both(xiaoqi_plugin_manager):
    from xiaoqi.tui import PanelEntry, ScreenEntry, TuiContext
    from xiaoqi.tui.app import build_sections

    class Screens:
        @hookimpl
        def xiaoqi_register_screens(self):
            return [ScreenEntry(id="luban", title=("另一个鲁班", "another Luban"), screen=object)]

        @hookimpl
        def xiaoqi_dashboard_panels(self):
            return [PanelEntry(id="kit-panel", title=("面板", "panel"), widget=object)]

    xiaoqi_plugin_manager.register(Screens(), name="kit-screens")
    with pytest.raises(PluginConflict) as caught:
        build_sections(TuiContext(None, None), None)
    assert (caught.value.what, caught.value.name, caught.value.first, caught.value.second) == \
        ("screen", "luban", "xiaoqi.plugins.luban", "kit-screens")


# -- registries follow the plugins ----------------------------------------------------------------

def test_registries_see_a_plugin_registered_after_first_use_and_lose_it_when_unregistered(xiaoqi_plugin_manager):
    assert "KIT-LATE" not in get_rules() and "kit_late" not in get_kinds() and "kit-colour" not in column_types()

    class Late:
        @hookimpl
        def xiaoqi_register_rules(self):
            return [rule("KIT-LATE")]

        @hookimpl
        def xiaoqi_register_column_types(self):
            return [ColumnType("kit-colour", str.strip, ("颜色", "colour"))]

        @hookimpl
        def xiaoqi_register_record_kinds(self):
            return [kind("kit_late", "迟到记录", "late records")]

    late = Late()
    xiaoqi_plugin_manager.register(late, name="kit-late")
    assert get_rules()["KIT-LATE"].plugin == "kit-late"
    assert get_kind("迟到记录").name == "kit_late" and column_types()["kit-colour"].doc == ("颜色", "colour")
    xiaoqi_plugin_manager.unregister(late)
    assert "KIT-LATE" not in get_rules() and "kit_late" not in get_kinds() and "kit-colour" not in column_types()


def test_commands_follow_a_plugin_registered_and_unregistered_at_run_time(xiaoqi_plugin_manager, xiaoqi_cli):
    import click

    class Hello:
        @hookimpl
        def xiaoqi_register_commands(self, cli):
            @cli.command("kit-late")
            def late():
                """迟到的命令."""
                click.echo("来了")

    assert xiaoqi_cli("kit-late").exit_code == 2
    hello = Hello()
    xiaoqi_plugin_manager.register(hello, name="kit-late")
    assert xiaoqi_cli("kit-late").output == "来了\n"
    xiaoqi_plugin_manager.unregister(hello)
    assert xiaoqi_cli("kit-late").exit_code == 2


# -- the order of precedence -----------------------------------------------------------------------

def test_contributions_come_in_registration_order_builtins_first(xiaoqi_plugin_manager):
    from xiaoqi.core.rules import ParamValue

    class Values:
        def __init__(self, value):
            self.value = value

        @hookimpl
        def xiaoqi_rule_params(self):
            return [ParamValue("INT-DURATION", "max_months", self.value, region="46")]

    xiaoqi_plugin_manager.register(Values(5), name="kit-first")
    xiaoqi_plugin_manager.register(Values(4), name="kit-second")
    givers = list(dict.fromkeys(name for name, _ in contributions("xiaoqi_rule_params")))
    builtins = [name for name in givers if name in DEFAULT_PLUGINS]
    assert givers == builtins + ["kit-first", "kit-second"]
    assert builtins == [name for name in DEFAULT_PLUGINS if name in builtins]
    # values of one region and date do not depend on that order: the later registration wins the tie
    assert param_table().resolve("INT-DURATION", "max_months", "460100").value == 4
    assert param_table().resolve("INT-DURATION", "max_months", "330100").value == 6


def test_record_kinds_list_the_cores_then_the_builtin_plugins_then_others(xiaoqi_plugin_manager):
    from xiaoqi.core.core_kinds import CORE_KINDS

    xiaoqi_plugin_manager.register(KindPlugin(kind("kit_later", "后来的记录", "later records")), name="kit-later")
    names = list(get_kinds())
    core = [k.name for k in CORE_KINDS]
    from xiaoqi.plugins.incentives.kinds import KINDS as INC_KINDS
    from xiaoqi.plugins.industrial_college.kinds import KINDS as IC_KINDS
    from xiaoqi.plugins.onex.kinds import KINDS as ONEX_KINDS

    # xiaoqi.plugins.luban, .industrial_college, .teachers, .incentives, .onex, then .regions.henan and .shaanxi (DEFAULT_PLUGINS), then the rest
    builtin = ["luban_workshops", "luban_equipment", "luban_activity", "luban_partners", *(k.name for k in IC_KINDS),
               "tch_practice", "tch_recognitions", *(k.name for k in INC_KINDS), *(k.name for k in ONEX_KINDS),
               "henan_mental_checks", "shaanxi_arrangements"]
    assert names == core + builtin + ["kit_later"]
