"""``xiaoqi plugin new NAME``: a new regional plugin package that installs, loads and passes its own tests.

The package has a pyproject with the ``xiaoqi`` entry point, a module with one rule, one
parameter override for a province and a command declared lazily (``CommandEntry``, its code in
``commands.py``), a README, and tests that use the ``xiaoqi.testing`` fixtures.
docs/tutorial.md walks through growing it into a full plugin (tables, import kinds, commands, TUI).
"""

from __future__ import annotations

import keyword
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ..cli import group, option
from ..errors import UsageError, XiaoqiError
from ..i18n import catalogue, t

catalogue(
    {
        "plugin.new.bad_name": (
            "插件名「{name}」无效：只能使用小写字母、数字和连字符，以字母开头、不以连字符结尾，最长 {max} 个字符，例如 xiaoqi-hainan。",
            "Invalid plugin name '{name}': use lower-case letters, digits and hyphens, start with a letter, do not end with a hyphen, at most {max} characters, e.g. xiaoqi-hainan.",
        ),
        "plugin.new.reserved": (
            "插件名「{name}」会与已有的 Python 模块「{module}」重名，请换一个名字，例如 xiaoqi-{name}-region。",
            "The plugin name '{name}' would clash with the existing Python module '{module}'; choose another, e.g. xiaoqi-{name}-region.",
        ),
        "plugin.new.bad_province": (
            "省份代码「{code}」无效：请使用两位行政区划代码，如 33（浙江）、46（海南）。",
            "Invalid province code '{code}': use a two-digit region code such as 33 (Zhejiang) or 46 (Hainan).",
        ),
        "plugin.new.no_province": ("请用 --province 指定插件所属省份的两位行政区划代码，例如：xiaoqi plugin new {name} --province 33（浙江）。",
                                   "Give the plugin's province as a two-digit region code with --province, e.g.: xiaoqi plugin new {name} --province 33 (Zhejiang)."),
        "plugin.new.no_dir": ("目录不存在：{path}。请先创建它，或用 --dir 指定已有的目录。", "No such directory: {path}. Create it first, or give an existing one with --dir."),
        "plugin.new.exists": ("{path} 已存在。请换一个插件名，或用 --dir 在其他目录下创建；已有文件不会被覆盖。", "{path} already exists. Choose another name, or another place with --dir; existing files are never overwritten."),
        "plugin.new.done": ("已创建插件包 {path}（模块 {module}，省份 {province} {province_name}）。接下来：", "Created the plugin package {path} (module {module}, province {province} {province_name}). Next:"),
        "plugin.new.step.install": ("安装（可编辑模式）并运行它的测试：", "install it (editable) and run its tests:"),
        "plugin.new.step.check": ("确认 xiaoqi 已加载它，并查看它的规则：", "see that xiaoqi loads it, and look at its rule:"),
        "plugin.new.step.docs": ("编写指南：docs/plugins.md 与 docs/tutorial.md", "guides: docs/plugins.md and docs/tutorial.md"),
    }
)

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_NAME = 60


@dataclass(frozen=True)
class PluginNames:
    """The names one plugin name gives: distribution, module, entry point, rule id, message keys."""

    name: str
    province: str

    @property
    def short(self) -> str:
        """The name without a leading ``xiaoqi-``: ``xiaoqi-demo-region`` -> ``demo-region``."""
        return self.name.removeprefix("xiaoqi-")

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def entry_point(self) -> str:
        return self.short.replace("-", "_")

    @property
    def rule_id(self) -> str:
        return f"{self.short.upper()}-MENTOR"

    @property
    def province_name(self) -> str:
        from ..fields import PROVINCES

        return PROVINCES[self.province]


def validate(name: str, province: str | None) -> PluginNames:
    """The names for ``name`` and ``province``, or a UsageError that says what to type instead."""
    from ..fields import PROVINCES

    if len(name) > MAX_NAME or not NAME_RE.match(name):
        raise UsageError(t("plugin.new.bad_name", name=name, max=MAX_NAME))
    if province is None:  # no default: a plugin written for the wrong province is worse than a question
        raise UsageError(t("plugin.new.no_province", name=name))
    if province not in PROVINCES:
        raise UsageError(t("plugin.new.bad_province", code=province))
    names = PluginNames(name, province)
    module = names.module
    if keyword.iskeyword(module) or module in sys.stdlib_module_names or module == "xiaoqi" or _importable(module):
        raise UsageError(t("plugin.new.reserved", name=name, module=module))
    return names


def _importable(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def render(names: PluginNames) -> dict[str, str]:
    """Every file of the new package: relative path -> text."""
    values = {
        "name": names.name, "module": names.module, "entry_point": names.entry_point, "rule_id": names.rule_id,
        "province": names.province, "province_name": names.province_name, "key": names.entry_point,
        "city": names.province + "0100", "other_city": "110100" if names.province != "11" else "310100",
        "command": names.short,
    }
    return {path.format(**values): string.Template(text).substitute(values) for path, text in TEMPLATES.items()}


def create(names: PluginNames, parent: Path) -> Path:
    """Write the package into ``parent/NAME``; refuses an existing path (nothing is overwritten)."""
    if not parent.is_dir():
        raise UsageError(t("plugin.new.no_dir", path=parent))
    root = parent / names.name
    if root.exists():
        raise XiaoqiError(t("plugin.new.exists", path=root))
    files = render(names)
    root.mkdir()
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@group("plugin")
def plugin_group():
    pass


@plugin_group.command("new", help=("新建一个地区插件包 NAME（如 xiaoqi-hainan）", "create a regional plugin package NAME (e.g. xiaoqi-hainan)"))
@click.argument("name")
@option("--dir", "directory", default=".", metavar="DIR",
        help=("在该目录下创建（默认当前目录）", "create it inside DIR (default: the current directory)"))
@option("--province", default=None, metavar="NN",
        help=("插件所属省份的两位行政区划代码（必填），如 33（浙江）、46（海南）",
              "two-digit region code of the plugin's province (required), e.g. 33 (Zhejiang), 46 (Hainan)"))
def new_command(name, directory, province):
    names = validate(name, province)
    root = create(names, Path(directory))
    click.echo(t("plugin.new.done", path=root, module=names.module, province=names.province,
                 province_name=names.province_name))
    click.echo("  " + t("plugin.new.step.install"))
    click.echo(f"      cd {root}")
    click.echo("      pip install -e '.[test]'")
    click.echo("      pytest")
    click.echo("  " + t("plugin.new.step.check"))
    click.echo(f"      xiaoqi plugins | grep {names.entry_point}")
    click.echo(f"      xiaoqi check --explain {names.rule_id}")
    click.echo("  " + t("plugin.new.step.docs"))


PYPROJECT = '''\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "$name"
version = "0.1.0"
description = "xiaoqi regional plugin: rules and parameters of $province_name ($province)"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["xiaoqi>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8"]

# xiaoqi finds its plugins through this entry-point group; the name on the left is the plugin's
# name in `xiaoqi plugins`, XIAOQI_PLUGINS and XIAOQI_DISABLE_PLUGINS.
[project.entry-points.xiaoqi]
$entry_point = "$module"

[tool.setuptools]
packages = ["$module"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

README = '''\
# $name

A [xiaoqi](https://pypi.org/project/xiaoqi/) plugin with the internship rules of $province_name
(region code $province).

- rule `$rule_id`: an on-post internship (岗位实习) of a school in $province_name names its
  enterprise mentor (企业指导人员);
- parameter override: `INT-DURATION` `max_months` is 5 for schools in $province_name from
  2026-01-01 (the national default is 6).

- command `xiaoqi $command missing-mentors`: the internships that rule reports, as a list or
  `--format json` (declared in `$module/__init__.py`, its code in `$module/commands.py`, imported
  only when it runs).

Change the rule and the override to what your province's documents say: `$module/__init__.py`.

```sh
pip install -e '.[test]'    # beside xiaoqi
pytest                      # the plugin's own tests
xiaoqi plugins              # lists $entry_point
xiaoqi check --explain $rule_id
xiaoqi $command missing-mentors
```

How to add tables, import kinds, commands and TUI panels: docs/plugins.md and docs/tutorial.md in
the xiaoqi repository.
'''

MODULE = '''\
"""$name: internship rules of $province_name ($province) for xiaoqi.

xiaoqi loads this module through the ``xiaoqi`` entry point in pyproject.toml and calls the
functions marked ``@hookimpl`` (see docs/plugins.md for every hook).
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core import hookimpl
from xiaoqi.core.commands import CommandEntry
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import ParamValue, Rule

__version__ = "0.1.0"

#: the province this plugin is about (GB/T 2260, first two digits of a region code)
PROVINCE = "$province"
RULE_ID = "$rule_id"

catalogue(
    {
        "$key.mentor.message": (
            "岗位实习（{start} 开始）未填写企业指导人员",
            "the on-post internship starting {start} names no enterprise mentor",
        ),
    }
)


def _mentor_missing(ctx):
    """Every on-post internship of a school in the province with no enterprise mentor: one query
    over the internships in scope (``i``, with school ``s`` and enterprise ``e``) the rule applies to."""
    rows = ctx.internship_rows("i.enterprise_mentor IS NULL OR i.enterprise_mentor = ''", kinds=["岗位实习"])
    for row in rows:
        yield ctx.internship_finding(row, t("$key.mentor.message", start=str(row["start_on"])[:10]))


MENTOR_RULE = Rule(
    id=RULE_ID,
    severity="error",
    title=("岗位实习须明确企业指导人员", "An on-post internship names its enterprise mentor"),
    requirement=("本省学校的岗位实习须填写企业指导人员（企业导师）",
                 "an on-post internship of a school in the province names its enterprise mentor"),
    source="$name",
    province=PROVINCE,
    evaluate=_mentor_missing,
)


@hookimpl
def xiaoqi_register_rules():
    return [MENTOR_RULE]


@hookimpl
def xiaoqi_register_commands():
    # `xiaoqi --help` lists the command from this declaration; commands.py is imported only when
    # `xiaoqi $command ...` runs
    return [CommandEntry("$command", ("$province_name地区插件", "the $name plugin"), "$module.commands:plugin_group")]


@hookimpl
def xiaoqi_rule_params():
    # From 2026-01-01 an on-post internship of a school in the province lasts at most 5 months
    # (the national default is 6). A value for a region beats the national one; among values for
    # the same region the latest valid_from on or before the internship's start applies.
    return [ParamValue("INT-DURATION", "max_months", 5, region=PROVINCE, valid_from=dt.date(2026, 1, 1))]
'''

COMMANDS = '''\
"""``xiaoqi $command missing-mentors``: the on-post internships that $rule_id reports, for the
office that must add the mentors. It runs the rule (no second copy of its SQL)."""

import click

from xiaoqi.core.cli import emit_json, format_option, group, pass_app
from xiaoqi.core.i18n import catalogue, t

from . import RULE_ID

catalogue(
    {
        "$key.missing.header": ("尚未填写企业指导人员的岗位实习：{n} 条", "On-post internships naming no enterprise mentor: {n}"),
    }
)


@group("$command")  # its help is the CommandEntry's, in the language of --lang
def plugin_group():
    pass


@plugin_group.command("missing-mentors", help=("尚未填写企业指导人员的岗位实习", "on-post internships that name no enterprise mentor"))
@format_option
@pass_app
def missing_mentors(app, fmt):
    from xiaoqi.core.rules import run_check

    school = app.actor.code if app.actor.role == "school" else None  # a school sees its own
    result = run_check(app.engine(), rules=[RULE_ID], school=school, config=app.config())
    keys = [f.subject_key for f in result.findings]
    if fmt == "json":
        emit_json(keys)
        return
    click.echo(t("$key.missing.header", n=len(keys)))
    for key in keys:
        click.echo(f"  {key}")
'''

CONFTEST = '''\
"""The plugin under test: registered on ``xiaoqi_plugin_manager``, and its tables (if it ever owns
some) are in every test database. The fixtures come from ``xiaoqi.testing`` (installed with xiaoqi)."""

import pytest


@pytest.fixture(scope="session")
def xiaoqi_plugins():
    import $module

    return [$module]


@pytest.fixture(autouse=True)
def _plugin_loaded(xiaoqi_plugin_manager):
    """Every test runs with the built-in plugins and this one (and no other installed plugin)."""
    return xiaoqi_plugin_manager
'''

TESTS = '''\
"""The plugin's rule and parameter override, checked through the ``xiaoqi`` CLI on a fresh database."""

import datetime as dt

from $module import PROVINCE, RULE_ID

CITY = "$city"          # a region code in the province
ELSEWHERE = "$other_city"   # a region code outside it


def findings(xiaoqi_cli, rule):
    result = xiaoqi_cli("check", "--format", "json", "--rule", rule)
    assert result.exit_code in (0, 1), result.stderr
    return result.json["findings"]


def test_the_plugin_is_loaded(xiaoqi_cli):
    result = xiaoqi_cli("plugins", "--format", "json")
    assert result.exit_code == 0, result.stderr
    hooks = {p["name"]: p["hooks"] for p in result.json}["$module"]
    assert hooks == ["xiaoqi_register_commands", "xiaoqi_register_rules", "xiaoqi_rule_params"]


def test_a_missing_mentor_is_reported_in_the_province_only(xiaoqi_factory, xiaoqi_cli):
    xiaoqi_factory.region = CITY
    named = xiaoqi_factory.internship()
    missing = xiaoqi_factory.internship(student=xiaoqi_factory.student(), enterprise_mentor=None)
    xiaoqi_factory.region = ELSEWHERE
    xiaoqi_factory.school()
    elsewhere = xiaoqi_factory.internship(student=xiaoqi_factory.student(), enterprise_mentor=None)
    reported = {f["subject_key"] for f in findings(xiaoqi_cli, RULE_ID)}
    assert reported == {f"{missing.id_number}/{missing.uscc}/{missing.start_on}"}
    assert not {f"{i.id_number}/{i.uscc}/{i.start_on}" for i in (named, elsewhere)} & reported


def test_the_duration_override_applies_from_its_date_in_the_province(xiaoqi_factory, xiaoqi_cli):
    # the factory's internships last six months: 2026-03-01 to 2026-08-31
    xiaoqi_factory.region = CITY
    before = xiaoqi_factory.internship(start_on=dt.date(2025, 3, 1))
    after = xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on=dt.date(2026, 3, 1))
    xiaoqi_factory.region = ELSEWHERE
    xiaoqi_factory.school()
    other = xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on=dt.date(2026, 3, 1))
    reported = {f["subject_key"] for f in findings(xiaoqi_cli, "INT-DURATION")}
    assert reported == {f"{after.id_number}/{after.uscc}/{after.start_on}"}
    assert PROVINCE == CITY[:2] and before.start_on < dt.date(2026, 1, 1) and other.school_code[1:3] != PROVINCE


def test_the_command_lists_what_the_rule_reports(xiaoqi_factory, xiaoqi_cli):
    xiaoqi_factory.region = CITY
    xiaoqi_factory.internship()
    missing = xiaoqi_factory.internship(student=xiaoqi_factory.student(), enterprise_mentor=None)
    result = xiaoqi_cli("$command", "missing-mentors", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json == [f"{missing.id_number}/{missing.uscc}/{missing.start_on}"]
    listed = xiaoqi_cli("--lang", "en", "--help")
    assert "$command" in listed.output and "the $name plugin" in listed.output
'''

TEMPLATES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "{module}/__init__.py": MODULE,
    "{module}/commands.py": COMMANDS,
    "tests/conftest.py": CONFTEST,
    "tests/test_{entry_point}.py": TESTS,
}
