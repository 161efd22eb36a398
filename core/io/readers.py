"""Reading the files people exchange: Excel workbooks (python-calamine), CSV in whatever encoding
Chinese Excel or a script wrote it, and JSON lists of objects.

A reader gives a ``Table``: the header cells as written, and the data rows one by one with the row
number a user sees in Excel (the header row is 1, the first data row 2; for JSON the item number).
Rows are streamed, so a million-row CSV is never all in memory.

Nothing is guessed that could store wrong text or erase stored values: a CSV is read as UTF-8, or
as GB18030 when its text reads as plain Chinese (a Big5 or Shift-JIS file also decodes as GB18030,
into other characters: it is refused unless the user names its encoding); workbook cells that the
Excel reader would give as empty (error values, formulas without a saved result, merged cells) and
JSON's NaN / Infinity are refused by cell. ``Limits`` bound the rows, columns, cell size and
expanded size of a file, checked before anything large is read (``workbook`` for Excel files).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from xml.etree.ElementTree import ParseError

from ..errors import XiaoqiError
from ..i18n import catalogue, t
from .workbook import SHOWN as SHOWN_CELLS
from .workbook import TooBig, check_zip, column_letters, human_size, inspect_ods, inspect_sheet, inspect_xls, sheet_member

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
        "io.json.not_number": ("第 {row} 条「{column}」的值 {value} 不是数（JSON 不允许 NaN 和 Infinity）。", "Item {row}, '{column}': {value} is not a number (JSON has no NaN or Infinity)."),
        "io.json.nested": ("第 {row} 条「{column}」的值是{what}，单元格只能是文本、数或 true/false。", "Item {row}, '{column}' holds {what}; a cell can only be text, a number or true/false."),
        "io.json.list": ("列表", "a list"),
        "io.json.dict": ("对象", "an object"),
        "io.unit.item": ("条", "item"),
        "io.unit.row": ("行", "row"),
        "io.cell.too_big": ("第 {row} {unit}有一个单元格超过 {n} 个字符（可用 --max-cell-chars 提高上限）。", "A cell of {unit} {row} holds more than {n} characters (raise the limit with --max-cell-chars)."),
        "io.csv.ambiguous": ("无法确定 {path} 的文字编码：它不是 UTF-8，按 GB18030 读出的文字又不像中文（{sample}），可能是 {candidates}。请用 --encoding 指定编码（如 --encoding big5），或在 Excel 中另存为「CSV UTF-8」。",
                             "Cannot tell the text encoding of {path}: it is not UTF-8, and read as GB18030 it does not look like Chinese ({sample}); it may be {candidates}. Name the encoding with --encoding (e.g. --encoding big5), or save it from Excel as 'CSV UTF-8'."),
        "io.csv.unknown_encoding": ("未知的编码「{encoding}」。常用：utf-8、gb18030、big5、shift_jis。", "Unknown encoding '{encoding}'. Common ones: utf-8, gb18030, big5, shift_jis."),
        "io.limit.file": ("{path} 有 {size}，超过上限 {limit}（可用 --max-size 提高）。", "{path} is {size}, beyond the limit of {limit} (raise it with --max-size)."),
        "io.limit.too_many_rows": ("{path} 超过 {n} 行（可用 --max-rows 提高上限）。", "{path} has more than {n} rows (raise the limit with --max-rows)."),
        "io.limit.too_many_columns": ("{path} 第 {row} 行有 {count} 列，超过上限 {n}（可用 --max-columns 提高）。", "Row {row} of {path} has {count} columns, beyond the limit of {n} (raise it with --max-columns)."),
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


@dataclass(frozen=True)
class Limits:
    """How large a file may be: data rows, columns, characters in one cell, and bytes — of a CSV or
    JSON file, and of a workbook once expanded (its zip contents and the reader's grid of cells).
    The defaults take any real register (Excel's own sheet has 1,048,576 rows and cells of at most
    32,767 characters); ``xiaoqi import --max-rows/--max-columns/--max-cell-chars/--max-size``
    raise them."""

    rows: int = 2_000_000
    columns: int = 1_000
    cell_chars: int = 32_767
    size: int = 2 << 30


DEFAULT_LIMITS = Limits()


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


def open_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> Table:
    """The table in ``path`` (format from the name, checked against the content); ``encoding``
    names a CSV file's encoding instead of detecting it."""
    path = Path(path)
    fmt = _readable(path)
    if fmt == "excel":
        return _excel(path, sheet, limits)
    if fmt == "csv":
        return _csv(path, encoding, limits)
    return _json(path, limits)


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


def _workbook(path: Path, limits: Limits = DEFAULT_LIMITS):
    """The calamine workbook of ``path``, or a ``FileProblem`` saying why it is not one (or why it
    is too large to expand)."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    if not (head.startswith(XLSX_MAGIC) or head.startswith(OLE_MAGIC)):
        try:
            text = head.decode("utf-8")
            hint = t("io.xlsx.looks_text") if ("," in text or "\t" in text) else t("io.xlsx.resave")
        except UnicodeDecodeError:
            hint = t("io.xlsx.resave")
        raise FileProblem(t("io.xlsx.not_excel", path=path, suffix=path.suffix, hint=hint))
    if head.startswith(XLSX_MAGIC):
        try:
            book = check_zip(path, limits.size)
        except TooBig as exc:
            raise FileProblem(str(exc)) from None
        if book is not None:  # (not a zip after all: the reader says why)
            book.close()
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise FileProblem(t("io.xlsx.unreadable", path=path, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    return book


def _excel(path: Path, sheet: str | None, limits: Limits) -> Table:
    book = _workbook(path, limits)
    names = book.sheet_names
    if sheet is None:
        index = 0
    elif sheet in names:
        index = names.index(sheet)
    elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
        index = int(sheet) - 1
    else:
        raise FileProblem(t("io.xlsx.no_sheet", sheet=sheet, names="、".join(names)))
    if not names:
        raise FileProblem(t("io.file.no_header", path=path))
    _inspect(path, index, names[index], limits)
    try:
        data = book.get_sheet_by_index(index)
    except Exception as exc:
        raise FileProblem(t("io.xlsx.unreadable", path=path, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    if data.total_height > limits.rows + 1 or data.total_width > limits.columns:  # formats not inspected before
        raise FileProblem(t("io.xlsx.area", sheet=names[index], area=f"{data.start}-{data.end}", rows=f"{data.total_height:,}",
                            columns=f"{data.total_width:,}", reason=t("io.limit.sep").join(
                                [t("io.limit.rows", n=f"{limits.rows:,}"), t("io.limit.columns", n=f"{limits.columns:,}")])))
    merged = _merged(data)
    if merged:
        raise FileProblem(t("io.xlsx.cells", sheet=names[index], cells="\n  ".join(merged)))
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


def _inspect(path: Path, index: int, name: str, limits: Limits) -> None:
    """A sheet's unimportable cells before it is loaded: an .xlsx/.xlsm sheet's extent and cells
    from its XML, an .ods sheet's from its content.xml, an .xls sheet's error cells through xlrd
    (the Excel reader gives all of them as empty)."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        found = inspect_xls(path, index)
    elif suffix in (".xlsx", ".xlsm", ".ods"):
        try:
            book = check_zip(path, limits.size)
        except TooBig as exc:
            raise FileProblem(str(exc)) from None
        if book is None:
            return
        with book:
            try:
                if suffix == ".ods":
                    found = inspect_ods(book, index)
                else:
                    member = sheet_member(book, index)
                    if member is None:
                        return
                    found = inspect_sheet(book, member, sheet=name, limits=limits)
            except TooBig as exc:
                raise FileProblem(str(exc)) from None
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ParseError) as exc:
                raise FileProblem(t("io.xlsx.unreadable", path=path, reason=str(exc) or type(exc).__name__)) from None
    else:
        return
    if found.problems:
        cells = found.problems + ([t("io.xlsx.more", n=found.more)] if found.more else [])
        raise FileProblem(t("io.xlsx.cells", sheet=name, cells="\n  ".join(cells)))


def _merged(data) -> list[str]:
    """Merged ranges the reader reports (formats whose XML is not inspected: .xls, .ods)."""
    try:
        ranges = data.merged_cell_ranges or []
    except Exception:  # a format without merged-cell support in the reader
        return []
    out = []
    for (r1, c1), (r2, c2) in ranges[:SHOWN_CELLS]:
        if (r1, c1) != (r2, c2):
            out.append(t("io.xlsx.merged", cells=f"{column_letters(c1 + 1)}{r1 + 1}:{column_letters(c2 + 1)}{r2 + 1}"))
    return out


def _first_nonblank(numbered):
    for number, cells in numbered:
        if any(not _blank(c) for c in cells):
            return number, cells
    return None


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- CSV --------------------------------------------------------------------------------------

#: the other legacy encodings a CSV from East Asia may be in: each also decodes as GB18030
OTHER_ENCODINGS = ("big5", "shift_jis", "euc_kr")
#: share of the non-ASCII characters that must be everyday Chinese (GB2312) for GB18030 to be
#: trusted: Big5 or Shift-JIS read as GB18030 gives half or more rare characters and symbols
PLAIN_CHINESE = 0.9


def detect_encoding(sample: bytes, complete: bool, path: Path | str = "") -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else GB18030 (a superset of
    GBK and GB2312, what Chinese Excel writes) when the text reads as plain Chinese; otherwise a
    ``FileProblem`` asking for ``--encoding``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=complete)
    except UnicodeDecodeError:
        text = None
    if text is not None and _plain_chinese(text):
        return "gb18030"
    candidates = [name for name in OTHER_ENCODINGS if _decodes(sample, name, complete)]
    if text is None and not candidates:
        return "gb18030"  # undecodable in every candidate: the reader names the row
    shown = "".join(c for c in (text or "") if ord(c) > 0x7F)[:12]
    raise FileProblem(t("io.csv.ambiguous", path=Path(path).name, sample=shown or "-",
                        candidates=" / ".join(candidates + (["GB18030"] if text is not None else [])) or "-"))


def _plain_chinese(text: str) -> bool:
    counts = Counter(c for c in text if ord(c) > 0x7F)
    total = sum(counts.values())
    if not total:
        return True
    plain = 0
    for char, n in counts.items():
        try:
            char.encode("gb2312")
            plain += n
        except UnicodeEncodeError:
            pass
    return plain >= PLAIN_CHINESE * total


def _decodes(sample: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
        return True
    except UnicodeDecodeError:
        return False


def _named_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise FileProblem(t("io.csv.unknown_encoding", encoding=encoding)) from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _within_size(path: Path, size: int, limits: Limits) -> None:
    if size > limits.size:
        raise FileProblem(t("io.limit.file", path=path.name, size=human_size(size), limit=human_size(limits.size)))


def _csv(path: Path, named: str | None, limits: Limits) -> Table:
    size = path.stat().st_size
    _within_size(path, size, limits)
    raw = open(path, "rb")
    try:
        if named:
            encoding = _named_encoding(named)
        else:
            sample = raw.read(SAMPLE)
            raw.seek(0)
            encoding = detect_encoding(sample, complete=len(sample) < SAMPLE, path=path)
    except BaseException:
        raw.close()
        raise
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raw.close()
        raise FileProblem(t("io.csv.encoding", row=1, encoding=encoding)) from None
    delimiter = _delimiter(first)
    text.seek(0)
    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(text, delimiter=delimiter)
    line = [0]

    def records():
        most_rows, most_columns = limits.rows + 1, limits.columns  # the header row is not a data row
        try:
            for number, cells in enumerate(reader, start=1):
                line[0] = number
                if number > most_rows:
                    raise FileProblem(t("io.limit.too_many_rows", path=path.name, n=f"{limits.rows:,}"))
                if len(cells) > most_columns:
                    raise FileProblem(t("io.limit.too_many_columns", path=path.name, row=number, count=f"{len(cells):,}",
                                        n=f"{limits.columns:,}"))
                yield number, cells
        except UnicodeDecodeError:
            raise FileProblem(t("io.csv.encoding", row=line[0] + 1, encoding=encoding)) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileProblem(t("io.cell.too_big", row=line[0] + 1, unit=t("io.unit.row"), n=f"{limits.cell_chars:,}")) from None
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

class _NotANumber(str):
    """NaN, Infinity or a number too large for a float (1e999), as written: refused by cell."""


def _number(text: str):
    value = float(text)
    return value if math.isfinite(value) else _NotANumber(text)


def _json(path: Path, limits: Limits) -> Table:
    _within_size(path, path.stat().st_size, limits)
    data = path.read_bytes()
    try:
        # JSON is UTF-8 (RFC 8259); NaN and Infinity are not JSON, though Python's parser takes them
        items = json.loads(data.decode("utf-8-sig"), parse_constant=_NotANumber, parse_float=_number)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FileProblem(t("io.json.invalid", reason=exc if not isinstance(exc, RecursionError) else "nesting too deep")) from None
    del data
    if not isinstance(items, list):
        raise FileProblem(t("io.json.not_list"))
    if len(items) > limits.rows:
        raise FileProblem(t("io.limit.too_many_rows", path=path.name, n=f"{limits.rows:,}"))
    headers: dict[str, None] = {}
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            headers.update(dict.fromkeys(item))
            _check_json_cells(number, item, limits)
    names = list(headers)
    if len(names) > limits.columns:
        raise FileProblem(t("io.limit.too_many_columns", path=path.name, row=1, count=f"{len(names):,}", n=f"{limits.columns:,}"))
    if not names and items and not all(isinstance(i, dict) for i in items):
        raise FileProblem(t("io.json.not_list"))

    def rows():
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield number, NotAnObject(item)
                continue
            yield number, [item.get(h) for h in names]

    return Table(headers=names, rows=rows(), unit="item", total=len(items), position=lambda: 0)


def _check_json_cells(number: int, item: dict, limits: Limits) -> None:
    for column, value in item.items():
        cls = value.__class__
        if cls is _NotANumber:
            raise FileProblem(t("io.json.not_number", row=number, column=column, value=str(value)))
        if cls is str:
            if len(value) > limits.cell_chars:
                raise FileProblem(t("io.cell.too_big", row=number, unit=t("io.unit.item"), n=f"{limits.cell_chars:,}"))
        elif cls is list or cls is dict:
            raise FileProblem(t("io.json.nested", row=number, column=column, what=t(f"io.json.{cls.__name__}")))


class NotAnObject(list):
    """A JSON item that is not an object: reported as a row problem, never parsed."""

    def __init__(self, item):
        super().__init__()
        self.item = item
