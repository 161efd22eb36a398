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


PG_PROJECT = '''
import pytest
import sqlalchemy as sa


@pytest.fixture(scope="session")
def xiaoqi_pg_prefix():
    return "surface_foreign"


@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_on_postgresql(xiaoqi_db_url, xiaoqi_factory):
    name = sa.engine.make_url(xiaoqi_db_url).database
    assert name.startswith("surface_foreign_"), name
    xiaoqi_factory.school()
    print("DATABASE", name)
'''


def test_a_plugin_names_its_postgresql_databases_and_xiaoqi_test_pg_names_the_server(tmp_path):
    """``xiaoqi_pg_prefix`` names the databases a plugin's tests create (none is left behind);
    ``XIAOQI_TEST_PG`` is the server they are created on: a server that does not answer skips the
    test with its address (outside CI)."""
    import sqlalchemy as sa

    from xiaoqi.testing import require_pg

    server = require_pg()
    (tmp_path / "test_pg.py").write_text(textwrap.dedent(PG_PROJECT))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIAOQI_", "PYTEST_")) and k != "CI"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"], cwd=tmp_path,
                            capture_output=True, text=True, env={**env, "XIAOQI_TEST_PG": server})
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    admin = sa.create_engine(server)
    with admin.connect() as conn:
        left = conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'surface_foreign%'")).scalars().all()
    admin.dispose()
    assert left == []
    nobody = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"], cwd=tmp_path,
                            capture_output=True, text=True, env={**env, "XIAOQI_TEST_PG": nobody})
    assert result.returncode == 0 and "1 skipped" in result.stdout, result.stdout + result.stderr
    assert "127.0.0.1" in result.stdout and "port 1" in result.stdout, result.stdout
