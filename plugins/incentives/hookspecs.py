"""The hook this plugin publishes (``xiaoqi_addhooks``): intern-subsidy schemes of cities and
provinces, added by other plugins without importing this one.

A scheme is a dict:

- ``id`` — short and unique, e.g. ``"ningde"``; it is the ledger's ``scheme`` for its lines;
- ``name`` — (Chinese, English);
- ``region`` — the region-code prefix it covers (``"3509"``);
- ``params`` — its figures, a tuple of ``xiaoqi.core.rules.Param`` (a default where a public text
  fixes the figure, ``None`` where none does); they are the parameters of the scheme's rule
  ``INC-<ID>`` (``rule`` names another id), so a regional or dated value is a ``ParamValue`` of a
  plugin's ``xiaoqi_rule_params`` or a ``[params."INC-<ID>"]`` row of ``xiaoqi.toml``. A parameter
  ``pass_on_days`` (the days within which a paid subsidy reaches the student) makes rule
  INC-PASS-ON apply;
- ``valid_from`` / ``valid_to`` — optional dates: the internships (by start) the scheme covers,
  re-datable per region like any rule's;
- ``source`` — optional: the text the scheme comes from;
- ``cases`` — ``cases(ctx, year)``: the scheme's cases of that year, each a dict with ``uscc``,
  ``id_number``, ``school_code``, ``region`` (the enterprise's), ``amount`` (Decimal yuan; None
  where a figure was missing), ``source_kind``, ``source_key`` (the internship), ``steps`` (a list
  of ``(name, status, reason)``, status ``pass``/``fail``/``unknown``). ``ctx`` is a
  ``schemes.SchemeContext``: ``ctx.conn``, ``ctx.applies(region_sql, date_sql)`` (the scheme's
  region and validity), ``ctx.param(name, region=…, on=…)`` (a figure as SQL, resolved per row),
  ``ctx.param_value`` (in Python), ``ctx.bind`` / ``ctx.rows``, and ``ctx.need(value, name,
  region=…, on=…)`` to note a figure without a value — ``accrue`` and ``claim`` then refuse,
  naming the parameter.

``xiaoqi incentives accrue`` claims every case of every scheme whose steps do not fail; a case is
``<scheme id>/<USCC>/<ID number>/<year>``.
"""

from __future__ import annotations

from xiaoqi.core.hookspecs import hookspec


@hookspec
def xiaoqi_intern_subsidy_schemes() -> list[dict]:
    """Intern-subsidy schemes of a city or province: dicts with id, name, region, params, cases(ctx, year) and optionally valid_from, valid_to and source (each key described in xiaoqi.plugins.incentives.hookspecs)."""
