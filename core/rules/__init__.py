"""The compliance rule engine: rules, their parameters, and findings.

How a plugin defines a rule
===========================
A rule is a ``Rule`` returned from the hook ``xiaoqi_register_rules``. Its ``evaluate`` function
receives a ``RuleContext`` and yields ``Finding`` objects. It must find every violation in the
registry with a few set-based SQL queries (never a Python loop over internships), and it streams
the result rows, so memory holds only the findings::

    from xiaoqi.core import hookimpl
    from xiaoqi.core.i18n import catalogue, t
    from xiaoqi.core.rules import Param, Rule

    catalogue({"xx.late.msg": ("协议晚于开始日期 {days} 天", "agreement signed {days} days after the start")})

    def _late_agreement(ctx):
        sql = f'''
            SELECT i.id_number, i.uscc, i.start_on, i.school_code, i.agreement_signed_on
            FROM internships i JOIN schools s ON s.school_code = i.school_code
            WHERE i.kind = '岗位实习' AND {ctx.scope("i")}
              AND {ctx.applies("s.region", "i.start_on")}
              AND i.agreement_signed_on > {ctx.sql.add_days("i.start_on", ctx.param("grace_days", region="s.region", on="i.start_on"))}
        '''
        for row in ctx.rows(sql):
            yield ctx.internship_finding(row, t("xx.late.msg", days=...), numbers={...})

    RULE = Rule(
        id="XX-LATE-AGREEMENT", severity="error", title=("协议迟签", "Late agreement"),
        source="《某省实习管理办法》第十条", region_by="school", province="99",
        params=(Param("grace_days", "int", default=None, doc=("宽限天数", "days of grace")),),
        evaluate=_late_agreement,
    )

    @hookimpl
    def xiaoqi_register_rules():
        return [RULE]

What the context gives a rule:

- ``ctx.scope("i")``: the SQL condition limiting internships (alias ``i``) to what the user asked for
  (``--school``, ``--enterprise``, ``--on``). ``ctx.school``, ``ctx.enterprise``, ``ctx.on`` hold the
  raw values for rules whose subject is not an internship.
- ``ctx.as_of``: the day the check takes as today (``--as-of``, else ``--on``, else today's date);
  a rule about "still missing" or "the past year" reads it instead of ``date.today()``.
- ``ctx.param(name, region=SQL, on=SQL)``: the parameter's value as a SQL expression, resolved per row
  for that region code and date (a ``CASE`` over the few known values; NULL where none applies, so
  ``x > NULL`` never reports). ``ctx.param_index`` gives the index into ``ctx.candidates(name)`` instead,
  for list parameters (see ``ctx.param_in_list``).
- ``ctx.applies(region, date)``: the condition that a regional rule (``Rule.province``) or a rule in
  force from a date (``Rule.valid_from``) applies to the row; ``1 = 1`` for a national rule.
- ``ctx.sql``: portable SQL snippets (``add_days``, ``add_months``, ``add_years``, ``greatest``,
  ``least``, ``date``, ``days_between``, ``make_date``) for SQLite and PostgreSQL alike.
- ``ctx.per_value(...)``: date arithmetic done once per distinct day (a JOIN and the value's SQL)
  instead of once per row; ``ctx.validity()`` / ``ctx.window("i")``: the days a dated rule covers.
- ``ctx.rows(sql, **binds)``: run a query (with the binds that ``param`` and ``scope`` collected)
  and iterate its rows as mappings (``ctx.tuples``: as plain rows); ``ctx.finding`` /
  ``ctx.internship_finding`` build findings.
- For rules that count or cover days in one ordered pass (``core.rules.sweep``): dates as day
  ordinals (``ctx.sql.day_number``), and the Python mirrors of the SQL pieces (``ctx.param_value``,
  ``ctx.applies_to``, ``ctx.steps``).

``run_check`` runs the rules side by side on several read connections of one snapshot (see
``core.rules.engine``), each rule in one thread: ``evaluate`` uses ``ctx.conn`` and nothing shared.

Parameters and regions
======================
Each ``Param`` has a national default; ``default=None`` means no public text fixes the figure
("not settled"). Values come from ``ParamValue`` objects (hook ``xiaoqi_rule_params``) and from the
configuration file (``[params."RULE-ID"]`` in ``xiaoqi.toml``, see ``xiaoqi.core.config``). For a
row, the value with the most specific matching region wins (city ``320100`` over province ``32``
over national ``""``), then the latest ``valid_from`` on or before the row's date; the
configuration file wins over every plugin at the same region and date. A required parameter that
has no value anywhere switches its rule off; ``run_check`` lists such rules in
``CheckResult.switched_off`` and ``xiaoqi check`` says so once.

``Rule.region_by`` says which region decides: ``"school"`` (the school's region, the default),
``"work"`` (the internship's work region, else the enterprise's) or ``"enterprise"``.

Regional variants of a national rule
====================================
A regional plugin that widens a national rule (陕西: INT-AGENCY-BAN also covers arrangement by an
individual) registers a ``Rule`` with ``extends="INT-AGENCY-BAN"`` and ``province="61"``: its
findings are reported under the national id, it runs whenever that rule runs, and it reads the
national rule's parameters.
"""

from __future__ import annotations

import importlib

# Each name from the module that defines it, imported by its first use: a plugin declaring its rules
# (``from xiaoqi.core.rules import Param, Rule``) loads the model, not the engine, so that a short
# command that runs no rule (``xiaoqi status``, a check answered from the kept run) does without it.
_WHERE = {
    **dict.fromkeys(("RuleContext", "Scope"), "context"),
    **dict.fromkeys(("ProgressFn", "check_as", "default_workers", "run_check"), "engine"),
    **dict.fromkeys(("Explanation", "ParamExplanation", "explain"), "explain"),
    **dict.fromkeys(("AGE_AT_START", "HIDDEN_DATE", "Fact"), "facts"),
    **dict.fromkeys(("CONFIG_ORIGIN", "PARAM_TYPES", "REGION_BY", "SEVERITIES", "CheckResult", "Finding", "Param",
                     "ParamValue", "Rule", "SwitchedOff", "coerce_value", "format_value"), "model"),
    **dict.fromkeys(("ParamTable", "config_param_values", "find_param", "param_table"), "params"),
    **dict.fromkeys(("get_rule", "get_rules", "rule_variants"), "registry"),
    **dict.fromkeys(("CENT", "JOIN_POSITION", "JOIN_SCHOOL_ENTERPRISE", "JOIN_STUDENT", "SqlDialect", "as_date",
                     "internship_key", "list_contains", "money"), "sql"),
}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_WHERE})


__all__ = [
    "AGE_AT_START", "HIDDEN_DATE", "Fact", "CENT", "CONFIG_ORIGIN", "JOIN_POSITION", "JOIN_SCHOOL_ENTERPRISE", "JOIN_STUDENT", "PARAM_TYPES", "REGION_BY", "SEVERITIES",
    "CheckResult", "Explanation", "check_as", "Finding", "Param", "ParamExplanation", "ParamTable", "ParamValue",
    "ProgressFn", "Rule", "RuleContext", "Scope", "SqlDialect", "SwitchedOff", "as_date", "coerce_value",
    "config_param_values", "default_workers", "explain", "find_param", "format_value", "get_rule", "get_rules", "internship_key",
    "list_contains", "money", "param_table", "rule_variants", "run_check",
]
