"""Record kinds: the columns of every file, form and export, and how a row becomes a database
row. One ``RecordKind`` per kind serves import, export, templates, services and TUI forms.

Plugins add kinds through ``xiaoqi_register_record_kinds``; ``get_kinds()`` returns them all.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from .lazy import lazy_module

from . import fields as f
from .access import Access, Rights, actor_clause, resolve
from .actors import Actor
from .errors import XiaoqiError
from .i18n import both, catalogue, get_lang, t
from .plugins import CORE, contributions, derived, unique

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

catalogue(
    {
        "kind.unknown": ("未知的数据类型「{name}」。可用：{names}", "Unknown record kind '{name}'. Available: {names}"),
        "kind.bad_type": ("数据类型 {kind}（{plugin}）的列 {column} 的类型「{type}」不存在。已有的类型：{types}",
                          "Column {column} of record kind {kind} ({plugin}) has type '{type}', which nobody registered. Known types: {types}"),
    }
)


@dataclass(frozen=True)
class ColumnType:
    """A column type: its name (``Column.type``), the parser of one cell (canonical value, or
    ``ValueError`` with the reason) and its description (zh, en) for templates and forms. The
    core's types are ``CORE_COLUMN_TYPES``; a plugin adds its own with ``xiaoqi_register_column_types``
    (their canonical value is text, as for ``code10`` or ``uscc``)."""

    name: str
    #: None for the types ``Column.parse`` reads itself (text of a maximum length, choices, lists)
    parse: Callable[[Any], Any] | None
    doc: tuple[str, str]
    #: how its values are stored, as the core value type whose column holds them ("money" for a
    #: decimal such as credits or a score, "int", "date" ...); None: as text
    stored_as: str | None = None


CORE_COLUMN_TYPES: tuple[ColumnType, ...] = (
    ColumnType("text", None, ("文本", "text")),
    ColumnType("code10", f.parse_code10, ("10位数字", "10 digits")),
    ColumnType("uscc", f.parse_uscc, ("统一社会信用代码", "USCC")),
    ColumnType("idcard", f.parse_idcard, ("身份证号", "ID number")),
    ColumnType("region", f.parse_region, ("6位行政区划代码", "6-digit region code")),
    ColumnType("work_region", f.parse_work_region,
               ("6位行政区划代码；境外填国家或地区代码（如 TH）", "6-digit region code; abroad, a country or territory code (e.g. TH)")),
    ColumnType("date", f.parse_date, ("日期", "date")),
    ColumnType("money", f.parse_money, ("金额（元）", "money (yuan)")),
    ColumnType("int", f.parse_int, ("整数", "integer")),
    ColumnType("hours", f.parse_hours, ("小时数（最多一位小数）", "hours (at most one decimal)")),
    ColumnType("bool", f.parse_bool, ("是/否", "yes/no")),
    ColumnType("term", f.parse_term, ("学期，如 2025-2026-1", "term, e.g. 2025-2026-1")),
    ColumnType("digits2", lambda v: f.parse_digits(v, 2), ("2位数字", "2 digits")),
    ColumnType("digits4", lambda v: f.parse_digits(v, 4), ("4位数字", "4 digits")),
    ColumnType("digits6", lambda v: f.parse_digits(v, 6), ("6位数字", "6 digits")),
    ColumnType("choice", None, ("选项", "choice")),
    ColumnType("list", None, ("列表（用、分隔）", "list (separated by 、)")),
)
#: the column types whose value is not text
VALUE_TYPES = ("date", "money", "int", "bool", "hours")


@derived
def column_types() -> dict[str, ColumnType]:
    """Every column type by name: the core's, then those plugins register (a name registered
    twice is a ``PluginConflict``)."""
    core = {ct.name: ct for ct in CORE_COLUMN_TYPES}
    added = unique("column_type", ((plugin, ct.name, ct) for plugin, ct in contributions("xiaoqi_register_column_types")),
                   taken={name: CORE for name in core})
    return {**core, **added}


def type_doc(type_name: str, lang: str | None = None) -> str:
    """How a column type is described to users (the name itself for a type nobody registered)."""
    known = column_types().get(type_name)
    return both(*known.doc, lang) if known else type_name


@dataclass(frozen=True)
class Column:
    """One column of a record kind: its English name (the attribute), Chinese header and type."""

    name: str
    zh: str
    type: str
    required: bool = False
    key: bool = False
    choices: tuple[str, ...] = ()
    #: other spellings accepted for a choice, mapped to the canonical value (e.g. 顶岗实习 -> 岗位实习)
    aliases: tuple[tuple[str, str], ...] = ()
    #: English spelling of each choice (accepted on import, shown with --lang en)
    choices_en: tuple[str, ...] = ()
    doc: tuple[str, str] = ("", "")
    max_len: int = 200
    #: where a choice written with one of its ``aliases`` keeps the spelling it was written with
    label_column: str | None = None

    @property
    def is_text(self) -> bool:
        """The value is text (codes, names, choices, lists, a plugin's own types): everything but
        dates, money, integers and booleans."""
        return self.type not in VALUE_TYPES

    def header(self, lang: str | None = None) -> str:
        return both(self.zh, self.name, lang)

    def choice_text(self, value: str | None, lang: str | None = None) -> str | None:
        """A stored choice (or list of choices) as the reader's language spells it: the Chinese
        value, or its English spelling in English; anything else unchanged."""
        if value is None or not self.choices_en or (lang or get_lang()) != "en":
            return value
        english = dict(zip(self.choices, self.choices_en))
        if self.type == "list":
            return f.LIST_JOIN.join(english.get(item, item) for item in str(value).split(f.LIST_JOIN))
        return english.get(value, value)

    def type_doc(self, lang: str | None = None) -> str:
        text = type_doc(self.type, lang)
        if self.choices:
            text += ": " + " / ".join(self.choices)
        return text

    def _choice(self, value: str) -> str:
        if value in self.choices:
            return value
        canonical = dict(self.aliases).get(value)
        if canonical:
            return canonical
        for zh, en in zip(self.choices, self.choices_en):
            if value.lower() == en.lower():
                return zh
        raise ValueError(t("v.choice", choices=" / ".join(self.choices)))

    def parse(self, value) -> Any:
        """The canonical value of a cell, None for an empty optional cell; ValueError otherwise."""
        if f.is_blank(value):
            if self.required:
                raise ValueError(t("v.required"))
            return None
        if self.type == "choice":
            return self._choice(f.parse_text(value))
        if self.type == "list":
            items = tuple(i for i in f.parse_list(value) if not f.is_none_word(i))
            if self.choices:
                items = tuple(self._choice(i) for i in items)
            if not items and self.required:
                raise ValueError(t("v.required"))
            return f.LIST_JOIN.join(items) if items else None
        if self.type == "text":
            return f.parse_text(value, self.max_len)
        return column_types()[self.type].parse(value)


@dataclass(frozen=True)
class Reference:
    """Columns of this kind that must name an existing record of another kind (one that the
    writer may read: a write never reaches outside the writer's scope)."""

    kind: str
    columns: tuple[str, ...]  # this kind's columns, in the order of the target's key
    target_columns: tuple[str, ...]
    #: columns that must hold the same value here and in the referenced record (an internship's
    #: school is its student's school)
    agree: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedReference:
    """A reference that a file or form may give by name: ``column`` holds the target's key (an ID
    number), ``name_column`` the name as written (kept as text, also for old data without a key).
    A name that matches exactly one record of ``kind`` within ``scope`` — pairs of (this kind's
    column, the target's column), e.g. the internship's school and the teacher's — fills the key
    in; a name that matches none or several is kept as text and reported (``xiaoqi.core.io.resolve``).
    The column must also be one of the kind's ``references``."""

    column: str
    name_column: str
    kind: str
    scope: tuple[tuple[str, str], ...]
    target_name: str = "name"


class RowProblems(Exception):
    def __init__(self, problems: list[tuple[str, Any, str]]):
        super().__init__(problems)
        self.problems = problems


class _ModelField:
    """``RecordKind.model``: the table class, or where it is (``"package.module:Class"``), imported
    on first use, so that declaring a kind (``xiaoqi --help``, ``xiaoqi status`` counting rows by
    ``table``) builds no model class of a kind the command does not touch."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError(self.slot)  # no default: the dataclass requires it
        value = obj.__dict__[self.slot]
        if isinstance(value, str):
            module, _, attribute = value.partition(":")
            value = getattr(importlib.import_module(module), attribute)
            if obj.table != value.__tablename__:
                raise ValueError(f"record kind {obj.name!r}: its model {value.__name__} has the table "
                                 f"{value.__tablename__!r}, not {obj.table!r} (say table={value.__tablename__!r})")
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value):
        if isinstance(value, str) and not IMPORT_PATH.match(value):
            raise ValueError(f"model {value!r}: a table class or 'package.module:Class'")
        obj.__dict__[self.slot] = value


IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


@dataclass
class RecordKind:
    """A kind of record: its table, columns, natural key, references and who may see and change it.

    ``model`` is the SQLModel table class or its import path (``"package.module:Class"``),
    imported when first used: declaring kinds builds no table class, and a command builds only
    those of the kinds it touches (``table`` names the table without the class)."""

    name: str
    zh: str
    en: str
    model: type = _ModelField()
    columns: list[Column]
    key: tuple[str, ...]
    references: list[Reference] = field(default_factory=list)
    #: column naming the school that owns the record, if any
    school_column: str | None = None
    #: column naming the enterprise that owns the record, if any
    enterprise_column: str | None = None
    #: who may read, change and reveal it (``xiaoqi.core.access``); derived from the two columns
    #: above where it says nothing
    access: Access = field(default_factory=Access)
    #: cross-column checks: ``check(values) -> [(column, reason)]``
    checks: list[Callable[[dict], list[tuple[str, str]]]] = field(default_factory=list)
    #: values derived from the row for the table (``derive(values) -> dict``), e.g. birth date
    derive: Callable[[dict], dict] | None = None
    #: the plugin that registered it (None for the core)
    plugin: str | None = None
    #: references a file may give by name instead of key (internship mentors)
    named_references: list[NamedReference] = field(default_factory=list)
    #: the table's name: the model's; for a model given by its import path, the kind's name
    #: unless said here (checked when the model is imported)
    table: str | None = None

    def __post_init__(self):
        model = self.__dict__["_model"]
        if self.table is None:
            self.table = self.name if isinstance(model, str) else model.__tablename__

    @property
    def model_loaded(self) -> bool:
        """The model class exists already (it was given, or imported by an earlier use)."""
        return not isinstance(self.__dict__["_model"], str)

    def label(self, lang: str | None = None) -> str:
        return both(self.zh, self.en, lang)

    @cached_property
    def rights(self) -> Rights:
        """The access declaration resolved: a scope for every action and actor type."""
        return resolve(self)

    @property
    def writable(self) -> bool:
        """Written through the generic services and imports (not only through its own service)."""
        return self.rights.service is None

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @cached_property
    def header_map(self) -> dict[str, str]:
        """Every accepted header (Chinese, English, case-insensitive English) -> column name."""
        out = {}
        for c in self.columns:
            out[c.zh] = c.name
            out[c.name] = c.name
            out[c.name.lower()] = c.name
        return out

    def column_for_header(self, header: str) -> str | None:
        h = str(header).strip()
        return self.header_map.get(h) or self.header_map.get(h.lower())

    def key_of(self, values: dict) -> str:
        return "/".join("" if values.get(k) is None else str(values[k]) for k in self.key)

    def parse_row(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate one row given by column name; returns canonical values or raises RowProblems."""
        values: dict[str, Any] = {}
        problems: list[tuple[str, Any, str]] = []
        for col in self.columns:
            value = raw.get(col.name)
            try:
                values[col.name] = col.parse(value)
            except ValueError as exc:
                problems.append((col.name, value, str(exc)))
        for col in self.columns:
            if col.label_column and values.get(col.name) is not None:
                written = str(raw.get(col.name)).strip()
                if written != values[col.name] and written in dict(col.aliases):
                    values[col.label_column] = written
        if not problems:
            for check in self.checks:
                problems.extend((name, values.get(name), reason) for name, reason in check(values))
        if problems:
            raise RowProblems(problems)
        return values

    def db_values(self, values: dict) -> dict:
        """The table row for parsed values (adds derived columns)."""
        row = dict(values)
        if self.derive:
            row.update(self.derive(values))
        return row

    def export_values(self, obj_or_row) -> dict:
        """The file row (column name -> value) of a table row."""
        get = obj_or_row.get if isinstance(obj_or_row, dict) else (lambda n: getattr(obj_or_row, n))
        return {c.name: get(c.name) for c in self.columns}

    def key_clause(self, key_values: dict):
        return sa.and_(*[getattr(self.model, k) == key_values[k] for k in self.key])

    def parse_key(self, key: str | dict) -> dict:
        """Key values from a dict or from the "a/b/c" text form (as audit entries and findings print it)."""
        if isinstance(key, dict):
            raw = key
        else:
            parts = str(key).split("/")
            if len(parts) > len(self.key):
                parts = self._rejoin(parts)
            if len(parts) != len(self.key):
                raise RowProblems([("/".join(self.key), key, t("v.required"))])
            raw = dict(zip(self.key, parts))
        out, problems = {}, []
        for name in self.key:
            col = self.by_name[name]
            try:
                out[name] = col.parse(raw.get(name))
            except ValueError as exc:
                problems.append((name, raw.get(name), str(exc)))
            if out.get(name) is None and not problems:
                problems.append((name, raw.get(name), t("v.required")))
        if problems:
            raise RowProblems(problems)
        return out

    def _rejoin(self, parts: list[str]) -> list[str]:
        """The text form's parts when a key column may itself hold "/": the one free-text column
        of the key (text without choices) takes the parts the others (codes, choices, numbers,
        dates) leave; otherwise unchanged."""
        free = [i for i, name in enumerate(self.key) if self.by_name[name].type == "text" and not self.by_name[name].choices]
        if len(free) != 1:
            return parts
        i, after = free[0], len(self.key) - free[0] - 1
        return parts[:i] + ["/".join(parts[i:len(parts) - after])] + parts[len(parts) - after:]

    def read_filter(self, actor: Actor):
        """A WHERE clause limiting what ``actor`` sees (None: everything)."""
        return actor_clause(self, actor, "read")


@derived
def get_kinds() -> dict[str, RecordKind]:
    """Every record kind by name: the core's, then those plugins register, in registration order.
    A name (or a Chinese or English label) used by two kinds is a ``PluginConflict``; a column of
    a type nobody registered is reported when the kinds are collected."""
    from .core_kinds import CORE_KINDS

    kinds = [(CORE, kind) for kind in CORE_KINDS] + contributions("xiaoqi_register_record_kinds")
    # get_kind finds a kind by its name or either label: each of them names one kind only
    unique("kind", ((plugin, ident, kind) for plugin, kind in kinds for ident in dict.fromkeys((kind.name, kind.zh, kind.en))))
    types = column_types()
    for plugin, kind in kinds:
        for col in kind.columns:
            if col.type not in types:
                raise XiaoqiError(t("kind.bad_type", kind=kind.name, plugin=plugin, column=col.name, type=col.type,
                                    types=", ".join(types)))
    by_name = {kind.name: kind for _, kind in kinds}
    return by_name


def get_kind(name: str) -> RecordKind:
    kinds = get_kinds()
    if name in kinds:
        return kinds[name]
    for kind in kinds.values():  # Chinese names work too: 学生, 实习 ...
        if name in (kind.zh, kind.en):
            return kind
    raise KeyError(t("kind.unknown", name=name, names=", ".join(kinds)))
