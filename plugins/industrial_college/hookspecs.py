"""The hook this plugin publishes (``xiaoqi_addhooks``) for other plugins to implement or call.

The incentives plugin credits 30% of an enterprise's *qualifying investment* in vocational education
against its education surcharges; the investment partners make in industrial colleges is recorded
here. Rather than import each other, this plugin implements the hook from its investment records and
the incentives plugin calls ``pm.hook.xiaoqi_qualifying_investments(...)`` when the hook exists
(``hasattr(pm.hook, "xiaoqi_qualifying_investments")``), so either works alone. A plugin that keeps
investment of its own (outside any college) may implement the hook too; each implementation
returns its own lines and the caller gets one list per plugin.
"""

from __future__ import annotations

from xiaoqi.core.hookspecs import hookspec


@hookspec
def xiaoqi_qualifying_investments(conn, year: int, uscc: str | None) -> list[dict]:
    """Qualifying investment lines of ``year`` (of one enterprise when ``uscc`` is given): dicts with
    uscc, year, amount (Decimal yuan), category, source_kind, source_key, evidence."""
