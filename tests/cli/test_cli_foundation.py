"""The CLI contract: global options, exit codes, messages in Chinese and English, init/demo/db/plugins/status/backup/records."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from xiaoqi import __version__
from xiaoqi.core.cli import cli
from xiaoqi.core.migrate import core_head


def invoke(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kw)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"xiaoqi, version {__version__}"


def test_init_demo_plugins_current(tmp_path):
    db = tmp_path / "x.db"
    result = invoke("--db", db, "init")
    assert result.exit_code == 0 and "数据库已就绪" in result.stdout and core_head() in result.stdout
    result = invoke("--db", db, "demo", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "演示数据已写入" in result.stdout
    result = invoke("--db", db, "plugins")
    assert result.exit_code == 0 and "xiaoqi.plugins.national" in result.stdout
    result = invoke("--db", db, "db", "current")
    assert result.exit_code == 0 and "（最新）" in result.stdout
    again = invoke("--db", db, "demo")
    assert again.exit_code == 1 and "已有数据" in again.stderr


def test_demo_creates_a_missing_database(tmp_path):
    db = tmp_path / "new.db"
    result = invoke("--db", db, "demo")
    assert result.exit_code == 0
    status = invoke("--db", db, "status", "--format", "json")
    data = json.loads(status.stdout)
    assert data["counts"]["schools"] == 8 and data["counts"]["internships"] > 900


def test_db_upgrade_is_idempotent(tmp_path):
    db = tmp_path / "x.db"
    invoke("--db", db, "init")
    result = invoke("--db", db, "db", "upgrade")
    head = core_head()
    assert result.exit_code == 0 and f"{head}, " in result.stdout and f"→ {head}, " in result.stdout


@pytest.mark.parametrize("args,code,text", [
    (["status"], 1, "数据库不存在"),
    (["db", "current"], 1, "数据库不存在"),
    (["db", "upgrade"], 1, "数据库不存在"),
])
def test_missing_database_says_how_to_create_it(tmp_path, args, code, text):
    result = invoke("--db", tmp_path / "none.db", *args)
    assert result.exit_code == code
    assert text in result.stderr and "init" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_not_a_database_file(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("这不是数据库")
    result = invoke("--db", bad, "status")
    assert result.exit_code == 1 and "不是 SQLite 数据库文件" in result.stderr


def test_directory_missing(tmp_path):
    result = invoke("--db", tmp_path / "nodir" / "x.db", "init")
    assert result.exit_code == 1 and "目录不存在" in result.stderr


def test_uninitialised_database(tmp_path):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    result = invoke("--db", db, "status")
    assert result.exit_code == 1 and "尚未初始化" in result.stderr and "xiaoqi --db" in result.stderr


def test_clicks_own_usage_messages_speak_the_users_language():
    """A mistyped option, a missing one, a bad value, an unknown command, the help headings: in
    Chinese by default, in English with --lang en given anywhere before them (or XIAOQI_LANG)."""
    unknown = invoke("--nosuch")
    assert unknown.exit_code == 2 and "错误：没有选项 '--nosuch'。" in unknown.stderr and "用法：" in unknown.stderr
    assert "Error: No such option '--nosuch'." in invoke("--lang", "en", "--nosuch").stderr
    assert "Error: No such option" in invoke("--lang=en", "--nosuch").stderr
    missing = invoke("report", "annual")
    assert missing.exit_code == 2 and "缺少选项 '--year'" in missing.stderr
    assert "'--year' 的值无效：1990 不在范围 2000<=x<=2100 内。" in invoke("report", "annual", "--year", "1990").stderr
    choice = invoke("export", "schools", "--format", "doc")
    assert "'--format' 的值无效：'doc' 不是可选值，应为：'csv', 'xlsx', 'json'。" in choice.stderr
    typo = invoke("exprt")
    assert "没有命令 'exprt'。" in typo.stderr and "您是否想用：'export'" in typo.stderr
    assert "Missing option '--year'" in invoke("--lang", "en", "report", "annual").stderr
    helped = invoke("--help").output
    assert "用法：" in helped and "选项" in helped and "命令" in helped and "显示本帮助并退出。" in helped
    assert "Options:" in invoke("--lang", "en", "--help").output
    assert invoke("--version").output.startswith("xiaoqi, version ")  # scripts read it as click writes it


def test_bad_actor_is_a_usage_error():
    result = invoke("--as", "teacher:1", "plugins")
    assert result.exit_code == 2 and "无法识别的身份" in result.stderr


def test_bad_actor_code_is_a_usage_error():
    result = invoke("--as", "school:123", "plugins")
    assert result.exit_code == 2 and "10位数字" in result.stderr


def test_english_messages(tmp_path):
    result = invoke("--lang", "en", "--db", tmp_path / "none.db", "status")
    assert result.exit_code == 1 and result.stderr.startswith("Error: No database at")
    # the language does not leak into the next command
    result = invoke("--db", tmp_path / "none.db", "status")
    assert result.stderr.startswith("错误：数据库不存在")


def test_plugins_json_and_hooks():
    data = json.loads(invoke("plugins", "--format", "json").stdout)
    assert any(p["name"] == "xiaoqi.plugins.national" and p["builtin"] for p in data)
    hooks = json.loads(invoke("plugins", "--hooks", "--format", "json").stdout)
    names = {h["name"] for h in hooks}
    assert {"xiaoqi_register_rules", "xiaoqi_rule_params", "xiaoqi_record_changed", "xiaoqi_register_commands"} <= names
    assert all(h["summary"] for h in hooks)


@pytest.fixture
def demo_file(tmp_path, demo_db):
    url, _manifest = demo_db
    return url.removeprefix("sqlite:///")


def test_records_as_actors(demo_file):
    schools = json.loads(invoke("--db", demo_file, "records", "list", "schools", "--format", "json").stdout)
    code = schools[0]["school_code"]
    other = schools[1]["school_code"]
    mine = json.loads(invoke("--db", demo_file, "--as", f"school:{code}", "records", "list", "students", "--limit", "500", "--format", "json").stdout)
    assert mine and {s["school_code"] for s in mine} == {code}
    ok = invoke("--db", demo_file, "--as", f"school:{code}", "records", "set", "schools", code, "联系人=王老师")
    assert ok.exit_code == 0 and "已修改学校" in ok.stdout
    refused = invoke("--db", demo_file, "--as", f"school:{code}", "records", "set", "schools", other, "联系人=王老师")
    assert refused.exit_code == 1 and "权限不足" in refused.stderr
    ro = invoke("--db", demo_file, "--as", "auditor", "records", "set", "schools", code, "联系人=x")
    assert ro.exit_code == 1 and "只读" in ro.stderr
    shown = json.loads(invoke("--db", demo_file, "records", "show", "schools", code, "--format", "json").stdout)
    assert shown["contact"] == "王老师"


def test_records_errors(demo_file):
    result = invoke("--db", demo_file, "records", "list", "nosuch")
    assert result.exit_code == 2 and "未知的数据类型" in result.stderr
    result = invoke("--db", demo_file, "records", "add", "schools", "学校代码")
    assert result.exit_code == 2 and "列名=值" in result.stderr
    result = invoke("--db", demo_file, "records", "add", "schools", "学校代码=123", "学校名称=x", "办学层次=大学", "所在地区代码=320100")
    assert result.exit_code == 1 and "10位数字" in result.stderr and "办学层次" in result.stderr


def test_status_text_and_json(demo_file):
    text = invoke("--db", demo_file, "status")
    assert text.exit_code == 0 and "今日在岗实习" in text.stdout
    data = json.loads(invoke("--db", demo_file, "status", "--format", "json").stdout)
    assert len(data["monthly_active"]) == 12


def test_backup_is_a_consistent_copy(demo_file, tmp_path):
    target = tmp_path / "copy.db"
    result = invoke("--db", demo_file, "backup", target)
    assert result.exit_code == 0 and "已备份" in result.stdout
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schools").fetchone()[0] == 8
    again = invoke("--db", demo_file, "backup", target)
    assert again.exit_code == 2 and "文件已存在" in again.stderr


def test_tui_without_a_terminal_prints_the_summary(demo_file):
    result = invoke("--db", demo_file)
    assert result.exit_code == 0
    assert "没有终端" in result.stderr and "今日在岗实习" in result.stdout


def test_tui_open_names_a_screen_or_lists_them(demo_file):
    unknown = invoke("--db", demo_file, "tui", "--open", "nosuch")
    assert unknown.exit_code == 2 and "没有名为「nosuch」的界面" in unknown.stderr
    assert "internships" in unknown.stderr and "compliance" in unknown.stderr and "luban" in unknown.stderr
    known = invoke("--db", demo_file, "tui", "--open", "internships")  # no terminal here: the summary
    assert known.exit_code == 0 and "今日在岗实习" in known.stdout


def test_internal_errors_have_no_traceback(demo_file, monkeypatch):
    import xiaoqi.core.dashboard as dashboard

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")

    # status reads SQLite through sqlite3 (summary_sqlite), other databases through summary
    monkeypatch.setattr(dashboard, "summary", boom)
    monkeypatch.setattr(dashboard, "summary_sqlite", boom)
    result = invoke("--db", demo_file, "status")
    assert result.exit_code == 1
    assert "内部错误" in result.stderr and "Traceback" not in result.output
