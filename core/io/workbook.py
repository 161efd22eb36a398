"""What a workbook holds before it is expanded: an .xlsx/.xlsm (and the zip of any other workbook
format) is inspected from its zip directory and the sheet's XML, streamed, before the Excel reader
loads it, so that

- a zip bomb (declared or actual expanded size beyond the limit, or an absurd compression ratio)
  and a sheet whose cells span an absurd area (one cell at XFD1048576 makes the reader ask for
  512 GB) are refused before anything is expanded in memory;
- cells the reader would silently give as empty — error values (#N/A, #REF!), formulas without a
  saved value, merged cells — are named, so that an import never erases what they hide.

An .ods sheet is inspected from its content.xml and an .xls sheet through xlrd for the same cells:
the Excel reader gives their error values as empty too.

The Excel reader keeps a sheet as a dense grid (about 32 bytes a cell), so the area it would
allocate is judged against the same size limit as the expanded bytes.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import catalogue, t

catalogue(
    {
        "io.xlsx.bomb": ("{path} 解压后约 {size}，超过上限 {limit}（可用 --max-size 提高）。", "{path} expands to about {size}, beyond the limit of {limit} (raise it with --max-size)."),
        "io.xlsx.ratio": ("{path} 中的 {member} 压缩比异常（{ratio}:1），像是“压缩炸弹”，已拒绝读取。", "{member} in {path} has an absurd compression ratio ({ratio}:1), as a zip bomb has; it was not read."),
        "io.xlsx.area": ("工作表「{sheet}」的范围为 {area}（{rows} 行 × {columns} 列），超过上限：{reason}。请删除多余的行列（或用选项提高上限）后再导入。",
                         "The sheet '{sheet}' spans {area} ({rows} rows x {columns} columns), beyond the limit: {reason}. Delete the stray rows and columns (or raise the limit by option) and import again."),
        "io.limit.rows": ("最多 {n} 行（--max-rows）", "at most {n} rows (--max-rows)"),
        "io.limit.columns": ("最多 {n} 列（--max-columns）", "at most {n} columns (--max-columns)"),
        "io.limit.cells": ("读入后约需 {size} 内存，上限 {limit}（--max-size）", "reading it needs about {size} of memory, the limit is {limit} (--max-size)"),
        "io.xlsx.cells": ("工作表「{sheet}」中有无法导入的单元格（导入会把它们当作空值，覆盖已有数据）：\n  {cells}\n请在 Excel 中改正后保存再导入。",
                          "The sheet '{sheet}' has cells that cannot be imported (they would be read as empty and erase stored values):\n  {cells}\nCorrect them in Excel, save, and import again."),
        "io.xlsx.error_cell": ("{cell}：错误值 {value}", "{cell}: the error value {value}"),
        "io.xlsx.formula": ("{cell}：公式没有保存的计算结果（请在 Excel 中打开并保存一次）", "{cell}: a formula without a saved result (open and save the file in Excel once)"),
        "io.xlsx.merged": ("{cells}：合并单元格（请取消合并，并在每格填写值）", "{cells}: merged cells (unmerge them and fill in every cell)"),
        "io.xlsx.more": ("……另有 {n} 处", "... and {n} more"),
        "io.limit.sep": ("；", "; "),
        "io.xlsx.long_cell": ("工作表「{sheet}」中有单元格超过 {n} 个字符（可用 --max-cell-chars 提高上限）。", "The sheet '{sheet}' has a cell of more than {n} characters (raise the limit with --max-cell-chars)."),
    }
)

#: bytes of the reader's grid per cell (calamine's cell value), for the area it would allocate
CELL_BYTES = 32
#: a member that expands more than this many times, and to more than BOMB_MIN bytes, is a bomb
#: (a real worksheet compresses 5-20 times; deflate cannot exceed about 1,030)
MAX_RATIO = 150
BOMB_MIN = 16 << 20
SHOWN = 10
CHUNK = 1 << 20

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
#: a cell beyond column Z (most sheets have none, so the scan finds nothing to compare)
_WIDE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{2,})\d')
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ERROR = re.compile(rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*?/>|<f\b[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?')
_ERROR_T_FIRST = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+\d+)"[^>]*>(?:<f\b[^>]*?/>|<f\b[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?')
#: a formula cell, its type and what follows the formula (a <v> with text is a saved result)
_FORMULA = re.compile(rb'<c\b([^>]*)>(?:<f\b[^>]*?/>|<f\b[^>]*>[^<]*</f>)(<v>[^<]+</v>|<v>\s*</v>|<v\s*/>)?')
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_STR = re.compile(rb'\bt="str"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


class TooBig(Exception):
    """Raised by the inspection with the translated reason (readers turns it into a FileProblem)."""


@dataclass
class Inspection:
    """What the scan of one sheet found."""

    rows: int = 0
    columns: int = 0
    problems: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, text: str) -> None:
        if len(self.problems) < SHOWN:
            self.problems.append(text)
        else:
            self.more += 1


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def check_zip(path: Path, max_size: int) -> zipfile.ZipFile | None:
    """The workbook's zip (None for a file that is not one), once its directory declares nothing
    beyond the size limit and no member a bomb's ratio."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    total = 0
    for info in book.infolist():
        total += info.file_size
        if info.file_size > BOMB_MIN and info.file_size > MAX_RATIO * max(1, info.compress_size):
            book.close()
            raise TooBig(t("io.xlsx.ratio", path=path.name, member=info.filename,
                           ratio=info.file_size // max(1, info.compress_size)))
    if total > max_size:
        book.close()
        raise TooBig(t("io.xlsx.bomb", path=path.name, size=human_size(total), limit=human_size(max_size)))
    return book


def sheet_member(book: zipfile.ZipFile, index: int) -> str | None:
    """The zip member of the ``index``-th sheet (0-based, in the workbook's order), or None."""
    import xml.etree.ElementTree as ET

    try:
        workbook = ET.fromstring(book.read("xl/workbook.xml"))
        rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    sheets = [el for el in workbook.iter() if el.tag.endswith("}sheet")]
    if index >= len(sheets):
        return None
    rid = sheets[index].get(f"{{{_NS_REL}}}id")
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            return member if member in book.namelist() else None
    return None


def inspect_sheet(book: zipfile.ZipFile, member: str, *, sheet: str, limits) -> Inspection:
    """Stream the sheet's XML once: its real extent (rows, widest column; the declared dimension
    too), error cells, formulas without a saved value, merged ranges and over-long text, within
    the limits (``readers.Limits``); raises ``TooBig`` as soon as one is exceeded."""
    found = Inspection()
    declared_checked = False
    expanded = 0
    carry = b""
    long_text = re.compile(rb"[^<]{%d,}" % (limits.cell_chars * 4 + 1))  # UTF-8: up to 4 bytes a character
    with book.open(member) as fh:
        while True:
            chunk = fh.read(CHUNK)
            expanded += len(chunk)
            if expanded > limits.size:
                raise TooBig(t("io.xlsx.bomb", path=member, size=f"> {human_size(limits.size)}", limit=human_size(limits.size)))
            data = carry + chunk
            if chunk:
                data, carry = _complete(data, limits, sheet)
            if not declared_checked:
                m = _DIMENSION.search(data)
                if m or b"<sheetData" in data:
                    declared_checked = True
                    if m and m.group(3):
                        _judge(sheet, m.group(1) + m.group(2) + b":" + m.group(3) + m.group(4),
                               int(m.group(4)), column_number(m.group(3)), limits)
            _scan(data, found, long_text, limits, sheet)
            if found.rows > limits.rows + 1 or found.columns > limits.columns:
                _judge(sheet, None, found.rows, found.columns, limits)
            if not chunk:
                break
    _judge(sheet, None, found.rows, found.columns, limits)
    return found


def _complete(data: bytes, limits, sheet: str) -> tuple[bytes, bytes]:
    """``data`` cut after its last complete row (a cell's formula and value stay together), or
    after its last complete cell when a row is longer than a chunk; and the rest."""
    cut = data.rfind(b"</row>")
    if cut >= 0:
        cut += len(b"</row>")
    else:
        cut = max(data.rfind(b"</c>") + 4 if b"</c>" in data else 0, 0)
        if cut == 0 and len(data) > limits.cell_chars * 4 + CHUNK:
            raise TooBig(t("io.xlsx.long_cell", sheet=sheet, n=f"{limits.cell_chars:,}"))
    return data[:cut], data[cut:]


def _scan(data: bytes, found: Inspection, long_text, limits, sheet: str) -> None:
    last = data.rfind(b"<row ")
    if last >= 0:
        m = _ROW.match(data, last)
        if m:
            found.rows = max(found.rows, int(m.group(1)))
    pattern = _CELL_REF if limits.columns < 26 else _WIDE
    letters = set(pattern.findall(data))
    if letters:
        found.columns = max(found.columns, max(column_number(x) for x in letters))
    elif found.columns == 0 and b"<c " in data:
        found.columns = 1
    if b't="e"' in data:
        for pattern in (_ERROR, _ERROR_T_FIRST):
            for m in pattern.finditer(data):
                found.add(t("io.xlsx.error_cell", cell=m.group(1).decode(), value=(m.group(2) or b"#?").decode()))
    if b"<f" in data:
        for m in _FORMULA.finditer(data):
            attrs, value = m.group(1), m.group(2)
            saved = value is not None and (value.startswith(b"<v>") and value[3:-4].strip() or _STR.search(attrs))
            if not saved:
                ref = _REF.search(attrs)
                found.add(t("io.xlsx.formula", cell=ref.group(1).decode() if ref else "?"))
    if b"<mergeCell" in data:
        for m in _MERGE.finditer(data):
            if b":" in m.group(1):
                found.add(t("io.xlsx.merged", cells=m.group(1).decode()))
    if long_text.search(data):
        raise TooBig(t("io.xlsx.long_cell", sheet=sheet, n=f"{limits.cell_chars:,}"))


def _judge(sheet: str, area: bytes | None, rows: int, columns: int, limits) -> None:
    reasons = []
    if rows > limits.rows + 1:  # the header row is not a data row
        reasons.append(t("io.limit.rows", n=f"{limits.rows:,}"))
    if columns > limits.columns:
        reasons.append(t("io.limit.columns", n=f"{limits.columns:,}"))
    need = rows * columns * CELL_BYTES
    if need > limits.size:
        reasons.append(t("io.limit.cells", size=human_size(need), limit=human_size(limits.size)))
    if reasons:
        text = area.decode() if area else f"A1:{column_letters(columns)}{rows}"
        raise TooBig(t("io.xlsx.area", sheet=sheet, area=text, rows=f"{rows:,}", columns=f"{columns:,}",
                       reason=t("io.limit.sep").join(reasons)))


def column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


# -- .xls and .ods ------------------------------------------------------------------------------
# The Excel reader gives an error cell of these formats as empty (and an .ods error as the
# formula's stored number), so their cells are inspected by their own structure as well.

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def inspect_xls(path: Path, index: int) -> Inspection:
    """Error cells of sheet ``index`` of a BIFF .xls workbook (read with xlrd, which keeps their
    type). A file xlrd cannot read is left to the Excel reader, which says why."""
    import xlrd

    found = Inspection()
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=False)
        sheet = book.sheet_by_index(index)
    except Exception:  # xlrd's own errors for files the Excel reader may still read or reject
        return found
    try:
        for r in range(sheet.nrows):
            for c, kind in enumerate(sheet.row_types(r)):
                if kind == xlrd.XL_CELL_ERROR:
                    code = sheet.cell_value(r, c)
                    found.add(t("io.xlsx.error_cell", cell=f"{column_letters(c + 1)}{r + 1}",
                                value=xlrd.error_text_from_code.get(code, "#?")))
    finally:
        book.release_resources()
    return found


def inspect_ods(book: zipfile.ZipFile, index: int) -> Inspection:
    """Error cells, formulas without a value and merged ranges of sheet ``index`` of an .ods
    workbook, streamed from its content.xml (row and column repeats counted)."""
    from xml.etree.ElementTree import iterparse

    found = Inspection()
    if "content.xml" not in book.namelist():
        return found
    sheet = -1
    row = 0
    col = 0
    with book.open("content.xml") as fh:
        for event, elem in iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if tag == _ODS_TABLE + "table":
                if event == "start":
                    sheet += 1
                    row = 0
                elif sheet == index:
                    break
                else:
                    elem.clear()
                continue
            if sheet != index:
                continue
            if tag == _ODS_TABLE + "table-row":
                if event == "start":
                    col = 0
                else:
                    row += int(elem.get(_ODS_TABLE + "number-rows-repeated", "1"))
                    elem.clear()
            elif tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell") and event == "end":
                ref = f"{column_letters(col + 1)}{row + 1}"
                if tag.endswith("table-cell") and not tag.endswith("covered-table-cell"):
                    value_type = elem.get(_ODS_CALCEXT + "value-type")
                    if value_type == "error":
                        text = "".join(elem.itertext()).strip() or "#?"
                        found.add(t("io.xlsx.error_cell", cell=ref, value=text))
                    elif elem.get(_ODS_TABLE + "formula") and elem.get(_ODS_OFFICE + "value-type") is None:
                        found.add(t("io.xlsx.formula", cell=ref))
                    wide = int(elem.get(_ODS_TABLE + "number-columns-spanned", "1"))
                    tall = int(elem.get(_ODS_TABLE + "number-rows-spanned", "1"))
                    if wide > 1 or tall > 1:
                        found.add(t("io.xlsx.merged", cells=f"{ref}:{column_letters(col + wide)}{row + tall}"))
                col += int(elem.get(_ODS_TABLE + "number-columns-repeated", "1"))
    return found
