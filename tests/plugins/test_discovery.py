"""Plugin discovery through a real entry point: a small distribution is pip-installed into a
temporary virtual environment beside xiaoqi, and the CLI there finds, lists, traces and limits it."""

import json
import textwrap

import pytest

from .venvs import make_venv, pip_install, xiaoqi

PLUGIN = '''
import click
from xiaoqi.core import hookimpl

__version__ = "1.2.3"


@hookimpl
def xiaoqi_register_commands(cli):
    @cli.command("hello-region")
    def hello():
        """A command contributed by a third-party plugin."""
        click.echo("你好，插件")


@hookimpl
def xiaoqi_record_changed(session, actor, kind, action, key, before, after):
    pass
'''


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("discovery")
    dist = tmp / "xiaoqi-test-region"
    dist.mkdir()
    (dist / "xiaoqi_test_region.py").write_text(PLUGIN)
    (dist / "pyproject.toml").write_text(textwrap.dedent('''
        [build-system]
        requires = ["setuptools>=69"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "xiaoqi-test-region"
        version = "1.2.3"

        [project.entry-points.xiaoqi]
        test_region = "xiaoqi_test_region"

        [tool.setuptools]
        py-modules = ["xiaoqi_test_region"]
    '''))
    py = make_venv(tmp / "venv")
    pip_install(py, dist)
    return py


def run(py, *args, **env):
    return xiaoqi(py, *args, **env)


@pytest.mark.xdist_group("venv")
def test_entry_point_plugin_is_found_and_listed(plugin_venv):
    result = run(plugin_venv, "plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["test_region"] == {
        "name": "test_region", "version": "1.2.3", "builtin": False,
        "hooks": ["xiaoqi_record_changed", "xiaoqi_register_commands"],
    }
    assert infos["xiaoqi.plugins.national"]["builtin"] is True
    hello = run(plugin_venv, "hello-region")
    assert hello.returncode == 0 and hello.stdout.strip() == "你好，插件"


@pytest.mark.xdist_group("venv")
def test_xiaoqi_plugins_limits_and_disable_switches_off(plugin_venv):
    names = {p["name"] for p in json.loads(run(plugin_venv, "plugins", "--format", "json", XIAOQI_PLUGINS="other").stdout)}
    assert "test_region" not in names and "xiaoqi.plugins.national" in names
    names = {p["name"] for p in json.loads(run(plugin_venv, "plugins", "--format", "json", XIAOQI_DISABLE_PLUGINS="test_region").stdout)}
    assert "test_region" not in names


@pytest.mark.xdist_group("venv")
def test_trace_plugins_prints_hook_calls(plugin_venv):
    result = run(plugin_venv, "hello-region", XIAOQI_TRACE_PLUGINS="1")
    assert "[xiaoqi plugins] xiaoqi_register_commands(cli) -> " in result.stderr
    assert "test_region" in result.stderr
    assert result.stdout.strip() == "你好，插件"
