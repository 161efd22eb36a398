"""From file cells to validated rows: the header row mapped onto a record kind's columns, and rows
parsed a batch at a time with the kind's own ``Column.parse`` and ``checks``.

``RowParser.parse`` gives exactly what ``RecordKind.parse_row`` gives row by row — the same values,
the same problems with the same texts, in the same order — but works column by column and
remembers each distinct cell of a column, so a column of a million cells with a few hundred
distinct values (school codes, dates, 是/否) is parsed a few hundred times.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..fields import is_blank
from ..i18n import catalogue, t
from ..kinds import Column, RecordKind
from ..output import clip
from .readers import FileProblem, NotAnObject

catalogue(
    {
        "io.header.unknown": ("未知的列「{header}」", "unknown column '{header}'"),
        "io.header.duplicate": ("列「{header}」与「{other}」是同一列（{column}），只能出现一次", "column '{header}' is the same as '{other}' ({column}); give it once"),
        "io.header.missing": ("缺少必填列「{header}」", "missing required column '{header}'"),
        "io.header.problems": ("{kind}文件的表头有误：\n  {problems}\n可用的列（中文或英文均可）：{columns}", "The header row of this {kind} file has problems:\n  {problems}\nAccepted columns (Chinese or English): {columns}"),
        "io.cell.no_header": ("此列没有列名，无法导入；请填写列名或删除该列", "this column has no header and cannot be imported; name it or delete it"),
        "io.cell.masked": ("身份证号已脱敏（出生日期被 * 遮盖），不能导入。请用 xiaoqi export --reveal 导出完整号码后再导入", "the ID number is masked (its birth date is hidden by *) and cannot be imported; export with xiaoqi export --reveal to get full numbers"),
        "io.cell.not_object": ("不是对象（{{...}}），已跳过", "not an object ({{...}})"),
    }
)

#: an ID number as ``fields.mask_id`` writes it in an export (110101********1234)
_MASKED = re.compile(r"^\d{6}\*{8}[\dXx*]{4}$")

#: a remembered cell is dropped when a column has seen this many distinct ones (bounds memory)
MEMO_LIMIT = 200_000


@dataclass(slots=True)
class Problem:
    """One problem of one row: the row number the user sees, the column header as written in the
    file, the value as written, and the reason (translated)."""

    row: int
    column: str
    value: Any
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": clip(self.value), "reason": self.reason}


class Notices(Sequence):
    """Problems that do not refuse their row (names kept as text), kept compactly: a million-row
    import may give two for every row. Each part holds one column's notices of one batch — the
    file rows, the values as written and an object whose ``reason(j)`` words the ``j``-th (in the
    language of the import) — and a ``Problem`` is made only when it is read (the summary shows
    the first few, the JSON output all). ``mask`` (set by ``masked``) is applied to each as it is
    read."""

    def __init__(self, parts: list | None = None, mask: Callable[[Problem], Problem] | None = None):
        self._parts: list[tuple[array, str, list, Any]] = parts if parts is not None else []
        self._ends: list[int] = []
        total = 0
        for part in self._parts:
            total += len(part[0])
            self._ends.append(total)
        self.mask = mask

    def add(self, rows: array, column: str, values: list, reasons) -> None:
        """Notices of file ``rows`` in ``column`` (as written), ``values[j]`` and ``reasons.reason(j)``."""
        if rows:
            self._parts.append((rows, column, values, reasons))
            self._ends.append(len(self) + len(rows))

    def masked(self, mask: Callable[[Problem], Problem]) -> "Notices":
        return Notices(self._parts, mask)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def _make(self, part: int, j: int) -> Problem:
        rows, column, values, reasons = self._parts[part]
        problem = Problem(rows[j], column, values[j], reasons.reason(j))
        return self.mask(problem) if self.mask else problem

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        part = bisect.bisect_right(self._ends, index)
        return self._make(part, index - (self._ends[part - 1] if part else 0))

    def __iter__(self) -> Iterator[Problem]:
        for part, (rows, _column, _values, _reasons) in enumerate(self._parts):
            for j in range(len(rows)):
                yield self._make(part, j)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (Sequence, Notices)) else NotImplemented

    def __repr__(self) -> str:
        return f"Notices({len(self)})"


@dataclass
class Layout:
    """Where each column of the kind is in the file (None: not in the file) and its header as written."""

    kind: RecordKind
    index: dict[str, int]
    written: dict[str, str]
    #: positions of columns with an empty header (their cells must be empty)
    unnamed: list[int] = field(default_factory=list)
    width: int = 0

    def header(self, name: str) -> str:
        """The header of column ``name`` as the file writes it (the kind's, in the user's language, if absent)."""
        if name in self.written:
            return self.written[name]
        col = self.kind.by_name.get(name)
        return col.header() if col else name

    @property
    def present(self) -> list[str]:
        return [c.name for c in self.kind.columns if c.name in self.index]


def map_headers(kind: RecordKind, headers: list) -> Layout:
    """The layout of a header row, or a ``FileProblem`` listing every unknown, repeated and
    missing column at once."""
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    unnamed: list[int] = []
    problems: list[str] = []
    for pos, cell in enumerate(headers):
        text = "" if cell is None else str(cell).strip()
        if isinstance(cell, float) and cell.is_integer():
            text = str(int(cell))
        if not text:
            unnamed.append(pos)
            continue
        name = kind.column_for_header(text)
        if name is None:
            problems.append(t("io.header.unknown", header=text))
        elif name in index:
            problems.append(t("io.header.duplicate", header=text, other=written[name], column=kind.by_name[name].header()))
        else:
            index[name] = pos
            written[name] = text
    for col in kind.columns:
        if (col.required or col.key) and col.name not in index:
            problems.append(t("io.header.missing", header=col.header()))
    if problems:
        columns = "、".join(f"{c.zh}/{c.name}" for c in kind.columns)
        raise FileProblem(t("io.header.problems", kind=kind.label(), problems="\n  ".join(problems), columns=columns))
    return Layout(kind=kind, index=index, written=written, unnamed=unnamed, width=len(headers))


def is_english_header_row(layout: Layout, cells: list) -> bool:
    """A template's second row (the English column names under the Chinese ones)."""
    hits = 0
    for name, pos in layout.index.items():
        cell = cells[pos] if pos < len(cells) else None
        if is_blank(cell):
            continue
        if str(cell).strip().lower() != name.lower():
            return False
        hits += 1
    return hits > 0


class _Bad:
    """A cell that failed to parse: the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


class _Memo(dict):
    """Cell -> parsed value (or _Bad) for one column."""

    def __init__(self, column: Column):
        super().__init__()
        self.column = column
        self.failed = 0  # distinct bad cells remembered

    def __missing__(self, key):
        raw = key[1] if key.__class__ is tuple else key
        try:
            if self.column.type == "idcard" and isinstance(raw, str) and _MASKED.match(raw.strip()):
                raise ValueError(t("io.cell.masked"))
            value = self.column.parse(raw)
        except ValueError as exc:
            value = _Bad(str(exc))
            self.failed += 1
        if len(self) >= MEMO_LIMIT:
            self.clear()
            self.failed = 0
        self[key] = value
        return value


class _Derived(dict):
    """Parsed value -> something computed from it (a bound DB value, a JSON fragment), remembered."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self.fn(key)
        if len(self) >= MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value


@dataclass
class Batch:
    """The outcome of parsing a batch: the valid rows (their numbers and values by column) and
    the problems of the others."""

    numbers: list[int]
    #: values of every kind column, column-wise: ``columns[name][i]`` is row i's value
    columns: dict[str, list]
    problems: list[Problem]
    #: rows (positions in this batch) that parsed and passed the kind's checks
    valid: list[int]
    #: label columns set from an alias (跟岗实习 -> kind_label), by row position
    labels: dict[str, dict[int, str]]

    def row(self, i: int) -> dict:
        return {name: values[i] for name, values in self.columns.items()}


class RowParser:
    """Parses batches of ``(row number, cells)`` for one kind and layout."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.kind = layout.kind
        self.memos = {c.name: _Memo(c) for c in self.kind.columns if c.name in layout.index}

    def parse(self, batch: list[tuple[int, list]], *, typed: bool) -> Batch:
        """``typed``: cells are not all text (Excel, JSON), so 1, 1.0 and True are told apart."""
        kind, layout = self.kind, self.layout
        width = layout.width
        numbers: list[int] = []
        cells: list[list] = []
        problems: list[Problem] = []
        for number, row in batch:
            if isinstance(row, NotAnObject):
                problems.append(Problem(number, "-", json.dumps(row.item, ensure_ascii=False, default=str)[:100], t("io.cell.not_object")))
                continue
            if len(row) < width:
                row = list(row) + [None] * (width - len(row))
            numbers.append(number)
            cells.append(row)
        n = len(cells)
        columns: dict[str, list] = {}
        bad: dict[int, list[tuple[str, Any, str]]] = {}
        for col in kind.columns:
            pos = layout.index.get(col.name)
            if pos is None:
                columns[col.name] = [None] * n
                continue
            raw = [row[pos] for row in cells]
            memo = self.memos[col.name]
            keys = [v if v.__class__ is str else (v.__class__, v) for v in raw] if typed else raw
            parsed = list(map(memo.__getitem__, keys))
            if memo.failed:
                for i, value in enumerate(parsed):
                    if value.__class__ is _Bad:
                        bad.setdefault(i, []).append((col.name, raw[i], value.reason))
                        parsed[i] = None
            columns[col.name] = parsed
        for pos in layout.unnamed:
            for i, row in enumerate(cells):
                if not is_blank(row[pos]):
                    bad.setdefault(i, []).append(("", row[pos], t("io.cell.no_header")))
        # RecordKind.parse_row: a choice written with an alias keeps its spelling in the label column
        labels: dict[str, dict[int, str]] = {}
        for col in kind.columns:
            if not col.label_column or col.name not in layout.index:
                continue
            aliases = dict(col.aliases)
            pos = layout.index[col.name]
            found = {}
            for i, row in enumerate(cells):
                value = columns[col.name][i]
                if value is None:
                    continue
                written = str(row[pos]).strip()
                if written != value and written in aliases:
                    found[i] = written
            if found:
                labels[col.label_column] = found
                target = columns[col.label_column]
                for i, written in found.items():
                    target[i] = written
        valid: list[int] = []
        names = list(columns)
        checks = kind.checks
        for i, values in (enumerate(zip(*columns.values())) if n else ()):
            if i in bad:
                continue
            if checks:
                row_values = dict(zip(names, values))
                found = [(name, row_values.get(name), reason) for check in checks for name, reason in check(row_values)]
                if found:
                    bad[i] = found
                    continue
            valid.append(i)
        for i in sorted(bad):
            for name, value, reason in bad[i]:
                problems.append(Problem(numbers[i], layout.header(name) if name else "", value, reason))
        problems.sort(key=lambda p: p.row)
        return Batch(numbers=numbers, columns=columns, problems=problems, valid=valid, labels=labels)


@dataclass
class Prepared:
    """A parsed batch made ready for the database (``Preparer.prepare``): everything an import
    computes from the file alone, so that it can run in another process than the writing.

    Lists are aligned: position ``i`` is the ``i``-th valid row of the batch."""

    #: rows counted for the summary (parsed rows and JSON items that are not objects)
    counted: int
    #: problems found while parsing (cells, cross-column checks)
    problems: list[Problem]
    #: file row numbers of the valid rows
    numbers: list[int]
    #: parsed values of the valid rows, every column of the kind
    cols: dict[str, list]
    #: database values of the valid rows (bound for the dialect), every column an insert writes
    bound: dict[str, list]
    #: the columns an insert writes (stored + derived + defaults) and those an update writes
    insert_names: list[str]
    write_names: list[str]
    #: natural key per row (bound values) and as text (the audit's key, "a/b/c")
    keys: list[tuple]
    key_texts: list[str]
    #: how far the reader got (for progress)
    position: int = 0
    english_row: bool = False


class Preparer:
    """Parses batches of file rows and prepares them for writing: the pure-Python half of an
    import (no database access), identical in the importing process and in a parse worker."""

    def __init__(self, layout: Layout, dialect):
        kind = self.kind = layout.kind
        self.layout = layout
        table = kind.model.__table__
        self.table_columns = table.c
        self.stored = [c.name for c in kind.columns if c.name in table.c]
        present = set(layout.present)
        for col in kind.columns:
            if col.label_column and col.name in present:
                present.add(col.label_column)
        self.present = [n for n in self.stored if n in present]
        self.binders: dict[str, _Derived | None] = {}
        for name in table.c.keys():
            bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            self.binders[name] = _Derived(bind) if bind else None
        self.defaults = {}
        for name in self.stored:
            default = table.c[name].default
            if name not in present and default is not None and default.is_scalar:
                self.defaults[name] = default.arg
        self.parser = RowParser(layout)
        self.key_strings = {k: _Derived(lambda v: "" if v is None else str(v)) for k in kind.key}

    def bound(self, name: str, values: list) -> list:
        binder = self.binders.get(name)
        return list(map(binder.__getitem__, values)) if binder is not None else values

    def prepare(self, chunk: list[tuple[int, list]], *, typed: bool, position: int = 0) -> Prepared:
        kind = self.kind
        batch = self.parser.parse(chunk, typed=typed)
        counted = len(batch.numbers) + sum(1 for p in batch.problems if p.column == "-")
        valid = batch.valid
        numbers = batch.numbers
        if len(valid) == len(numbers):
            cols = batch.columns
        else:
            cols = {name: [values[i] for i in valid] for name, values in batch.columns.items()}
        rows_no = [numbers[i] for i in valid]
        n = len(rows_no)
        bound = {name: self.bound(name, cols[name]) for name in self.stored}
        derived = self._derived(cols, n)
        for name, values in derived.items():
            bound[name] = self.bound(name, values)
        for name, value in self.defaults.items():
            bound[name] = self.bound(name, [value] * n)
        keys = list(zip(*(bound[k] for k in kind.key))) if n else []
        key_texts = ["/".join(parts) for parts in zip(*(list(map(self.key_strings[k].__getitem__, cols[k])) for k in kind.key))] if n else []
        return Prepared(counted=counted, problems=batch.problems, numbers=rows_no, cols=cols, bound=bound,
                        insert_names=self.stored + list(derived), write_names=self.present + list(derived),
                        keys=keys, key_texts=key_texts, position=position)

    def _derived(self, cols: dict[str, list], n: int) -> dict[str, list]:
        """Columns the kind derives from a row (a student's birth date), column-wise."""
        if self.kind.derive is None or not n:
            return {}
        names = list(cols)
        out: dict[str, list] = {}
        for i, values in enumerate(zip(*cols.values())):
            extra = self.kind.derive(dict(zip(names, values)))
            for name, value in extra.items():
                if name in self.table_columns and name not in cols:
                    out.setdefault(name, [None] * n)[i] = value
        return out
