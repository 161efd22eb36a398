"""``xiaoqi export``: the records of a kind that the actor may see, as CSV (UTF-8 with BOM, which
Excel opens correctly), Excel or JSON, streamed in batches. A text that a spreadsheet would run as
a formula is written inert (``output.csv_cell``, ``output.xlsx_value``) and reads back unchanged.

CSV and Excel files carry the headers of the user's language and import back to the same records
(choices and 是/否 are written in that language too, and read back in either). JSON is for scripts:
the keys are the column names and the values those of ``xiaoqi records list --format json``.
ID numbers are masked (110101********1234) unless revealed by an actor allowed to see them; a
masked file cannot be imported back, and the importer says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import IO, Iterator

import sqlalchemy as sa

from ..actors import Actor
from ..errors import PermissionDenied
from ..access import actor_clause
from ..fields import format_bool
from ..i18n import catalogue, get_lang, t
from ..kinds import Column, RecordKind
from ..privacy import mask_values, may_reveal
from ..output import csv_cell, xlsx_value
from ..services import jsonable

catalogue(
    {
        "io.reveal.denied": ("{actor} 不能用 --reveal 导出{kind}的完整个人信息（身份证号、电话、监护人）；不加 --reveal 可导出脱敏的文件。",
                             "{actor} may not use --reveal for the full personal data (ID numbers, phones, guardians) of {kind}; without --reveal the export is masked."),
    }
)

FETCH_ROWS = 5_000


def _query(kind: RecordKind, actor: Actor, reveal: bool):
    model = kind.model
    columns = [c for c in kind.columns if c.name in model.__table__.c]
    selected = [getattr(model, c.name) for c in columns]
    flag = []
    if reveal and kind.rights.personal:
        # whether each row lies in the actor's reveal scope (every row for an admin)
        inside = actor_clause(kind, actor, "reveal")
        flag = [sa.literal(True) if inside is None else sa.case((inside, True), else_=False)]
    stmt = sa.select(*selected, *flag).order_by(model.id)
    scope = kind.read_filter(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    return columns, stmt


def check_reveal(kind: RecordKind, actor: Actor, reveal: bool) -> None:
    """Refuse ``--reveal`` to an actor whose type may not see the kind's personal data."""
    if reveal and kind.rights.personal and not may_reveal(kind, actor):
        raise PermissionDenied(t("io.reveal.denied", actor=actor.label(), kind=kind.label()))


def iter_records(engine, *, actor: Actor, kind: RecordKind, reveal: bool = False) -> Iterator[tuple[list[Column], list[dict]]]:
    """Batches of records (column name -> Python value) the actor may see, personal columns masked
    (``xiaoqi.core.privacy``) unless ``reveal`` and the row lies in the actor's reveal scope;
    yields the columns with each batch. A revealing export is audited (``export_kind``)."""
    check_reveal(kind, actor, reveal)
    columns, stmt = _query(kind, actor, reveal)
    names = [c.name for c in columns]
    personal = kind.rights.personal
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
        for part in result.partitions():
            batch = []
            for row in part:
                values = dict(zip(names, row))
                if personal and not (reveal and row[len(names)]):
                    values = mask_values(kind, values)
                batch.append(values)
            yield columns, batch


def cell_value(col: Column, value, lang: str, *, excel: bool):
    """A value as a CSV/Excel cell: text for codes, 是/否 for booleans, dates as dates (Excel) or
    ISO text (CSV), money as a number (Excel) or text with two decimals (CSV)."""
    if value is None:
        return None if excel else ""
    if isinstance(value, bool):
        return format_bool(value, lang)
    if col.choices:
        return col.choice_text(value, lang)
    if isinstance(value, (dt.date, Decimal, int)) and excel:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_kind(engine, out: IO, *, actor: Actor, kind: RecordKind, fmt: str, reveal: bool = False,
                lang: str | None = None, bom: bool = True) -> int:
    """Write the export to ``out`` (binary); returns the number of records."""
    lang = lang or get_lang()
    check_reveal(kind, actor, reveal)  # before the first byte is written
    batches = iter_records(engine, actor=actor, kind=kind, reveal=reveal)
    if fmt == "json":
        count = _json(out, batches)
    elif fmt == "xlsx":
        count = _xlsx(out, batches, kind, lang)
    else:
        count = _csv(out, batches, kind, lang, bom)
    if reveal and kind.rights.personal and count:
        _audit_export(engine, actor, kind, count, fmt)
    return count


def _audit_export(engine, actor: Actor, kind: RecordKind, count: int, fmt: str) -> None:
    """One audit entry for a revealing export: who exported the personal data of which records
    (the kind, the actor's reveal scope at that moment, how many rows), when, in which format."""
    from .. import audit
    from ..db import write_session

    with write_session(engine) as session:
        audit.record(session, actor=actor, kind=kind.name, action="reveal", key="*",
                     note={"surface": "export", "format": fmt, "rows": count, "columns": sorted(kind.rights.personal)})


def _csv(out: IO, batches, kind: RecordKind, lang: str, bom: bool) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    columns = [c for c in kind.columns if c.name in kind.model.__table__.c]
    writer.writerow([c.header(lang) for c in columns])
    count = 0
    for cols, batch in batches:
        writer.writerows([[csv_cell(cell_value(c, row[c.name], lang, excel=False)) for c in cols] for row in batch])
        count += len(batch)
    text.flush()
    text.detach()
    return count


def _json(out: IO, batches) -> int:
    count = 0
    out.write(b"[")
    for _cols, batch in batches:
        for row in batch:
            out.write((",\n  " if count else "\n  ").encode())
            out.write(json.dumps({k: jsonable(v) for k, v in row.items()}, ensure_ascii=False).encode("utf-8"))
            count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count


def _xlsx(out: IO, batches, kind: RecordKind, lang: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.label(lang)[:31])
    columns = [c for c in kind.columns if c.name in kind.model.__table__.c]
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(sheet, value=c.header(lang))
        cell.font = bold
        header.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    count = 0
    for cols, batch in batches:
        for row in batch:
            cells = []
            for c in cols:
                value = cell_value(c, row[c.name], lang, excel=True)
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    value = cell
                cells.append(xlsx_value(sheet, value))
            sheet.append(cells)
            count += 1
    book.save(out)
    return count
