"""README's "Everyday use" block works as written: every command in it, in its order, against a
fresh demo database (the codes in it are the demo's), through click's runner in a fresh folder. Each
must exit 0 (or 1 where the README says so) and print, or write, what its comment says."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_EXAMPLE = "postgresql+psycopg://user@host/xiaoqi"


def everyday_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Everyday use\n+```bash\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no ```bash block under '## Everyday use'"
    return [line for line in block.group(1).splitlines() if line.strip()]


def split(line: str) -> tuple[list[str], str]:
    """The command's words and its comment (after `` # ``)."""
    parts = re.split(r"\s+#\s", line, maxsplit=1)
    return shlex.split(parts[0]), (parts[1].strip() if len(parts) > 1 else "")


def command_words(args: list[str]) -> list[str]:
    """The sub-command and its arguments: the global options (--db X, --as X, --lang X) left out."""
    out, i = [], 1
    while i < len(args):
        if args[i] in ("--db", "--as", "--lang", "--config"):
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def rows_of_csv(stdout: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(stdout)))


# What each line must print (or write), keyed by a pattern of its sub-command; a README line that
# none matches fails the test: say here what it must do. `exit` lists the codes the README allows.
EXPECT: list[tuple[str, dict]] = [
    (r"^init$", {"says": ["数据库已就绪"]}),
    (r"^demo ", {"says": ["演示数据已写入"]}),
    (r"^status$", {"says": ["记录数", "实习"]}),
    (r"^tui --open internships$", {"says": ["数据库概况"]}),  # no terminal here: the summary instead
    (r"^records list internships --filter school_code=(\d+)$", {"rows_have": 1}),
    (r"^records list internships --search (\S+) --sort student_name --format csv$", {"csv_student": 1}),
    (r"^records show students (\d{17}[\dX])$", {"says": ["学生 ", "实习（", "被保险人清单"]}),
    (r"^check$", {"exit": (0, 1), "says": ["合规检查"]}),
    (r"^check --format json --rule (\S+) --school (\d+)$", {"exit": (0, 1), "json_check": True}),
    (r"^check --as-of (\S+)$", {"exit": (0, 1), "says_group": "检查日期：{0}"}),
    (r"^check --explain (\S+) --region \d+$", {"says_group": "【{0}】"}),
    (r"^template \S+ -o (\S+)$", {"writes": 1}),
    (r"^export \S+ (--reveal )?-o (\S+)$", {"writes": 2, "says": ["已导出"]}),
    (r"^import \S+ \S+ --dry-run$", {"says": ["数据库未被修改"]}),
    (r"^import \S+ \S+ --errors (\S+)$", {"says": ["有误 0"]}),
    (r"^import students \S+ --sheet \S+$", {"says": ["有误 0"]}),
    (r"^quota show --format json$", {"json_keys": ["positions"]}),
    (r"^quota reserve ", {"says": ["已预留"]}),
    (r"^luban summary$", {"says": ["鲁班工坊"]}),
    (r"^report annual --year \d+ -o (\S+)$", {"writes": 1}),
    (r"^plugins$", {"says": ["已加载", "xiaoqi.plugins.national"]}),
    (r"^plugin new (\S+) --province \d+ --dir \.$", {"makes_dir": 1}),
]
EXPECT_EN = {r"^status$": {"says": ["Records:", "internships"]}}


def test_every_everyday_command_of_the_readme_runs_as_written(tmp_path, monkeypatch):
    lines = everyday_lines()
    assert any("exit 1 on errors" in line for line in lines if " check " in f" {line} ")  # where exit 1 is allowed
    from click.testing import CliRunner

    from xiaoqi.core.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XIAOQI_DB", raising=False)
    pg_url = None
    for line in lines:
        args, _comment = split(line)
        assert args[0] == "xiaoqi", line
        if any(PG_EXAMPLE in a for a in args):
            pg_url = pg_url or pg_database()
            if pg_url is None:
                continue  # no server here (skipped above unless CI=true)
            args = [a.replace(PG_EXAMPLE, pg_url) for a in args]
        words = command_words(args)
        sub = " ".join(words)
        lang_en = "--lang" in args and args[args.index("--lang") + 1] == "en"
        table = dict(EXPECT)
        if lang_en:
            table.update(EXPECT_EN)
        matched = [(pat, exp) for pat, exp in table.items() if re.search(pat, sub)]
        assert matched, f"README line without an expectation in this test: {line!r} (add one to EXPECT)"
        pattern, expect = matched[0]
        groups = re.search(pattern, sub).groups()
        argv = [os.path.expanduser(a) if a.startswith("~") else a for a in args[1:]]
        result = CliRunner().invoke(cli, argv)
        said = result.output
        where = f"{line}\n-- exit {result.exit_code}, printed:\n{said[-3000:]}"
        assert result.exit_code in expect.get("exit", (0,)), where
        assert result.exception is None or isinstance(result.exception, SystemExit), (where, result.exc_info)
        for phrase in expect.get("says", []):
            assert phrase in said, f"{phrase!r} missing: {where}"
        if "says_group" in expect:
            assert expect["says_group"].format(*groups) in said, where
        if "writes" in expect:
            out = tmp_path / groups[expect["writes"] - 1]
            assert out.is_file() and out.stat().st_size > 0, where
        if "makes_dir" in expect:
            assert (tmp_path / groups[0] / "pyproject.toml").is_file(), where
        if "rows_have" in expect:
            code = groups[0]
            body = [r for r in result.stdout.splitlines()[2:] if r.strip()]
            assert body and all(code in r for r in body), where
        if "csv_student" in expect:
            rows = rows_of_csv(result.stdout)
            assert rows and all(r["学生姓名"] == groups[0] for r in rows), where
        if expect.get("json_check"):
            data = json.loads(result.stdout)
            assert data["school"] == groups[1], where
            assert {f["rule"] for f in data["findings"]} <= {groups[0]}, where
        if "json_keys" in expect:
            data = json.loads(result.stdout)
            assert all(k in data for k in expect["json_keys"]), where


_pg = {}


def pg_database() -> str | None:
    """A new, empty database on the test server for README's PostgreSQL line (None: no server)."""
    from xiaoqi.testing import PgDatabases, pg_available, pg_server_url

    server = pg_server_url()
    reason = pg_available(server)
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {server}: {reason}")
        return None
    dbs = PgDatabases(server)
    _pg["dbs"] = dbs
    url = dbs.create(migrated=False)
    _pg["url"] = url
    return url


@pytest.fixture(autouse=True)
def _drop_pg_database():
    yield
    dbs = _pg.pop("dbs", None)
    if dbs is not None:
        dbs.drop(_pg.pop("url"))
        dbs.close()
