"""Record kinds: the columns of every file, form and export (RECORDS.md), and how a row becomes a
database row. One ``RecordKind`` per kind serves import, export, templates, services and TUI forms.

Plugins add kinds through ``xiaoqi_register_record_kinds``; ``get_kinds()`` returns them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import sqlalchemy as sa

from . import fields as f
from .access import Access, Rights, actor_clause, resolve
from .actors import Actor
from .i18n import both, catalogue, get_lang, t
from .plugins import hook_results, on_plugins_changed

catalogue(
    {
        "kind.unknown": ("未知的数据类型「{name}」。可用：{names}", "Unknown record kind '{name}'. Available: {names}"),
    }
)

# Column types and their parsers (RECORDS.md, "Types")
PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": f.parse_text,
    "code10": f.parse_code10,
    "uscc": f.parse_uscc,
    "idcard": f.parse_idcard,
    "region": f.parse_region,
    "date": f.parse_date,
    "money": f.parse_money,
    "int": f.parse_int,
    "bool": f.parse_bool,
    "digits2": lambda v: f.parse_digits(v, 2),
    "digits4": lambda v: f.parse_digits(v, 4),
    "digits6": lambda v: f.parse_digits(v, 6),
}
#: the column types whose value is not text
VALUE_TYPES = ("date", "money", "int", "bool")
TYPE_DOC = {
    "text": ("文本", "text"), "code10": ("10位数字", "10 digits"), "uscc": ("统一社会信用代码", "USCC"),
    "idcard": ("身份证号", "ID number"), "region": ("6位行政区划代码", "6-digit region code"),
    "date": ("日期", "date"), "money": ("金额（元）", "money (yuan)"), "int": ("整数", "integer"),
    "bool": ("是/否", "yes/no"), "digits2": ("2位数字", "2 digits"), "digits4": ("4位数字", "4 digits"),
    "digits6": ("6位数字", "6 digits"), "choice": ("选项", "choice"), "list": ("列表（用、分隔）", "list (separated by 、)"),
    "holder": ("学校代码或统一社会信用代码", "school code or USCC"),
}


def register_column_type(name: str, parser: Callable[[Any], Any], doc: tuple[str, str]) -> None:
    """Add a column type for plugin kinds (its cell parser and its description in zh and en);
    the canonical value is text, as for ``code10`` or ``uscc``."""
    PARSERS[name] = parser
    TYPE_DOC[name] = doc


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
        zh, en = TYPE_DOC.get(self.type, (self.type, self.type))
        text = both(zh, en, lang)
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
            items = f.parse_list(value)
            if self.choices:
                items = tuple(self._choice(i) for i in items)
            if not items and self.required:
                raise ValueError(t("v.required"))
            return f.LIST_JOIN.join(items) if items else None
        if self.type == "text":
            return f.parse_text(value, self.max_len)
        return PARSERS[self.type](value)


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


@dataclass
class RecordKind:
    """A kind of record: its table, columns, natural key, references and who may see and change it."""

    name: str
    zh: str
    en: str
    model: type
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

    def read_filter(self, actor: Actor):
        """A WHERE clause limiting what ``actor`` sees (None: everything)."""
        return actor_clause(self, actor, "read")


_kinds: dict[str, RecordKind] | None = None


@on_plugins_changed
def _reset() -> None:
    global _kinds
    _kinds = None


def get_kinds() -> dict[str, RecordKind]:
    """Every record kind by name: the core's, then those plugins register."""
    global _kinds
    if _kinds is None:
        from .core_kinds import CORE_KINDS

        kinds = {k.name: k for k in CORE_KINDS}
        for kind in hook_results("xiaoqi_register_record_kinds"):
            kinds[kind.name] = kind
        _kinds = kinds
    return _kinds


def get_kind(name: str) -> RecordKind:
    kinds = get_kinds()
    if name in kinds:
        return kinds[name]
    for kind in kinds.values():  # Chinese names work too: 学生, 实习 ...
        if name in (kind.zh, kind.en):
            return kind
    raise KeyError(t("kind.unknown", name=name, names=", ".join(kinds)))
