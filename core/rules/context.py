"""``RuleContext``: what a rule's ``evaluate`` works with (scope, parameters as SQL, rows, findings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, Sequence

from .model import Finding, ParamValue, Rule
from .params import ParamTable
from .sql import JOIN_SCHOOL_ENTERPRISE, SqlDialect, as_date, internship_key

if TYPE_CHECKING:  # SQLAlchemy is imported when a rule runs, not when a plugin declares one
    import sqlalchemy as sa

@dataclass(frozen=True)
class Scope:
    school: str | None = None
    enterprise: str | None = None
    #: only internships active on this day (``--on``)
    on: dt.date | None = None
    #: the day the rules take as today (``--as-of``), without narrowing the internships
    as_of: dt.date | None = None


class Lookup(NamedTuple):
    """What ``RuleContext.per_value`` gives: a JOIN clause and the SQL of the value it joins."""

    join: str
    value: str


def _sqlite_value(value: Any) -> Any:
    """A bind value as SQLAlchemy hands it to sqlite3 (Decimal as float, a date as ISO text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _total(value: ParamValue) -> bool:
    """The value applies to every region on every date."""
    return not value.region and value.valid_from is None


def login_role(conn) -> str | None:
    """The actor type of the login ``conn`` runs as on PostgreSQL (None: SQLite, or the database's
    owner, or a database without logins). Read again each time: a login's actor may change while
    a session is open."""
    if conn.dialect.name != "postgresql" or not conn.exec_driver_sql("SELECT to_regclass('xiaoqi_sec.logins') IS NOT NULL").scalar():
        return None
    return conn.exec_driver_sql("SELECT role FROM xiaoqi_sec.logins WHERE login = current_user").scalar()


class RuleContext:
    """What a rule's ``evaluate`` works with (see the module docstring)."""

    def __init__(self, conn: sa.Connection, rule: Rule, params: ParamTable, scope: Scope, *,
                 known: dict[str, list[Finding]] | None = None):
        self.conn = conn
        #: findings of rules already run in this check over ``scope``, by rule id (``findings_of``)
        self.known = known
        self.rule = rule
        self.params = params
        self.scope_values = scope
        self.sql = SqlDialect(conn.dialect.name)
        self.binds: dict[str, Any] = {}
        self._n = 0
        self._role: str | None | bool = False  # not read yet (``facts``)

    # the user's filters
    @property
    def school(self) -> str | None:
        return self.scope_values.school

    @property
    def enterprise(self) -> str | None:
        return self.scope_values.enterprise

    @property
    def on(self) -> dt.date | None:
        """``--on``: the day the internships in scope are active (None: any day)."""
        return self.scope_values.on

    @property
    def as_of(self) -> dt.date:
        """The day a rule takes as today: ``--as-of``, else ``--on``, else today's date. A rule that
        asks "is X still missing?" or "which year has ended?" reads this, never ``date.today()``."""
        return self.scope_values.as_of or self.scope_values.on or dt.date.today()

    @property
    def facts(self) -> bool:
        """The check runs as a login on PostgreSQL (not the owner, not an admin's login): personal
        data outside the login's reveal scope reads as masked, and the rule reads its declared
        facts (``fact``) instead of that data."""
        if self._role is False:
            self._role = login_role(self.conn)
        return self._role not in (None, "admin")

    def fact(self, fact, alias: str = "i") -> str:
        """SQL for the value of ``fact`` (a ``Fact`` the rule declares in ``Rule.facts``) about the
        row ``alias`` of its table, read from the login's facts view (NULL for a row outside the
        login's read scope). Only for ``facts``: otherwise the rule reads the data itself."""
        if fact not in self.rule.facts:
            raise ValueError(f"rule {self.rule.id} reads the fact {fact.table}.{fact.name} without declaring it")
        return f"(SELECT f.{fact.name} FROM {fact.view} f WHERE f.id = {alias}.id)"

    def bind(self, value: Any) -> str:
        """A new bind parameter holding ``value``; returns its SQL (dates become date expressions)."""
        self._n += 1
        name = f"p{self._n}"
        if isinstance(value, dt.date):
            self.binds[name] = value.isoformat() if self.sql.sqlite else value
            return self.sql.date(name)
        self.binds[name] = value
        return f":{name}"

    def scope(self, alias: str = "i") -> str:
        """SQL condition for internships ``alias`` within the user's --school/--enterprise/--on."""
        parts = ["1 = 1"]
        if self.school:
            parts.append(f"{alias}.school_code = {self.bind(self.school)}")
        if self.enterprise:
            parts.append(f"{alias}.uscc = {self.bind(self.enterprise)}")
        if self.on:
            day = self.bind(self.on)
            parts.append(f"{alias}.start_on <= {day} AND {alias}.end_on >= {day}")
        return " AND ".join(parts)

    def region(self, i: str = "i", s: str = "s", e: str = "e") -> str:
        """SQL for the region code that decides this rule (``Rule.region_by``), given the aliases of
        the internship, its school and its enterprise."""
        if self.rule.region_by == "school":
            return f"{s}.region"
        if self.rule.region_by == "enterprise":
            return f"{e}.region"
        return f"COALESCE({i}.work_region, {e}.region)"

    def applies(self, region: str, date: str) -> str:
        """SQL condition: this (regional / dated) rule applies to a row with that region and date:
        the region is the rule's province, and the date lies within the rule's validity as it
        resolves for that region (``valid_from`` / ``valid_to``, see ``ParamTable``)."""
        parts = ["1 = 1"]
        if self.rule.province:
            parts.append(f"substr({region}, 1, {len(self.rule.province)}) = {self.bind(self.rule.province)}")
        first, last = self.validity()
        if first and last:  # a closed window (an older text): an index on the date finds its few rows
            parts.append(f"{date} >= {self.bind(first)} AND {date} <= {self.bind(last)}")
        for name, op in (("valid_from", ">="), ("valid_to", "<=")):
            cands = self.params.candidates(self.rule.id, name)
            if cands and not (len(cands) == 1 and _total(cands[0]) and first and last):
                # where no value applies to the region, the rule is not bounded that way
                bound = self._case_of(cands, region, date, lambda k, v: self.literal(v.value))
                parts.append(f"{date} {op} COALESCE({bound}, {date})")
        return " AND ".join(parts)

    def validity(self) -> tuple[dt.date | None, dt.date | None]:
        """The earliest first day and the latest last day of this rule in any region (None: not
        bounded that way in some region): every day the rule applies to lies between them."""
        bounds = []
        for name, pick in (("valid_from", min), ("valid_to", max)):
            cands = self.params.candidates(self.rule.id, name)
            # bounded everywhere only if some value applies to every region and date
            bounds.append(pick(v.value for v in cands) if any(_total(v) for v in cands) else None)
        return bounds[0], bounds[1]

    def window(self, alias: str = "i") -> str:
        """SQL condition: internship ``alias`` lasts into the days this rule applies to (its
        validity), for rules that count days rather than judge each internship by its start."""
        first, last = self.validity()
        parts = ["1 = 1"]
        if last:
            parts.append(f"{alias}.start_on <= {self.bind(last)}")
        if first:
            parts.append(f"{alias}.end_on >= {self.bind(first)}")
        return " AND ".join(parts)

    def candidates(self, name: str) -> list[ParamValue]:
        return self.params.candidates(self.rule.extends or self.rule.id, name)

    # the same decisions in Python, for rules that sweep rows in Python (``core.rules.sweep``)
    def applies_to(self, region: str | None, on: dt.date | None) -> bool:
        """Python mirror of ``applies``: the rule applies to a row of that region and date (None:
        before every date)."""
        if self.rule.province and not (region or "").startswith(self.rule.province):
            return False
        start = self.params.resolve(self.rule.id, "valid_from", region or "", on)
        end = self.params.resolve(self.rule.id, "valid_to", region or "", on)
        if start is not None and (on is None or on < start.value):
            return False
        return end is None or on is None or on <= end.value

    def param_value(self, name: str, *, region: str | None, on: dt.date | None) -> Any:
        """Python mirror of ``param``: the value for that region and date (None: none applies)."""
        value = self.params.resolve(self.rule.extends or self.rule.id, name, region or "", on)
        return None if value is None else value.value

    def steps(self, value_at: Callable[[dt.date | None], Any], *names: str) -> list[tuple[int | None, Any]]:
        """``value_at(day)`` as steps over days, for ``sweep.exceeding``: its value before any
        change day (``value_at(None)``), then from each day on which this rule or one of the
        parameters ``names`` starts to apply (``valid_from``) or the rule stops (the day after a
        ``valid_to``), as ``(day ordinal, value)``."""
        days = {v.valid_from for name in names for v in self.candidates(name) if v.valid_from}
        days |= {v.value for v in self.params.candidates(self.rule.id, "valid_from")}
        days |= {v.value + dt.timedelta(days=1) for v in self.params.candidates(self.rule.id, "valid_to")}
        return [(None, value_at(None)), *((day.toordinal(), value_at(day)) for day in sorted(days))]

    def _case(self, name: str, region: str, on: str, result: Callable[[int, ParamValue], str]) -> str:
        return self._case_of(self.candidates(name), region, on, result)

    def _case_of(self, cands: list[ParamValue], region: str, on: str, result: Callable[[int, ParamValue], str]) -> str:
        if not cands:
            return "NULL"
        if len(cands) == 1 and not cands[0].region and cands[0].valid_from is None:
            return result(0, cands[0])
        branches = []
        for k, v in enumerate(cands):
            cond = []
            if v.region:
                cond.append(f"substr({region}, 1, {len(v.region)}) = {self.bind(v.region)}")
            if v.valid_from:
                cond.append(f"{on} >= {self.bind(v.valid_from)}")
            branches.append(f"WHEN {' AND '.join(cond) or '1 = 1'} THEN {result(k, v)}")
        return "(CASE " + " ".join(branches) + " ELSE NULL END)"

    def param(self, name: str, *, region: str, on: str) -> str:
        """The parameter as a SQL expression for rows with region code ``region`` and date ``on``."""
        return self._case(name, region, on, lambda k, v: self.literal(v.value))

    def param_index(self, name: str, *, region: str, on: str) -> str:
        """The index into ``candidates(name)`` of the value that applies (NULL: none)."""
        return self._case(name, region, on, lambda k, v: str(k))

    def param_in_list(self, name: str, item_sql: Callable[[str], str], *, region: str, on: str) -> str:
        """SQL condition: some item of the list parameter satisfies ``item_sql(bound_item)``."""
        def result(k, v):
            tests = [item_sql(self.bind(item)) for item in v.value]
            return "(CASE WHEN " + (" OR ".join(tests) or "1 = 0") + " THEN 1 ELSE 0 END)"

        return f"({self._case(name, region, on, result)} = 1)"

    def literal(self, value: Any) -> str:
        """``value`` as SQL: numbers and booleans as literals (Decimal stays exact on PostgreSQL),
        anything else as a new bind parameter."""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (int, Decimal)):
            return str(value)  # a number is a safe literal; Decimal stays exact on PostgreSQL
        return self.bind(value)

    def per_value(self, alias: str, days: tuple[str, str], match: str, values: Sequence[Any], pick: str,
                  expr: Callable[[str, str], str]) -> Lookup:
        """``expr(day, value)`` for each row, computed once per distinct day and value rather than
        once per row (date arithmetic on SQLite costs a microsecond a call, and nested
        expressions repeat their parts): put ``.join`` among the query's joins and use ``.value``
        (the column ``alias.v``). ``days`` is the ``(table, column)`` whose distinct values the
        rows' days (``match``) are among, ``values`` the values the per-row SQL ``pick`` can take
        (for a parameter: ``[c.value for c in ctx.candidates(name)]`` with ``pick=ctx.param(name,
        ...)``). Where ``pick`` or ``match`` is NULL the value is NULL, as ``expr`` of a NULL is."""
        if not values:
            return Lookup(f"LEFT JOIN (SELECT NULL AS day, NULL AS k, NULL AS v) {alias} ON 1 = 0", f"{alias}.v")
        table, column = days
        options = " UNION ALL ".join(f"SELECT {self.literal(v)} AS k" for v in dict.fromkeys(values))
        # DISTINCT keeps the table whole (SQLite does not fold it into the outer query, so expr runs
        # once per distinct pair); the LEFT JOIN puts it inside the loop over the rows
        return Lookup(f"LEFT JOIN (SELECT DISTINCT d.day AS day, c.k AS k, {expr('d.day', 'c.k')} AS v "
                      f"FROM (SELECT DISTINCT {column} AS day FROM {table}) d CROSS JOIN ({options}) c) {alias} "
                      f"ON {alias}.day = {match} AND {alias}.k = {pick}", f"{alias}.v")

    def rows(self, sql: str, **binds) -> Iterator[sa.RowMapping]:
        """Run ``sql`` with the collected binds and stream its rows as mappings."""
        import sqlalchemy as sa

        # per statement: Connection.execution_options() would change the caller's connection for good
        result = self.conn.execute(sa.text(sql), {**self.binds, **binds},
                                   execution_options={"stream_results": True, "yield_per": 2000})
        for row in result.mappings():
            yield row

    def tuples(self, sql: str, **binds) -> Iterator[sa.Row]:
        """As ``rows``, as plain rows read by position: the cheaper form for a sweep over every
        internship."""
        import sqlalchemy as sa

        if self.sql.sqlite:
            # the driver's own cursor, in the connection's transaction (the same snapshot): rows come
            # as tuples built in C, without a Row object each (a sweep reads every internship)
            self.conn.exec_driver_sql("SELECT 1").all()  # the transaction has begun (SQLAlchemy begins lazily)
            cursor = self.conn.connection.driver_connection.cursor()
            try:
                cursor.execute(sql, {k: _sqlite_value(v) for k, v in {**self.binds, **binds}.items()})
                while batch := cursor.fetchmany(5000):
                    yield from batch
            finally:
                cursor.close()
            return
        result = self.conn.execute(sa.text(sql), {**self.binds, **binds},
                                   execution_options={"stream_results": True, "yield_per": 5000})
        yield from result

    def internship_rows(self, where: str, *, columns: Sequence[str] = (), joins: Sequence[str] = (),
                        kinds: Sequence[str] | None = None) -> Iterator[sa.RowMapping]:
        """Rows of the internships in scope (alias ``i``, with their school ``s`` and enterprise
        ``e``) to which this rule applies and that satisfy ``where``: one query, streamed.

        ``columns`` are extra SELECT expressions (``"st.birth_date AS birth_date"``), ``joins`` extra
        JOIN clauses, ``kinds`` the internship kinds looked at (default: every kind). The
        standard aliases ``st`` (the student) and ``p`` (the position) are available through
        ``JOIN_STUDENT`` and ``JOIN_POSITION``."""
        kind_sql = ""
        if kinds:
            kind_sql = "i.kind IN (" + ", ".join(self.bind(k) for k in kinds) + ") AND "
        extra = "".join(f", {c}" for c in columns)
        sql = (f"SELECT i.id_number, i.uscc, i.start_on, i.end_on, i.school_code, i.kind{extra} "
               f"FROM internships i {JOIN_SCHOOL_ENTERPRISE} {' '.join(joins)} "
               f"WHERE {kind_sql}{self.scope('i')} AND {self.applies(self.region(), 'i.start_on')} AND ({where})")
        return self.rows(sql)

    def findings_of(self, rule: Rule, **scope) -> list[Finding]:
        """The findings of another rule (and its regional variants) with this check's parameters,
        over this check's scope narrowed by ``scope`` (``school=``, ``enterprise=``, ``on=``): for a
        rule that judges what other rules find, e.g. a partner enterprise with internship
        violations (declare it ``reads_findings``). Nothing when that rule is switched off for lack
        of a parameter.

        Narrowed to a school or an enterprise only, they are read from the findings of the whole
        check: the rule's findings over this check's scope, run once (a check hands over those of
        the rules it has run), of which those naming that school (``school_code``) or enterprise
        (``uscc``). That is what the narrowed check finds for a rule whose scope narrows only the
        subject it reports on, as every internship rule's does (``scope`` filters the internship a
        finding is about); with ``on=`` the rule runs narrowed."""
        from dataclasses import replace

        from .engine import evaluate

        if self.params.unsettled(rule):
            return []
        column = {"school": "school_code", "enterprise": "uscc"}
        if self.known is not None and set(scope) <= set(column) and all(
                v is not None and getattr(self.scope_values, k) in (None, v) for k, v in scope.items()):
            whole = self.known.get(rule.id)
            if whole is None:
                whole = self.known.setdefault(rule.id, evaluate(self.conn, rule, self.params, self.scope_values, known=self.known))
            return [f for f in whole if all(getattr(f, column[k]) == v for k, v in scope.items())]
        return evaluate(self.conn, rule, self.params, replace(self.scope_values, **scope))

    def finding(self, *, subject_kind: str, subject_key: str, message: str, school_code: str | None = None,
                uscc: str | None = None, numbers: dict | None = None, dates: list | None = None) -> Finding:
        numbers = dict(numbers or {})
        if self.rule.version:
            numbers.setdefault("rule_version", self.rule.version)
        return Finding(rule=self.rule.reported_id, severity=self.rule.severity, subject_kind=subject_kind,
                       subject_key=subject_key, message=message, school_code=school_code, uscc=uscc,
                       numbers=numbers, dates=[(as_date(a), as_date(b)) for a, b in (dates or [])])

    def internship_finding(self, row, message: str, *, numbers: dict | None = None, dates: list | None = None) -> Finding:
        """A finding about the internship in ``row`` (columns id_number, uscc, start_on, school_code)."""
        return self.finding(subject_kind="internships", subject_key=internship_key(row), message=message,
                            school_code=row["school_code"], uscc=row["uscc"], numbers=numbers, dates=dates)

