"""Commands are declared (name, help, import path) and imported when used: ``xiaoqi --help`` lists
the core's and the plugins' commands without importing their modules, SQLAlchemy or Textual."""

import json
import re
import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from xiaoqi.core import hookimpl, plugins
from xiaoqi.core.cli import cli
from xiaoqi.core.commands import CommandEntry

HEAVY = ("sqlalchemy", "sqlmodel", "textual", "alembic", "pydantic", "openpyxl", "reportlab", "docx")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def imported_by(*args) -> set[str]:
    """The modules a fresh interpreter has imported after ``xiaoqi ARGS``."""
    code = textwrap.dedent(f"""
        import json, sys
        from xiaoqi.core.cli import main
        try:
            main({list(args)!r})
        except SystemExit:
            pass
        print(json.dumps(sorted(sys.modules)))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_imports_no_command_module_and_no_heavy_library():
    modules = imported_by("--help")
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    assert not {m for m in modules if m.startswith(("xiaoqi.core.commands.", "xiaoqi.plugins.luban.commands"))}
    assert not {m for m in modules if m in ("xiaoqi.core.models", "xiaoqi.core.kinds", "xiaoqi.core.db")}
    # and a command imports its own module only
    shown = imported_by("plugins", "--help")
    assert "xiaoqi.core.commands.plugins_cmd" in shown and "xiaoqi.core.commands.check" not in shown


def test_loading_the_plugins_imports_no_rule_code():
    """Every built-in plugin is loaded for ``xiaoqi --help`` (its commands are listed), and none
    of them imports the rules (``xiaoqi.core.rules``: the model, the SQL helpers, the registry)
    before a rule or a parameter is asked for: the regional ones build theirs in their hooks."""
    from xiaoqi.core.plugins import DEFAULT_PLUGINS

    modules = imported_by("--help")
    assert set(DEFAULT_PLUGINS) <= modules
    assert not {m for m in modules if m == "xiaoqi.core.rules" or m.startswith("xiaoqi.core.rules.")}


def test_every_subcommand_help_imports_neither_sqlalchemy_nor_textual():
    """``xiaoqi SUB --help`` of every core and plugin command: the KIND argument's help lists the
    kinds (declared with SQLAlchemy imported by its first use), and builds no table class."""
    names = sorted(cli.list_commands(click.Context(cli)))
    assert {"import", "records", "status", "check", "tui", "audit"} <= set(names)
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        from xiaoqi.core.cli import main
        out = {{}}
        for name in {names!r}:
            before = set(sys.modules)
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    main([name, "--help"])
                except SystemExit:
                    pass
            out[name] = sorted(set(sys.modules) - before)
        print(json.dumps(out))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = json.loads(result.stdout.splitlines()[-1])
    heavy = {name: sorted({m.split(".")[0] for m in mods} & {"sqlalchemy", "textual", "sqlmodel", "pydantic"})
             for name, mods in imported.items()}
    assert not {name: h for name, h in heavy.items() if h}
    assert "xiaoqi.core.models" not in {m for mods in imported.values() for m in mods}


@pytest.mark.parametrize("url", ["sqlite:///a.db", "sqlite:////tmp/x/a.db", "sqlite+pysqlite:///a%20b.db?timeout=3",
                                 "sqlite://", "sqlite:///:memory:", "postgresql://u@127.0.0.1/db",
                                 "postgresql+psycopg://u:p@h:5432/d?x=1", "sqlite:///%E4%B8%AD.db"])
def test_the_configuration_finds_a_sqlite_file_as_sqlalchemy_reads_it(url):
    import sqlalchemy as sa

    from xiaoqi.core.config import sqlite_file

    u = sa.engine.make_url(url)
    expected = u.database if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None
    assert sqlite_file(url) == expected


def test_reading_commands_import_neither_alembic_nor_textual(demo_db):
    """status, records list and check check the schema without Alembic, draw nothing and need no
    PostgreSQL driver on SQLite; a Markdown report writes no PDF or Word document."""
    url, _ = demo_db
    for args in (["status"], ["records", "list", "internships"], ["check"]):
        imported = imported_by("--db", url, *args)
        modules = {m.split(".")[0] for m in imported}
        assert not modules & {"alembic", "mako", "textual", "openpyxl", "psycopg", "reportlab", "docx"}, args
        # a core kind's rows, the dashboard's figures and the rules (SQL over the tables) build no
        # plugin's table classes; the figures and the check (kept in its tables) none at all
        assert not [m for m in imported if m.startswith("xiaoqi.plugins.") and m.endswith(".models")], args
        if args[0] != "records":
            assert not modules & {"sqlmodel", "pydantic"} and "xiaoqi.core.models" not in imported, args
            assert "sqlalchemy.orm" not in imported, args
    report = {m.split(".")[0] for m in imported_by("--db", url, "report", "annual", "--year", "2025")}
    assert not report & {"alembic", "textual", "reportlab", "docx"}


@pytest.fixture
def plugin_package(tmp_path, monkeypatch):
    """An importable package ``lazy_region`` whose command module records that it was imported."""
    package = tmp_path / "lazy_region"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "commands.py").write_text(textwrap.dedent('''
        import click
        from xiaoqi.core.cli import group, option

        IMPORTED = True

        @group("lazy")
        def lazy_group():
            pass

        @lazy_group.command("hello", help=("问好", "say hello"))
        @option("--name", required=True, help=("名字", "the name"))
        def hello(name):
            click.echo(f"你好 {name}")
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazy_region"
    for name in [m for m in sys.modules if m.startswith("lazy_region")]:
        del sys.modules[name]


def use_plugins(*objects):
    pm = plugins.make_plugin_manager(entry_points=False)
    for i, obj in enumerate(objects):
        plugins.register_plugin(pm, obj, f"test-plugin-{i}")
    plugins.set_plugin_manager(pm)


class Declares:
    def __init__(self, *entries):
        self.entries = list(entries)

    @hookimpl
    def xiaoqi_register_commands(self):
        return self.entries


def test_a_plugin_command_is_listed_by_its_declaration_and_imported_when_run(plugin_package):
    use_plugins(Declares(CommandEntry("lazy", ("懒加载示例", "a lazy example"), "lazy_region.commands:lazy_group")))
    listed = invoke("--help")
    assert listed.exit_code == 0 and re.search(r"\blazy +懒加载示例", listed.stdout)
    assert re.search(r"\blazy +a lazy example", invoke("--lang", "en", "--help").stdout)
    assert "lazy_region.commands" not in sys.modules
    ran = invoke("lazy", "hello", "--name", "小王")
    assert ran.exit_code == 0 and ran.stdout == "你好 小王\n"
    assert sys.modules["lazy_region.commands"].IMPORTED
    # the group has no help of its own: it shows its declaration's
    assert "懒加载示例" in invoke("lazy", "--help").stdout
    assert "[必填]" in invoke("lazy", "hello", "--help").stdout
    assert "[required]" in invoke("--lang", "en", "lazy", "hello", "--help").stdout


def test_a_name_taken_twice_is_an_error_naming_both_plugins(plugin_package):
    entry = CommandEntry("lazy", ("懒加载示例", "a lazy example"), "lazy_region.commands:lazy_group")
    use_plugins(Declares(entry), Declares(entry))
    result = invoke("--help")
    assert result.exit_code == 1
    assert result.stderr == ("错误：插件 test-plugin-1 注册的命令 lazy 与 插件 test-plugin-0 的命令重名。"
                             "请停用其中一个插件（XIAOQI_DISABLE_PLUGINS=test-plugin-1），或请插件作者改名。\n")


def test_a_core_name_cannot_be_taken_by_a_plugin():
    use_plugins(Declares(CommandEntry("check", ("另一个检查", "another check"), "lazy_region.commands:lazy_group")))
    result = invoke("--lang", "en", "check")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Plugin test-plugin-0 registers the command check, which xiaoqi itself already has.")


def test_a_command_that_cannot_be_imported_names_its_plugin_and_path():
    use_plugins(Declares(CommandEntry("ghost", ("幽灵", "a ghost"), "no_such_package.commands:ghost")))
    assert re.search(r"\bghost +幽灵", invoke("--help").stdout)  # listing imports nothing, so it still works
    result = invoke("--lang", "en", "ghost")
    assert result.exit_code == 1
    assert result.stderr == ("Error: Cannot load the command ghost (plugin test-plugin-0, no_such_package.commands:ghost): "
                             "ModuleNotFoundError: No module named 'no_such_package'\n")


def test_a_hook_returning_something_else_is_named():
    class Wrong:
        @hookimpl
        def xiaoqi_register_commands(self):
            return ["lazy"]

    use_plugins(Wrong())
    result = invoke("--help")
    assert result.exit_code == 1
    assert result.stderr == "错误：插件 test-plugin-0 的 xiaoqi_register_commands 返回了 ['lazy']：应为 CommandEntry 的列表。\n"


@pytest.mark.parametrize("args,problem", [
    (("Lazy", ("a", "b"), "m:c"), "command name 'Lazy'"),
    (("lazy", "只有中文", "m:c"), "help must be a (Chinese, English) pair"),
    (("lazy", ("a", ""), "m:c"), "help must be a (Chinese, English) pair"),
    (("lazy", ("a", "b"), "m.c"), "import_path must read 'package.module:attribute'"),
])
def test_a_declaration_is_checked_when_made(args, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        CommandEntry(*args)


def test_core_commands_are_declared_where_they_are_defined():
    """Each core declaration names a click command of that name (no command module is left out)."""
    from xiaoqi.core.cli import CORE_COMMANDS

    for entry in CORE_COMMANDS:
        assert entry.load().name == entry.name
