"""Reading the files people exchange: Excel workbooks (python-calamine), CSV in whatever encoding
Chinese Excel or a script wrote it, and JSON lists of objects.

A reader gives a ``Table``: the header cells as written, and the data rows one by one with the row
number a user sees in Excel (the header row is 1, the first data row 2; for JSON the item number).
Rows are streamed, so a million-row CSV is never all in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import XiaoqiError
from ..i18n import catalogue, t

catalogue(
    {
        "io.file.missing": ("找不到文件：{path}", "No such file: {path}"),
        "io.file.empty": ("文件是空的（0 字节）：{path}。请检查是否保存了正确的文件。", "The file is empty (0 bytes): {path}. Check that the right file was saved."),
        "io.file.no_header": ("文件中没有表头行：{path}。第一行应为列名（中文或英文）。", "No header row in {path}. The first row must hold the column names (Chinese or English)."),
        "io.file.format": ("无法识别的文件类型「{suffix}」：请使用 .xlsx、.xls、.csv 或 .json 文件。", "Unrecognised file type '{suffix}': use an .xlsx, .xls, .csv or .json file."),
        "io.xlsx.not_excel": ("{path} 不是 Excel 文件（扩展名是 {suffix}，内容却不是电子表格）。{hint}", "{path} is not an Excel file (its name ends in {suffix} but it holds no spreadsheet). {hint}"),
        "io.xlsx.looks_text": ("它看起来是文本/CSV：请把扩展名改为 .csv 再导入。", "It looks like text/CSV: rename it to .csv and import it again."),
        "io.xlsx.resave": ("请在 Excel 中打开并另存为 .xlsx 后再导入。", "Open it in Excel and save it as .xlsx, then import it again."),
        "io.xlsx.unreadable": ("无法读取 Excel 文件 {path}：{reason}。文件可能已损坏或设有密码；请另存为 .xlsx 后重试。", "Cannot read the Excel file {path}: {reason}. It may be damaged or password-protected; save it again as .xlsx and retry."),
        "io.xlsx.no_sheet": ("工作簿中没有工作表「{sheet}」。可用：{names}", "The workbook has no sheet '{sheet}'. Available: {names}"),
        "io.csv.encoding": ("第 {row} 行附近的文字无法按 {encoding} 解码。请把文件另存为「CSV UTF-8」后重新导入。", "Text near row {row} cannot be decoded as {encoding}. Save the file as 'CSV UTF-8' and import it again."),
        "io.csv.broken": ("CSV 格式错误（第 {row} 行）：{reason}", "Malformed CSV (row {row}): {reason}"),
        "io.json.invalid": ("JSON 格式错误：{reason}", "Invalid JSON: {reason}"),
        "io.json.not_list": ("JSON 文件应为对象列表（[{{\"列名\": 值, ...}}, ...]）。", "A JSON file must be a list of objects ([{{\"column\": value, ...}}, ...])."),
        "io.json.not_object": ("第 {row} 条不是对象（{{...}}）", "item {row} is not an object ({{...}})"),
    }
)

SAMPLE = 1 << 16
#: from this size on the importer reports progress (CSV bytes, Excel rows): a few thousand rows
PROGRESS_BYTES = 512 * 1024
PROGRESS_ROWS = 5_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and encrypted .xlsx)
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


class FileProblem(XiaoqiError):
    """The file as a whole cannot be read (not a row problem)."""


@dataclass
class Table:
    """The header cells as written and an iterator of ``(row number, cells)``."""

    headers: list
    rows: Iterator[tuple[int, list]]
    #: "row" (spreadsheets, CSV) or "item" (JSON): how a row number is named in messages
    unit: str = "row"
    #: progress: the total (bytes or rows) and a function giving how far the reader has got
    total: int = 0
    position: Callable[[], int] = field(default=lambda: 0)
    #: how the text was decoded (CSV) — shown by --dry-run and kept for the record
    encoding: str | None = None
    #: large enough for a progress bar (a few thousand rows)
    big: bool = False
    close: Callable[[], None] = field(default=lambda: None)


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == ".json":
        return "json"
    raise FileProblem(t("io.file.format", suffix=path.suffix or "-"))


def open_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """The table in ``path`` (format from the name, checked against the content)."""
    path = Path(path)
    fmt = _readable(path)
    if fmt == "excel":
        return _excel(path, sheet)
    if fmt == "csv":
        return _csv(path)
    return _json(path)


# -- Excel ------------------------------------------------------------------------------------

def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook, in order (what ``--sheet`` and the TUI offer); [] for a CSV or
    JSON file. A file that is not a readable workbook raises ``FileProblem``."""
    path = Path(path)
    if file_format(path) != "excel":
        return []
    _readable(path)
    return list(_workbook(path).sheet_names)


def _readable(path: Path) -> str:
    """The format of ``path``, once it is known to be a file with something in it."""
    if not path.is_file():
        raise FileProblem(t("io.file.missing", path=path))
    fmt = file_format(path)
    if path.stat().st_size == 0:
        raise FileProblem(t("io.file.empty", path=path))
    return fmt


def _workbook(path: Path):
    """The calamine workbook of ``path``, or a ``FileProblem`` saying why it is not one."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    if not (head.startswith(XLSX_MAGIC) or head.startswith(OLE_MAGIC)):
        try:
            text = head.decode("utf-8")
            hint = t("io.xlsx.looks_text") if ("," in text or "\t" in text) else t("io.xlsx.resave")
        except UnicodeDecodeError:
            hint = t("io.xlsx.resave")
        raise FileProblem(t("io.xlsx.not_excel", path=path, suffix=path.suffix, hint=hint))
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise FileProblem(t("io.xlsx.unreadable", path=path, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    return book


def _excel(path: Path, sheet: str | None) -> Table:
    book = _workbook(path)
    names = book.sheet_names
    try:
        if sheet is None:
            data = book.get_sheet_by_index(0)
        elif sheet in names:
            data = book.get_sheet_by_name(sheet)
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            data = book.get_sheet_by_index(int(sheet) - 1)
        else:
            raise FileProblem(t("io.xlsx.no_sheet", sheet=sheet, names="、".join(names)))
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem(t("io.xlsx.unreadable", path=path, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    rows = data.iter_rows()  # from the sheet's first row: the index + 1 is the Excel row number
    numbered = enumerate(rows, start=1)
    header_row = _first_nonblank(numbered)
    if header_row is None:
        raise FileProblem(t("io.file.no_header", path=path))
    total = max(0, data.total_height - header_row[0])
    done = [header_row[0]]

    def body():
        for number, cells in numbered:
            done[0] = number
            yield number, cells

    return Table(headers=list(header_row[1]), rows=body(), total=total, position=lambda: done[0] - header_row[0],
                 big=total > PROGRESS_ROWS)


def _first_nonblank(numbered):
    for number, cells in numbered:
        if any(not _blank(c) for c in cells):
            return number, cells
    return None


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- CSV --------------------------------------------------------------------------------------

def detect_encoding(sample: bytes, complete: bool) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else GB18030 (a superset of
    GBK and GB2312, what Chinese Excel writes)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv(path: Path) -> Table:
    size = path.stat().st_size
    raw = open(path, "rb")
    sample = raw.read(SAMPLE)
    raw.seek(0)
    encoding = detect_encoding(sample, complete=len(sample) < SAMPLE)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raw.close()
        raise FileProblem(t("io.csv.encoding", row=1, encoding=encoding)) from None
    delimiter = _delimiter(first)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    line = [0]

    def records():
        try:
            for number, cells in enumerate(reader, start=1):
                line[0] = number
                yield number, cells
        except UnicodeDecodeError:
            raise FileProblem(t("io.csv.encoding", row=line[0] + 1, encoding=encoding)) from None
        except csv.Error as exc:
            raise FileProblem(t("io.csv.broken", row=line[0] + 1, reason=exc)) from None

    numbered = records()
    header = _first_nonblank(numbered)
    if header is None:
        raw.close()
        raise FileProblem(t("io.file.no_header", path=path))

    def position() -> int:
        try:
            return raw.tell()
        except (ValueError, OSError):
            return size

    return Table(headers=header[1], rows=numbered, total=size, position=position, encoding=encoding, close=raw.close,
                 big=size > PROGRESS_BYTES)


# -- JSON -------------------------------------------------------------------------------------

def _json(path: Path) -> Table:
    data = path.read_bytes()
    try:
        items = json.loads(data.decode("utf-8-sig"))  # JSON is UTF-8 (RFC 8259)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem(t("io.json.invalid", reason=exc)) from None
    if not isinstance(items, list):
        raise FileProblem(t("io.json.not_list"))
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            headers.update(dict.fromkeys(item))
    names = list(headers)
    if not names and items and not all(isinstance(i, dict) for i in items):
        raise FileProblem(t("io.json.not_list"))

    def rows():
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield number, NotAnObject(item)
                continue
            yield number, [item.get(h) for h in names]

    return Table(headers=names, rows=rows(), unit="item", total=len(items), position=lambda: 0)


class NotAnObject(list):
    """A JSON item that is not an object: reported as a row problem, never parsed."""

    def __init__(self, item):
        super().__init__()
        self.item = item
