"""The hook this plugin publishes (``xiaoqi_addhooks``): intern-subsidy schemes of cities and
provinces, added by other plugins without importing this one.

A scheme is a dict:

- ``id`` — short and unique, e.g. ``"ningde"``; it is the ledger's ``scheme`` for its lines;
- ``name`` — (Chinese, English);
- ``region`` — the region-code prefix it covers (``"3509"``);
- ``pass_on_days`` — the days within which a paid subsidy must reach the student (None: not passed on);
- ``cases`` — ``cases(conn, year)``: the scheme's cases of that year, each a dict with ``uscc``,
  ``id_number``, ``school_code``, ``amount`` (Decimal yuan), ``source_kind``, ``source_key`` (the
  internship), ``steps`` (a list of ``(name, status, reason)``, status ``pass``/``fail``/``unknown``).

``xiaoqi incentives accrue`` claims every case of every scheme whose steps do not fail; a case is
``<scheme id>/<USCC>/<ID number>/<year>``.
"""

from __future__ import annotations

from xiaoqi.core.hookspecs import hookspec


@hookspec
def xiaoqi_intern_subsidy_schemes() -> list[dict]:
    """Intern-subsidy schemes (dicts: id, name, region, pass_on_days, cases) — see the module."""
