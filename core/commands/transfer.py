"""``xiaoqi import``, ``xiaoqi export`` and ``xiaoqi template``: the files that colleges, enterprises
and authorities exchange (see xiaoqi.core.io)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from ..cli import argument, command, emit_json, option, pass_app
from ..errors import UsageError, XiaoqiError
from ..i18n import catalogue, t
from .records import kind_argument, kind_named

catalogue(
    {
        "import.summary": ("{kind}：{file} 共 {rows} {units}：新建 {created}，修改 {updated}，未变 {unchanged}，有误 {invalid}。",
                           "{kind}: {file}, {rows} {units}: {created} created, {updated} updated, {unchanged} unchanged, {invalid} invalid."),
        "import.summary.unwritten": ("{kind}：{file} 共 {rows} {units}：检查结果为可新建 {created}，可修改 {updated}，未变 {unchanged}，有误 {invalid}（均未写入）。",
                                     "{kind}: {file}, {rows} {units}: would create {created}, update {updated}; {unchanged} unchanged, {invalid} invalid (nothing written)."),
        "import.units.row": ("行", "rows"),
        "import.units.item": ("条", "items"),
        "import.problem.row": ("第 {row} 行", "row {row}"),
        "import.problem.item": ("第 {row} 条", "item {row}"),
        "import.problem": ("{where}  {column}「{value}」：{reason}", "{where}  {column} '{value}': {reason}"),
        "import.problem.nocol": ("{where}  {reason}", "{where}  {reason}"),
        "import.more": ("……另有 {n} 个问题未显示；用 --errors 文件.csv 保存全部问题。", "... and {n} more problems; save them all with --errors FILE.csv."),
        "import.unresolved": ("{n} 处姓名未能对应到名录中的唯一记录，已按文字保留（补填身份证号后重新导入即可对应）：",
                              "{n} names matched no single record of the registry and were kept as text (add the ID numbers and import again to link them):"),
        "import.dry_run": ("（试运行：数据库未被修改。）", "(Dry run: the database was not changed.)"),
        "import.english_row": ("（已跳过模板的英文列名行。）", "(The template's English header row was skipped.)"),
        "import.header_only": ("文件只有表头，没有数据行；没有导入任何记录。", "The file has a header row but no data rows; nothing was imported."),
        "import.rejected": ("未导入任何记录：{n} {units}有误。请改正后重新导入，或用 --skip-invalid 只导入正确的{units}。",
                            "Nothing was imported: {n} {units} invalid. Correct them and import again, or use --skip-invalid to import the valid ones."),
        "import.partial": ("已导入正确的{units}；{n} {units}有误，未导入。", "The valid {units} were imported; {n} invalid {units} were not."),
        "import.errors_written": ("问题清单已写入 {path}", "Problems written to {path}"),
        "import.conflict": ("--dry-run 不写入数据库，不能与 --skip-invalid 同时使用。", "--dry-run writes nothing, so it cannot be combined with --skip-invalid."),
        "import.errors_failed": ("导入已写入数据库（导入批次 {batch}：新建 {created}，修改 {updated}），但问题清单未能写入：{reason}",
                                 "The import was written to the database (import batch {batch}: {created} created, {updated} updated), but the problem list could not be written: {reason}"),
        "import.errors_failed_unwritten": ("数据库未被修改；问题清单也未能写入：{reason}", "The database was not changed; the problem list could not be written either: {reason}"),
        "import.bad_size": ("--max-size：无法识别「{value}」，请写成如 500M、2G 或字节数。", "--max-size: cannot read '{value}'; write e.g. 500M, 2G or a number of bytes."),
        "errors.row": ("行号", "row"),
        "errors.column": ("列", "column"),
        "errors.value": ("值", "value"),
        "errors.reason": ("问题", "problem"),
        "export.done": ("已导出 {n} 条{kind}到 {path}", "Exported {n} {kind} records to {path}"),
        "export.masked": ("身份证号已脱敏（如 110101********1234），此文件不能再导入；需要完整号码请加 --reveal。",
                          "ID numbers are masked (e.g. 110101********1234), so this file cannot be imported back; add --reveal for full numbers."),
        "export.xlsx_stdout": ("Excel 文件不能写到终端：请用 -o 文件.xlsx 指定输出文件。", "An Excel file cannot go to the terminal: name one with -o FILE.xlsx."),
        "export.what": ("导出文件", "an export"),
        "export.suffix_format": ("--format {fmt} 与文件名「{path}」的扩展名不一致。", "--format {fmt} does not match the extension of '{path}'."),
        "import.errors_what": ("问题清单", "the problem list"),
        "template.done": ("已生成{kind}导入模板：{path}", "Wrote the {kind} import template: {path}"),
        "template.suffix": ("模板是 Excel 文件：请给出以 .xlsx 结尾的文件名。", "A template is an Excel file: give a file name ending in .xlsx."),
    }
)

SHOWN_PROBLEMS = 200

IMPORT_HELP = (
    "导入 Excel/CSV/JSON 文件（中文或英文表头）。\n\n所有行都正确才写入（或 --skip-invalid）；按主键更新已有记录，重复导入不会改变数据。",
    "Import a file of KIND records (Chinese or English headers).\n\nNothing is written unless every row is valid "
    "(or --skip-invalid); rows are upserted by key, so importing the same file again changes nothing.",
)


class _Progress:
    """A bar on stderr when stderr is a terminal (the importer reports progress only for large files)."""

    def __init__(self, enabled: bool, label: str):
        self.enabled = enabled
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, position: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(0, position - self.done))
        self.done = position

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def write_problems(path: Path, problems, unit: str, *, inputs=()) -> None:
    """The problems as a CSV that Excel opens correctly (UTF-8 with BOM), every cell inert (no
    formulas) and each value clipped as the terminal shows it."""
    from ..output import clip, csv_cell, open_output

    with open_output(path, inputs=inputs, text=True, encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([t("errors.row"), t("errors.column"), t("errors.value"), t("errors.reason")])
        for p in problems:
            writer.writerow([p.row, csv_cell(p.column), csv_cell(clip(p.value)), csv_cell(p.reason)])


def format_problem(p, unit: str) -> str:
    from ..output import clip, printable

    where = t(f"import.problem.{unit}", row=p.row)
    if not p.column:
        return t("import.problem.nocol", where=where, reason=printable(p.reason, lines=True))
    return t("import.problem", where=where, column=clip(p.column), value=clip(p.value), reason=printable(p.reason, lines=True))


def parse_size(value: str | None) -> int | None:
    """``--max-size``: bytes, or a number with K, M, G or T (binary units)."""
    if value is None:
        return None
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    factor = 1
    for suffix, power in (("K", 10), ("M", 20), ("G", 30), ("T", 40)):
        if text.endswith(suffix):
            text, factor = text[:-1], 1 << power
            break
    try:
        number = float(text)
    except ValueError:
        raise UsageError(t("import.bad_size", value=value)) from None
    if not number > 0 or number * factor > 1 << 50:
        raise UsageError(t("import.bad_size", value=value))
    return int(number * factor)


@command("import", help=IMPORT_HELP)
@kind_argument()
@argument("file", type=click.Path(dir_okay=False, path_type=Path),
          help=("要导入的文件：.xlsx、.csv（UTF-8 或 GB18030）或 .json", "the file to import: .xlsx, .csv (UTF-8 or GB18030) or .json"))
@option("--sheet", default=None, metavar="NAME|N", help=("工作表名称或序号（默认第一个）", "sheet name or number (default: the first)"))
@option("--dry-run", is_flag=True, help=("只检查并报告将新建/修改/不变的记录，不写入", "check and report, write nothing"))
@option("--skip-invalid", is_flag=True, help=("导入正确的行，报告有误的行", "import the valid rows, report the others"))
@option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=("把问题清单写入 CSV 文件（Excel 可直接打开）", "write the problems to a CSV file (Excel opens it)"))
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help=("输出格式", "output format"))
@option("--encoding", default=None, metavar="NAME",
        help=("CSV 文件的编码（默认自动识别 UTF-8 / GB18030），如 big5、shift_jis", "the CSV file's encoding (default: UTF-8 or GB18030, detected), e.g. big5, shift_jis"))
@option("--max-rows", type=click.IntRange(1), default=None, metavar="N",
        help=("最多读入的数据行数（默认 2,000,000）", "most data rows read (default 2,000,000)"))
@option("--max-columns", type=click.IntRange(1), default=None, metavar="N", help=("最多的列数（默认 1,000）", "most columns (default 1,000)"))
@option("--max-cell-chars", type=click.IntRange(1), default=None, metavar="N",
        help=("一个单元格最多的字符数（默认 32,767，与 Excel 相同）", "most characters in one cell (default 32,767, as in Excel)"))
@option("--max-size", default=None, metavar="SIZE",
        help=("文件（工作簿为解压后）最大的大小，如 500M、4G（默认 2G）", "largest file, a workbook once expanded, e.g. 500M, 4G (default 2G)"))
@pass_app
def import_command(app, kind, file, sheet, dry_run, skip_invalid, errors_path, fmt, encoding, max_rows, max_columns,
                   max_cell_chars, max_size):
    import dataclasses

    from ..io import import_file
    from ..io.importer import gc_paused
    from ..io.readers import DEFAULT_LIMITS
    from ..output import OutputProblem, check_target

    if dry_run and skip_invalid:
        raise UsageError(t("import.conflict"))
    limits = dataclasses.replace(DEFAULT_LIMITS, **{k: v for k, v in (
        ("rows", max_rows), ("columns", max_columns), ("cell_chars", max_cell_chars), ("size", parse_size(max_size)))
        if v is not None})
    record_kind = kind_named(kind)
    if errors_path is not None:  # before anything is read or written
        from ..documents import check_suffix

        check_suffix(errors_path, ("csv",), t("import.errors_what"))
        check_target(errors_path, inputs=[file])
    engine = app.engine()
    progress = _Progress(fmt == "text" and sys.stderr.isatty(), record_kind.label())
    try:
        with gc_paused():  # this process is the command's own
            result = import_file(engine, actor=app.actor, kind=record_kind, path=file, sheet=sheet, dry_run=dry_run,
                                 skip_invalid=skip_invalid, progress=progress, encoding=encoding, limits=limits)
    finally:
        progress.close()
    if errors_path is not None:
        try:
            write_problems(errors_path, result.problems, result.unit, inputs=[file])
        except OutputProblem as exc:
            if result.written:
                raise XiaoqiError(t("import.errors_failed", batch=result.batch_id, created=result.created,
                                    updated=result.updated, reason=exc)) from None
            raise XiaoqiError(t("import.errors_failed_unwritten", reason=exc)) from None
    units = t(f"import.units.{result.unit}")
    if fmt == "json":
        emit_json(result.as_dict())
        if result.problems:
            sys.exit(1)
        return
    for p in result.problems[:SHOWN_PROBLEMS]:
        click.echo(format_problem(p, result.unit))
    if len(result.problems) > SHOWN_PROBLEMS:
        click.echo(t("import.more", n=len(result.problems) - SHOWN_PROBLEMS))
    if result.unresolved:
        click.echo(t("import.unresolved", n=len(result.unresolved)))
        for p in result.unresolved[:SHOWN_PROBLEMS]:
            click.echo("  " + format_problem(p, result.unit))
    summary = "import.summary" if result.written or result.rows == 0 else "import.summary.unwritten"
    click.echo(t(summary, kind=record_kind.label(), file=file.name, rows=result.rows, units=units,
                 created=result.created, updated=result.updated, unchanged=result.unchanged, invalid=result.invalid))
    if result.english_row:
        click.echo(t("import.english_row"), err=True)
    if errors_path is not None and result.problems:
        click.echo(t("import.errors_written", path=errors_path), err=True)
    if dry_run:
        click.echo(t("import.dry_run"))
    elif result.rows == 0 and not result.problems:
        click.echo(t("import.header_only"), err=True)
    if result.problems:
        key = "import.partial" if result.written else "import.rejected"
        raise XiaoqiError(t(key, n=result.invalid, units=units))

@command("export", help=("导出记录，可再导入", "export the KIND records you may see (re-importable)"))
@kind_argument()
@option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help=("文件格式（默认按 -o 的扩展名，否则 csv）", "file format (default: from -o, else csv)"))
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=("输出文件（默认输出到屏幕）", "output file (default: stdout)"))
@option("--reveal", is_flag=True, help=("导出完整身份证号（仅管理员和学生、教师所在学校）", "full ID numbers (admin, the students' or teachers' school)"))
@pass_app
def export_command(app, kind, fmt, output, reveal):
    from ..db import sqlite_files
    from ..io import export_kind
    from ..output import check_target, open_output

    record_kind = kind_named(kind)
    if output is not None:  # the file's extension says what is written: one that is not written is refused
        from ..documents import check_suffix

        check_target(output, inputs=sqlite_files(app.url))  # before the database is read; never the database itself
        suffix = check_suffix(output, ("csv", "xlsx", "json"), t("export.what"))
        if fmt is not None and fmt != suffix:
            raise UsageError(t("export.suffix_format", fmt=fmt, path=output))
        fmt = suffix
    fmt = fmt or "csv"
    if output is None and fmt == "xlsx":
        raise UsageError(t("export.xlsx_stdout"))
    engine = app.engine()
    if output is None:
        sys.stdout.flush()
        stream = sys.stdout.buffer
        count = export_kind(engine, stream, actor=app.actor, kind=record_kind, fmt=fmt, reveal=reveal, bom=False)
        stream.flush()
    else:
        with open_output(output, inputs=sqlite_files(app.url)) as fh:
            count = export_kind(engine, fh, actor=app.actor, kind=record_kind, fmt=fmt, reveal=reveal)
        click.echo(t("export.done", n=count, kind=record_kind.label(), path=output), err=True)
    if not reveal and record_kind.rights.personal:
        click.echo(t("export.masked"), err=True)

@command("template", help=("生成空白导入模板（中英文表头、说明页、下拉选项）", "an empty import workbook for KIND (both header rows, a notes sheet, drop-downs)"))
@kind_argument()
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=("输出文件（默认 KIND-template.xlsx）", "output file (default: KIND-template.xlsx)"))
@pass_app
def template_command(app, kind, output):
    from ..io import write_template
    from ..output import open_output

    record_kind = kind_named(kind)
    output = output or Path(f"{record_kind.name}-template.xlsx")
    if output.suffix.lower() != ".xlsx":
        raise UsageError(t("template.suffix"))
    with open_output(output) as fh:
        write_template(record_kind, fh)
    click.echo(t("template.done", kind=record_kind.label(), path=output), err=True)
