"""``xiaoqi plugin new``: the scaffold installs into a fresh venv beside xiaoqi, is found through its
entry point, and its own test suite passes right after creation; bad names and places are refused."""

from __future__ import annotations

import json
import sys
import tomllib

import pytest

from .venvs import make_venv, pip_install, run, xiaoqi


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory):
    """``xiaoqi plugin new xiaoqi-demo-region`` in a temporary directory, installed into a fresh venv."""
    tmp = tmp_path_factory.mktemp("scaffold")
    made = run(sys.executable, "-m", "xiaoqi.core.cli", "plugin", "new", "xiaoqi-demo-region", "--province", "46",
               "--dir", str(tmp))
    assert made.returncode == 0, made.stderr
    package = tmp / "xiaoqi-demo-region"
    files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    py = make_venv(tmp / "venv")
    pip_install(py, package)
    return package, py, made.stdout, files


@pytest.mark.xdist_group("venv")
def test_plugin_new_writes_an_installable_package(scaffold):
    package, py, output, files = scaffold
    assert files == [
        "README.md", "pyproject.toml", "tests/conftest.py", "tests/test_demo_region.py", "xiaoqi_demo_region/__init__.py",
        "xiaoqi_demo_region/commands.py",
    ]
    meta = tomllib.loads((package / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["xiaoqi"] == {"demo_region": "xiaoqi_demo_region"}
    assert "已创建插件包" in output and "pip install -e '.[test]'" in output and "DEMO-REGION-MENTOR" in output
    listed = xiaoqi(py, "plugins", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    plugin = {p["name"]: p for p in json.loads(listed.stdout)}["demo_region"]
    assert plugin == {"name": "demo_region", "version": "0.1.0", "builtin": False,
                      "hooks": ["xiaoqi_register_commands", "xiaoqi_register_rules", "xiaoqi_rule_params"]}
    explained = xiaoqi(py, "check", "--explain", "DEMO-REGION-MENTOR", "--format", "json")
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["province"] == "46"


@pytest.mark.xdist_group("venv")
def test_plugin_new_package_passes_its_own_tests(scaffold):
    package, py, _, _ = scaffold
    result = run(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", cwd=package)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout


def test_plugin_new_refuses_bad_names_and_places(tmp_path):
    from click.testing import CliRunner

    from xiaoqi.core.cli import cli

    def new(*args, lang="zh"):
        return CliRunner().invoke(cli, ["--lang", lang, "plugin", "new", *args])

    bad = new("Xiaoqi Hainan", "--dir", str(tmp_path))
    assert bad.exit_code == 2
    assert "插件名「Xiaoqi Hainan」无效：只能使用小写字母、数字和连字符" in bad.stderr and "例如 xiaoqi-hainan" in bad.stderr
    for name in ("-hainan", "hainan-", "9hainan", "xiaoqi--hainan", "x" * 61):
        assert new(name, "--dir", str(tmp_path)).exit_code == 2, name
    clash = new("json", "--province", "46", "--dir", str(tmp_path), lang="en")
    assert clash.exit_code == 2 and "would clash with the existing Python module 'json'" in clash.stderr
    assert new("xiaoqi", "--province", "46", "--dir", str(tmp_path)).exit_code == 2
    province = new("xiaoqi-hainan", "--province", "99", "--dir", str(tmp_path))
    assert province.exit_code == 2 and "省份代码「99」无效" in province.stderr
    unnamed = new("xiaoqi-hainan", "--dir", str(tmp_path))
    assert (unnamed.exit_code, unnamed.stderr) == (2, "错误：请用 --province 指定插件所属省份的两位行政区划代码，"
                                                      "例如：xiaoqi plugin new xiaoqi-hainan --province 33（浙江）。\n")
    missing = new("xiaoqi-hainan", "--province", "46", "--dir", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "目录不存在" in missing.stderr
    assert list(tmp_path.iterdir()) == []
    made = new("xiaoqi-hainan", "--province", "46", "--dir", str(tmp_path))
    assert made.exit_code == 0, made.output
    readme = (tmp_path / "xiaoqi-hainan" / "README.md").read_text()
    again = new("xiaoqi-hainan", "--province", "46", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "已存在" in again.stderr and "不会被覆盖" in again.stderr
    assert (tmp_path / "xiaoqi-hainan" / "README.md").read_text() == readme


def test_plugin_new_follows_the_province(tmp_path):
    from xiaoqi.core.commands.plugin_new import render, validate

    files = render(validate("xiaoqi-zhejiang-ningbo", "33"))
    module = files["xiaoqi_zhejiang_ningbo/__init__.py"]
    assert 'PROVINCE = "33"' in module and 'RULE_ID = "ZHEJIANG-NINGBO-MENTOR"' in module
    assert 'CITY = "330100"' in files["tests/test_zhejiang_ningbo.py"]
    compile(module, "module", "exec")
    assert 'CommandEntry("zhejiang-ningbo", ("浙江地区插件", "the xiaoqi-zhejiang-ningbo plugin")' in module
    compile(files["xiaoqi_zhejiang_ningbo/commands.py"], "commands", "exec")
    compile(files["tests/test_zhejiang_ningbo.py"], "tests", "exec")
