"""Facts for rules run by a login that may not read the personal data they come from.

On a shared PostgreSQL database a login reads a student's birth date and hardship flag as NULL
outside its reveal scope (``core.logins``), so a rule that reads them would find nothing there. A
rule declares instead the facts it needs (``Rule.facts``): a ``Fact`` is a value derived from a
row's student (an age in whole years, a yes/no), about the rows of one table. The database gives
each login the facts of the rows in its read scope only, and never the data they are derived from,
in a view per table, ``xiaoqi_masked.facts_<table>`` (id of the row, one column per fact), owned by
the database's owner (``logins.facts_views``). A rule run by such a login (``ctx.facts``) reads
``ctx.fact(table, name)`` where it would read the personal column.

The view is keyed by the judged row (an internship, a result), not by the student, and gives
only what a finding about that row says anyway: the age at the start of an internship, not the
birth date; a hardship charged a fee, not the student's hardship.

Rules that read personal data no fact gives, or a table the login may not read at all, are not
run for that login and the check says so (``engine``: ``SwitchedOff.reason``): never a silent gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..privacy import _HIDDEN_DATE
from .sql import SqlDialect

#: a birth date a finding shows hidden (as every surface shows the birth date of a masked ID number)
HIDDEN_DATE = _HIDDEN_DATE
#: where the views live (the masked views' schema, first on every login's search_path)
SCHEMA = "xiaoqi_masked"


@dataclass(frozen=True)
class Fact:
    """A value derived from personal data about each row of ``table`` (which has an ``id``):
    ``sql`` is its PostgreSQL expression over the row ``r`` and its student ``st`` (the student
    whose ID number is ``r.<student>``), ``type`` its SQL type."""

    table: str
    name: str
    type: str
    sql: str
    student: str = "id_number"
    #: what the fact tells (zh, en), for the docs and the views' comments
    doc: tuple[str, str] = ("", "")

    @property
    def view(self) -> str:
        return f"{SCHEMA}.facts_{self.table}"

    def column_sql(self) -> str:
        """The fact as a column of its view: the expression over the row's student."""
        return (f"(SELECT {self.sql} FROM public.students st WHERE st.id_number = r.{self.student})")


def _age_at(day: str) -> str:
    """Whole years from the student's birth date to ``day`` as the rules count them: the
    largest N with ``add_years(birth, N) <= day`` (29 February + 1 year is 28 February), so that
    ``age < N`` holds exactly when ``day < add_years(birth, N)``."""
    d = SqlDialect("postgresql")
    years = f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) - CAST(EXTRACT(YEAR FROM st.birth_date) AS INTEGER))"
    return f"{years} - CASE WHEN {d.add_years('st.birth_date', years)} > {day} THEN 1 ELSE 0 END"


#: the student's age in whole years on the first day of an internship
AGE_AT_START = Fact("internships", "age_at_start", "integer", _age_at("r.start_on"),
                    doc=("实习开始日学生的周岁年龄", "the student's age in whole years on the internship's first day"))


def all_facts() -> list[Fact]:
    """Every fact the registered rules (and their regional variants) declare, once each."""
    from .registry import rule_set

    rules = rule_set()
    seen: dict[tuple[str, str], Fact] = {}
    for rule in [*rules.rules.values(), *rules.all_variants()]:
        for fact in rule.facts:
            other = seen.setdefault((fact.table, fact.name), fact)
            if other != fact:
                raise ValueError(f"fact {fact.table}.{fact.name}: declared twice, differently (rule {rule.id})")
    return list(seen.values())


# -- what a login may not read -------------------------------------------------------------------

#: a table named after FROM or JOIN, with its alias
_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(?:(?:public|xiaoqi_masked)\.)?\"?([a-z_][a-z0-9_]*)\"?(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?",
                    re.IGNORECASE)
#: words that follow a table where no alias is given
_NOT_ALIAS = {"on", "where", "join", "left", "right", "inner", "outer", "cross", "full", "group", "order", "limit", "union",
              "using", "natural", "having", "window", "except", "intersect", "offset", "for", "and", "or", "when", "then", "as"}


def _masked_for(kind, actor_type: str) -> dict[str, str]:
    """The personal columns of ``kind`` whose values an actor of ``actor_type`` reads masked in
    some rows of its read scope (its reveal scope is narrower), other than ID numbers (read as
    pseudonyms, the same in every table, so that joins on them still hold)."""
    from ..access import IDCARD, IDS
    from ..logins import db_personal

    rights = kind.rights
    if rights.scope("reveal", actor_type).label(kind, actor_type) == rights.scope("read", actor_type).label(kind, actor_type):
        return {}
    return {c: m for c, m in db_personal(kind).items() if m not in (IDCARD, IDS)}


def unreadable(statements: list[str], actor_type: str) -> list[str]:
    """What ``statements`` (the SQL a rule ran) read that an actor of ``actor_type`` may not: a
    table it may not read at all, or a masked personal column (``alias.column``); each as the
    kind's name and the column's label (empty: nothing)."""
    from ..access import NONE
    from ..kinds import get_kinds

    kinds = {k.model.__tablename__: k for k in get_kinds().values()}
    found: dict[str, None] = {}
    for sql in statements:
        for match in _TABLE.finditer(sql):
            table, alias = match.group(1).lower(), (match.group(2) or "").lower()
            kind = kinds.get(table)
            if kind is None:
                continue
            if kind.rights.scope("read", actor_type) is NONE:
                found[kind.label()] = None
                continue
            names = {table} | ({alias} if alias and alias not in _NOT_ALIAS else set())
            for column in _masked_for(kind, actor_type):
                if any(re.search(rf"\b{re.escape(n)}\.\"?{re.escape(column)}\b", sql, re.IGNORECASE) for n in names):
                    label = kind.by_name[column].header() if column in kind.by_name else column
                    found[f"{kind.label()}.{label}"] = None
    return list(found)
