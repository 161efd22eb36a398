"""``xiaoqi template``: an empty import workbook for a record kind.

Sheet 1 (the data sheet, first so that ``xiaoqi import`` reads it): row 1 the Chinese headers,
row 2 the English ones in grey — the importer recognises that row and skips it, so it may be kept
or deleted. Data goes from row 3. Code columns are formatted as text (Excel keeps leading zeros),
date columns as dates, and enumerated columns (choices, 是/否) offer a drop-down list.
Sheet 2 (说明) explains every column: header, English name, meaning, type, required, choices.
A hidden sheet (选项) holds the drop-down lists.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import both, catalogue, t
from ..kinds import RecordKind

catalogue(
    {
        "tpl.sheet.help": ("说明", "notes"),
        "tpl.sheet.lists": ("选项", "choices"),
        "tpl.help.header": ("列名", "column"),
        "tpl.help.english": ("英文列名", "English name"),
        "tpl.help.type": ("类型", "type"),
        "tpl.help.required": ("必填", "required"),
        "tpl.help.meaning": ("说明", "meaning"),
        "tpl.help.choices": ("可选值", "choices"),
        "tpl.yes_key": ("是（主键）", "yes (key)"),
        "tpl.yes": ("是", "yes"),
        "tpl.note": (
            "第1行为中文列名，第2行为英文列名（导入时自动识别并跳过，可保留也可删除）。请从第3行开始填写，每行一条{kind}记录。",
            "Row 1 holds the Chinese headers, row 2 the English ones (recognised and skipped on import; keep or delete it). Fill in from row 3, one {kind} record per row.",
        ),
        "tpl.dv.error": ("请从下拉列表中选择", "Choose a value from the list"),
    }
)

DATA_ROWS = 10_000  # the drop-down lists and formats reach this far


def write_template(kind: RecordKind, path: str | Path, lang: str | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = kind.label("zh")[:31]
    lists = book.create_sheet(t("tpl.sheet.lists", lang="zh"))
    help_sheet = book.create_sheet(t("tpl.sheet.help", lang="zh"), 1)
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    list_col = 0
    for pos, col in enumerate(kind.columns, start=1):
        letter = get_column_letter(pos)
        zh = data.cell(row=1, column=pos, value=col.zh)
        zh.font, zh.fill = bold, fill
        en = data.cell(row=2, column=pos, value=col.name)
        en.font = grey
        meaning = both(*col.doc, lang) if any(col.doc) else ""
        zh.comment = Comment(f"{col.type_doc(lang)}{'；' + meaning if meaning else ''}", "xiaoqi")
        data.column_dimensions[letter].width = max(12, len(col.zh) * 2 + 4, len(col.name) + 2)
        choices = list(col.choices) if col.choices and col.type == "choice" else (["是", "否"] if col.type == "bool" else [])
        if choices:
            list_col += 1
            lists_letter = get_column_letter(list_col)
            for row, choice in enumerate(choices, start=1):
                lists.cell(row=row, column=list_col, value=choice)
            dv = DataValidation(type="list", formula1=f"'{lists.title}'!${lists_letter}$1:${lists_letter}${len(choices)}",
                                allow_blank=not col.required, showErrorMessage=True,
                                error=t("tpl.dv.error", lang=lang), errorTitle=col.zh)
            data.add_data_validation(dv)
            dv.add(f"{letter}3:{letter}{DATA_ROWS + 2}")
        fmt = "@" if col.is_text else ("yyyy-mm-dd" if col.type == "date" else None)
        if fmt:  # a column style: what is typed later keeps it (no cells are created)
            data.column_dimensions[letter].number_format = fmt
    data.freeze_panes = "A3"
    lists.sheet_state = "hidden"

    heads = ["tpl.help.header", "tpl.help.english", "tpl.help.meaning", "tpl.help.type", "tpl.help.required", "tpl.help.choices"]
    help_sheet.append([t(h, lang=lang) for h in heads])
    for cell in help_sheet[1]:
        cell.font, cell.fill = bold, fill
    for col in kind.columns:
        required = t("tpl.yes_key", lang=lang) if col.key else t("tpl.yes", lang=lang) if col.required else ""
        help_sheet.append([col.zh, col.name, both(*col.doc, lang) if any(col.doc) else "", col.type_doc(lang), required,
                           " / ".join(col.choices)])
    help_sheet.append([])
    help_sheet.append([t("tpl.note", lang=lang, kind=kind.label(lang))])
    for letter, width in zip("ABCDEF", (22, 24, 40, 36, 10, 40)):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
