"""``xiaoqi.testing`` is loaded (``pytest11``) in every project installed beside xiaoqi: it adds its
fixtures and its ``--xiaoqi-pg`` option, and nothing that changes another project's run."""

import os
import subprocess
import sys
import textwrap

CONFTEST = '''
import pytest

def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="the foreign project's own option")

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: the foreign project's own marker")
'''

TESTS = '''
import pytest

def test_fast():
    pass

@pytest.mark.slow
def test_slow(request):
    assert request.config.getoption("--run-slow") is False
'''


def run_pytest(project, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIAOQI_", "PYTEST_"))}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                            cwd=project, capture_output=True, text=True, env=env)
    return result.returncode, result.stdout.strip().splitlines()[-1]


def test_a_foreign_project_runs_as_if_xiaoqi_were_absent(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_foreign.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    with_xiaoqi = run_pytest(tmp_path)
    without = run_pytest(tmp_path, "-p", "no:xiaoqi")
    assert with_xiaoqi[0] == 0 and with_xiaoqi[1].startswith("2 passed")
    assert with_xiaoqi[1].split(" in ")[0] == without[1].split(" in ")[0]


def test_the_fixtures_are_there_for_plugin_authors(tmp_path):
    (tmp_path / "test_uses_fixtures.py").write_text(textwrap.dedent('''
        def test_cli(xiaoqi_cli, xiaoqi_factory):
            xiaoqi_factory.school()
            assert xiaoqi_cli("records", "list", "schools", "--format", "json").exit_code == 0
    '''))
    code, last = run_pytest(tmp_path)
    assert code == 0 and last.startswith("1 passed"), last
