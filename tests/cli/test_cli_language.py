"""Help pages and click's own messages follow ``--lang`` inside xiaoqi, and only there: importing
xiaoqi leaves every other click program as click wrote it."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xiaoqi.core.cli import cli
from xiaoqi.core.click_zh import ZH

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_importing_xiaoqi_leaves_other_click_programs_in_english():
    """Every xiaoqi module imported and xiaoqi's CLI run in Chinese first; then an unrelated click
    program still speaks click's English (its errors, headings and option notes)."""
    code = textwrap.dedent('''
        import importlib, pkgutil
        import click
        from click.testing import CliRunner
        import xiaoqi

        for info in pkgutil.walk_packages(xiaoqi.__path__, "xiaoqi."):
            importlib.import_module(info.name)
        from xiaoqi.core.cli import cli
        assert "错误：没有选项" in CliRunner().invoke(cli, ["--nosuch"]).stderr

        @click.command()
        @click.option("--count", type=int, required=True, help="How many.")
        def other(count):
            pass

        runner = CliRunner()
        print(runner.invoke(other, ["--nosuch"]).stderr)
        print(runner.invoke(other, []).stderr)
        print(runner.invoke(other, ["--count", "x"]).stderr)
        print(runner.invoke(other, ["--help"]).stdout)
    ''')
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Error: No such option '--nosuch'." in out and "Try 'other --help' for help." in out
    assert "Error: Missing option '--count'." in out
    assert "Error: Invalid value for '--count': 'x' is not a valid integer." in out
    assert "Usage: other [OPTIONS]" in out and "Options:" in out and "[required]" in out
    assert "Show this message and exit." in out
    assert not CJK.search(out)


def command_paths(command=cli, path=()):
    """Every command of the CLI (the core's and the built-in plugins'), as argument tuples."""
    ctx = click.Context(command)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from command_paths(command.get_command(ctx, name), (*path, name))
    yield path


PATHS = list(command_paths())


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "xiaoqi" for p in PATHS])
def test_every_help_page_is_in_the_chosen_language(path):
    from xiaoqi.core.kinds import get_kinds

    english = invoke("--lang", "en", *path, "--help")
    assert english.exit_code == 0, english.output
    # the one Chinese in English help: the kinds' Chinese names a user may type, beside the English ones
    text = english.stdout
    for kind in get_kinds().values():
        text = text.replace(f"{kind.name} ({kind.zh})", kind.name)
    assert not CJK.search(text), english.stdout
    chinese = invoke(*path, "--help")
    assert chinese.exit_code == 0 and CJK.search(chinese.stdout)
    assert "用法：" in chinese.stdout and "选项：" in chinese.stdout and "显示本帮助并退出。" in chinese.stdout


def test_quota_show_help_in_english_exactly():
    result = invoke("--lang", "en", "quota", "show", "--help")
    assert result.stdout == textwrap.dedent("""\
        Usage: xiaoqi quota show [OPTIONS]

          quota, reserved, confirmed and free places per position

        Options:
          --enterprise USCC     the enterprise's USCC
          --position CODE       position code
          --on DATE             figures as of DATE (YYYY-MM-DD, default today)
          --format [text|json]  output format  [default: text]
          -h, --help            Show this message and exit.
        """)


def test_required_and_default_notes_are_translated():
    reserve = invoke("quota", "reserve", "--help").stdout
    assert "企业的统一社会信用代码  [必填]" in reserve and "输出格式  [默认：text]" in reserve
    english = invoke("--lang", "en", "quota", "reserve", "--help").stdout
    assert "the enterprise's USCC  [required]" in english and "output format  [default: text]" in english


@pytest.mark.parametrize("args,stderr", [
    (["--nosuch"], "错误：没有选项 '--nosuch'。"),
    (["records", "list", "schools", "--lmit", "3"], "错误：没有选项 '--lmit'。您是否想用：'--limit'？"),
    (["records", "list"], "错误：缺少参数 'KIND'。"),
    (["records", "list", "schools", "--limit", "0"], "错误：'--limit' 的值无效：0 不在范围 1<=x<=100000 内。"),
    (["records", "list", "schools", "--limit", "x"], "错误：'--limit' 的值无效：'x' 不是有效的整数。"),
    (["records", "list", "schools", "extra"], "错误：多余的参数（extra）"),
    (["check", "--on", "2026-13-01"], "错误：'--on' 的值无效：'2026-13-01' 不符合格式 '%Y-%m-%d'。"),
    (["import", "schools", "/"], "错误：'FILE' 的值无效：文件 '/' 是目录。"),
])
def test_clicks_errors_in_chinese_with_the_usage_line(args, stderr):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("用法： xiaoqi ") and "查看帮助。" in result.stderr
    assert result.stderr.rstrip("\n").endswith(stderr), result.stderr


def test_an_option_without_its_value():
    # click's parser reports this one without the usage line; so does xiaoqi
    assert invoke("check", "--rule").stderr == "错误：选项 '--rule' 需要一个值。\n"
    assert invoke("--lang", "en", "check", "--rule").stderr == "Error: Option '--rule' requires an argument.\n"


def test_click_message_ids_are_clicks_own():
    """The table's English is click's, so a click that rewords a message shows here, not to users."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(click.__file__).parent.glob("*.py")).lower()
    for message in ZH:
        for literal, *_ in __import__("string").Formatter().parse(message):
            piece = literal.strip(" .?():\n\t")
            assert piece.lower() in source, (message, piece)
