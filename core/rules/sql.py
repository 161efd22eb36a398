"""Portable SQL for rules (SQLite and PostgreSQL) and the small readers of result rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

class SqlDialect:
    """Portable snippets: dates are ISO text on SQLite and DATE on PostgreSQL."""

    def __init__(self, name: str):
        self.name = name
        self.sqlite = name == "sqlite"

    def date(self, bind: str) -> str:
        """A bound date parameter ``:bind`` as a date expression (bind the ISO string)."""
        return f":{bind}" if self.sqlite else f"CAST(:{bind} AS DATE)"

    def add_days(self, expr: str, n: int | str) -> str:
        if self.sqlite:
            return f"date({expr}, ({n}) || ' days')"
        return f"({expr} + ({n}))"

    def days_between(self, a: str, b: str) -> str:
        """Days from ``a`` to ``b`` (b - a)."""
        if self.sqlite:
            return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"
        return f"({b} - {a})"

    def add_months(self, expr: str, n: int | str) -> str:
        """``expr`` plus ``n`` months, the day clamped to the month's end (31 Aug + 6 = 28/29 Feb)."""
        if self.sqlite:
            return (f"MIN(date({expr}, 'start of month', ({n}) || ' months', (CAST(strftime('%d', {expr}) AS INTEGER) - 1) || ' days'), "
                    f"date({expr}, 'start of month', (({n}) + 1) || ' months', '-1 days'))")
        return f"CAST({expr} + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"

    def add_years(self, expr: str, n: int | str) -> str:
        return self.add_months(expr, f"12 * ({n})")

    def in_year_of(self, expr: str, monthday: str) -> str:
        """The date in the year of ``expr`` on ``monthday`` (SQL text 'MM-DD')."""
        if self.sqlite:
            return f"date(strftime('%Y', {expr}) || '-' || {monthday})"
        return f"CAST(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) || '-' || {monthday} AS DATE)"

    def greatest(self, *exprs: str) -> str:
        return f"{'MAX' if self.sqlite else 'GREATEST'}({', '.join(exprs)})"

    def least(self, *exprs: str) -> str:
        return f"{'MIN' if self.sqlite else 'LEAST'}({', '.join(exprs)})"

    def province(self, expr: str) -> str:
        return f"substr({expr}, 1, 2)"

    def day_number(self, expr: str) -> str:
        """The date ``expr`` as a whole number of days, ``datetime.date.toordinal()``'s numbering
        (for sweeps in Python: ``core.rules.sweep``)."""
        if self.sqlite:
            return f"(CAST(julianday({expr}) AS INTEGER) - 1721424)"
        return f"({expr} - DATE '0001-01-01' + 1)"

    def bytewise(self, expr: str) -> str:
        """``expr`` compared as Python compares strings (code points), for ORDER BY clauses whose
        streams Python merges; PostgreSQL would otherwise order by the database's locale."""
        return expr if self.sqlite else f'{expr} COLLATE "C"'

    def year(self, expr: str) -> str:
        """The calendar year of the date ``expr``, as an integer."""
        if self.sqlite:
            return f"CAST(strftime('%Y', {expr}) AS INTEGER)"
        return f"CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER)"

    def make_date(self, year: str, month: int | str, day: int | str) -> str:
        """The date of a year (an integer expression, e.g. a column) and a month and day."""
        if self.sqlite:
            return f"printf('%04d-%02d-%02d', {year}, {month}, {day})"
        return f"make_date(CAST({year} AS INTEGER), {month}, {day})"


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def list_contains(haystack: str, item_sql: str) -> str:
    """SQL: the 、-joined list column ``haystack`` contains the item ``item_sql``."""
    return f"('、' || {haystack} || '、') LIKE ('%、' || {item_sql} || '、%')"


#: the school ``s`` and enterprise ``e`` of internship ``i``. Every internship has both (foreign
#: keys), so a LEFT JOIN finds what an inner join would, and both databases leave it out of a
#: query that does not use it (most rules need the region only where a value is regional).
JOIN_SCHOOL_ENTERPRISE = ("LEFT JOIN schools s ON s.school_code = i.school_code "
                          "LEFT JOIN enterprises e ON e.uscc = i.uscc")
JOIN_STUDENT = "JOIN students st ON st.id_number = i.id_number"
JOIN_POSITION = "JOIN positions p ON p.uscc = i.uscc AND p.position_code = i.position_code"
CENT = Decimal("0.01")


def money(value) -> Decimal | None:
    """A money value read from SQL (float on SQLite, Decimal on PostgreSQL) as Decimal yuan."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


def internship_key(row) -> str:
    """The internship's natural key in the "a/b/c" form of ``RecordKind.key_of``."""
    return f"{row['id_number']}/{row['uscc']}/{as_date(row['start_on']).isoformat()}"

