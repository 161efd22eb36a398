"""Every option of the CLI that names a file to write (``-o``/``--output``, ``import --errors``)
writes what its extension says or refuses it before reading anything: no workbook under a
``.pdf`` name, no CSV under ``.xlsx``, no file at all when refused."""

from __future__ import annotations

import click
import pytest
import sqlalchemy as sa

from xiaoqi.core.cli import cli

#: the options that name a file a command writes
FILE_OPTIONS = ("-o", "--output", "--errors")


def _commands(group: click.Group, ctx: click.Context, prefix: str = ""):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, click.Context(command, parent=ctx, info_name=name), f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _arguments(url: str) -> dict[str, list[str]]:
    """Per command that writes a file: arguments that make it write one (on the demo database)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        firm = conn.execute(sa.text("SELECT uscc FROM inc_lines GROUP BY uscc ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        student = conn.execute(sa.text("SELECT id_number FROM onex_results LIMIT 1")).scalar_one()
    engine.dispose()
    return {
        "report annual": ["report", "annual", "--year", "2025"],
        "export": ["export", "internships"],
        "template": ["template", "internships"],
        "incentives statement": ["incentives", "statement", "--enterprise", firm, "--year", "2025"],
        "incentives export": ["incentives", "export"],
        "onex account": ["onex", "account", student],
    }


#: per command: the extensions it writes (its refusal names at least the first)
WRITES = {
    "report annual": (".md", ".html", ".xlsx", ".pdf", ".docx"),
    "export": (".csv", ".xlsx", ".json"),
    "template": (".xlsx",),
    "incentives statement": (".md", ".xlsx", ".pdf", ".docx"),
    "incentives export": (".beancount", ".bean"),
    "onex account": (".xlsx", ".json", ".pdf", ".docx"),
}


def test_every_command_that_writes_a_file_is_checked_here():
    found = {path for path, command in _commands(cli, click.Context(cli, info_name="xiaoqi"))
             if any(set(p.opts) & set(FILE_OPTIONS) for p in command.params if isinstance(p, click.Option))}
    assert found == set(WRITES) | {"import"}, "a command writing a file: add it to WRITES and _arguments"


@pytest.mark.parametrize("command", sorted(WRITES))
def test_an_extension_a_command_does_not_write_is_refused_and_nothing_is_written(demo_db, xiaoqi_cli, tmp_path, command):
    url, _ = demo_db
    args = _arguments(url)[command]
    out = tmp_path / "out"
    out.mkdir()
    for name in ("x.odt", "x.doc", "x.pdf" if ".pdf" not in WRITES[command] else "x.xls", "x"):
        result = xiaoqi_cli(*args, "-o", out / name, db=url)
        assert result.exit_code == 2, (command, name, result.stderr)
        assert WRITES[command][0] in result.stderr and "Traceback" not in result.stderr, (command, name, result.stderr)
        assert list(out.iterdir()) == [], (command, name)
    for suffix in WRITES[command]:  # and each extension it names is written
        result = xiaoqi_cli(*args, "-o", out / f"x{suffix}", db=url)
        assert result.exit_code == 0, (command, suffix, result.stderr)
        assert (out / f"x{suffix}").stat().st_size > 0


def test_an_export_whose_format_contradicts_its_file_name_is_refused(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    target = tmp_path / "students.xlsx"
    result = xiaoqi_cli("export", "students", "--format", "csv", "-o", target, db=url)
    assert result.exit_code == 2 and "--format csv 与文件名" in result.stderr and not target.exists()
    english = xiaoqi_cli("--lang", "en", "export", "students", "-o", tmp_path / "students.pdf", db=url)
    assert english.exit_code == 2 and "an export is written as .csv, .xlsx or .json only" in english.stderr


def test_the_import_problem_list_is_a_csv_file_only(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    source = tmp_path / "schools.csv"
    source.write_text("school_code,name,level,region\n4132090001,,高职,320100\n", encoding="utf-8")
    errors = tmp_path / "problems.xlsx"
    result = xiaoqi_cli("import", "schools", source, "--errors", errors)
    assert result.exit_code == 2 and "问题清单只能写成 .csv 文件" in result.stderr and not errors.exists()
    assert xiaoqi_cli("records", "list", "schools", "--format", "json").json == []
