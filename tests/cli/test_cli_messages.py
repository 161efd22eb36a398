"""Help and messages a user meets first (issue 19.7): the KIND choices in help, hook summaries in
full, --open by a kind's Chinese name, PostgreSQL connection failures with their remedy."""

import uuid

import pytest
from click.testing import CliRunner

from xiaoqi.core.cli import cli
from xiaoqi.core.db import connect_failure


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", ["import", "export", "template"])
def test_kind_choices_are_listed_in_help(command):
    """Every record kind loaded (plugins' too) in the help of import, export and template, its
    Chinese name beside the English in both languages, each on one line (click wraps a run of
    Chinese text anywhere: `te` / `achers` was the result before)."""
    from xiaoqi.core.kinds import get_kinds

    kinds = list(get_kinds().values())
    assert {"tch_practice", "ic_colleges", "luban_workshops"} <= {k.name for k in kinds}
    chinese = invoke(command, "--help").stdout
    english = invoke("--lang", "en", command, "--help").stdout
    assert "数据类型（英文名或中文名均可）：" in chinese and "the record kind, by its English or Chinese name:" in english
    for kind in kinds:
        assert any(f"{kind.name}（{kind.zh}）" in line for line in chinese.splitlines()), kind.name
        assert any(f"{kind.name} ({kind.zh})" in line for line in english.splitlines()), kind.name
    from xiaoqi.core.clikit import cells

    listing = [line for line in chinese.splitlines() if any(f"{k.name}（" in line for k in kinds)]
    assert listing and max(cells(line) for line in listing) <= 80  # 80 terminal columns


def test_hook_summaries_are_whole_sentences():
    from xiaoqi.core.commands.plugins_cmd import hookspec_summaries

    summaries = {s["name"]: s["summary"] for s in hookspec_summaries()}
    assert summaries["xiaoqi_report_sections"] == (
        "Sections of the annual report (``xiaoqi.core.report.ReportSection``) for a year, limited to "
        "``school_code`` when given and to what ``actor`` may see.")
    assert all(s.endswith((".", ")")) for s in summaries.values()), summaries
    shown = invoke("plugins", "--hooks").stdout
    assert "limited to ``school_code`` when given and to what ``actor`` may see." in shown


@pytest.mark.parametrize("name", ["实习", "internships"])
def test_open_takes_the_names_that_import_takes(demo_db, name):
    url, _ = demo_db
    result = invoke("--db", url, "tui", "--open", name)  # no terminal here: the summary instead
    assert result.exit_code == 0 and "今日在岗实习" in result.stdout


def test_open_an_unknown_screen_lists_the_names(demo_db):
    url, _ = demo_db
    result = invoke("--db", url, "tui", "--open", "实习生")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：没有名为「实习生」的界面。可用：dashboard, ")


@pytest.fixture
def server():
    from xiaoqi.testing import require_pg

    return require_pg()


def test_a_missing_postgresql_database_says_how_to_create_it(server):
    name = f"xiaoqi_absent_{uuid.uuid4().hex[:10]}"
    url = server.rsplit("/", 1)[0] + f"/{name}"
    result = invoke("--db", url, "status")
    assert result.exit_code == 1
    assert result.stderr == (f"错误：PostgreSQL 服务器 127.0.0.1:5432 上没有数据库 {name}。请先创建它："
                             f"createdb -h 127.0.0.1 -p 5432 -U postgres {name}，然后运行 xiaoqi --db {url} init\n")
    english = invoke("--lang", "en", "--db", url, "init")
    assert english.stderr == (f"Error: The PostgreSQL server 127.0.0.1:5432 has no database {name}. Create it first: "
                              f"createdb -h 127.0.0.1 -p 5432 -U postgres {name}, then run: xiaoqi --db {url} init\n")


def test_a_refused_connection_says_to_start_the_server():
    result = invoke("--db", "postgresql+psycopg://postgres@127.0.0.1:9/xiaoqi", "status")
    assert (result.exit_code, result.stderr) == (1, (
        "错误：无法连接 PostgreSQL 服务器 127.0.0.1:9（连接被拒绝）。请确认服务器已启动并在该地址和端口监听"
        "（例如 systemctl start postgresql），或检查 --db 中的主机和端口。\n"))


def test_an_unknown_user_says_how_to_create_it(server):
    user = f"xiaoqi_nobody_{uuid.uuid4().hex[:10]}"
    result = invoke("--db", f"postgresql+psycopg://{user}@127.0.0.1:5432/postgres", "status")
    assert (result.exit_code, result.stderr) == (1, (
        f"错误：PostgreSQL 服务器 127.0.0.1:5432 上没有用户 {user}。请在 --db 中使用已有的用户；为办公室开设 xiaoqi 登录，"
        f"由数据库所有者运行：xiaoqi --db postgresql+psycopg://所有者@127.0.0.1:5432/postgres users add {user} --actor school:学校代码；"
        f"其他用途的用户请管理员创建：createuser -h 127.0.0.1 -p 5432 -U postgres {user}\n"))
    english = invoke("--lang", "en", "--db", f"postgresql+psycopg://{user}@127.0.0.1:5432/postgres", "status")
    assert f"users add {user} --actor school:CODE" in english.stderr and "role" not in english.stderr


def test_a_failed_login_says_where_the_password_goes():
    # the server here trusts local logins, so this is libpq's text for a refused password
    message = ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  '
               'password authentication failed for user "clerk"')
    assert connect_failure("postgresql+psycopg://clerk:secret@10.0.0.5:5433/xiaoqi", message) == (
        "用户 clerk 登录 PostgreSQL 服务器 10.0.0.5:5433 失败：密码错误或未提供密码。"
        "请在 --db 中写明密码（postgresql+psycopg://clerk:密码@10.0.0.5:5433/xiaoqi），或保存在 ~/.pgpass 中。")
    assert "secret" not in connect_failure("postgresql+psycopg://clerk:secret@10.0.0.5:5433/xiaoqi", "something else")
