"""The check's faster SQL finds what the plain SQL found, on SQLite and PostgreSQL: the per-value
lookups (``RuleContext.per_value``: a rule's date arithmetic once per distinct day instead of once
per row) against the same expressions inline, and the dated rules' index-backed windows
(``RuleContext.validity``) against the per-row test alone — every rule, on the demo and on a
generated registry, with national values and with regional and dated ones."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_TODAY
from tests.pg.test_check_parallel import _as_dicts, _generate
from xiaoqi.core.db import write_session
from xiaoqi.core.rules import run_check
from xiaoqi.core.rules.context import Lookup, RuleContext

pytestmark = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)

#: values by region and date for the rules whose SQL changed, and a rule version dated by region
CONFIG = {"params": {
    "INT-GRADE1": {"school_year_start": [{"region": "32", "value": "08-15"},
                                         {"region": "33", "valid_from": "2025-01-01", "value": "10-01"}]},
    "INT-AGE-MIN": {"min_age": [{"region": "41", "value": 17}, {"region": "33", "valid_from": "2026-01-01", "value": 18}]},
    "INT-DURATION": {"max_months": [{"region": "32", "valid_from": "2025-06-01", "value": 5}],
                     "medical_max_months": [{"value": 8}]},
    "INT-CONSENT-2016": {"valid_to": [{"region": "32", "value": "2022-06-30"}]},
    "INT-PAY-MIN-2016": {"valid_from": [{"region": "41", "value": "2021-06-01"}]},
}}
CHANGED = {"INT-GRADE1", "INT-AGE-MIN", "INT-DURATION"}


def _plain(monkeypatch) -> None:
    """The SQL as it was: each expression inline in every row, no date window from an index."""
    monkeypatch.setattr(RuleContext, "per_value", lambda self, alias, days, match, values, pick, expr: Lookup("", expr(match, pick)))
    monkeypatch.setattr(RuleContext, "validity", lambda self: (None, None))


def _both(engine, monkeypatch, config):
    fast = run_check(engine, config=config, workers=1)
    with monkeypatch.context() as patch:
        _plain(patch)
        plain = run_check(engine, config=config, workers=1)
    return fast, plain


@pytest.mark.parametrize("config", [None, CONFIG], ids=["national", "regional-and-dated"])
def test_the_demo_gives_the_same_findings_as_the_plain_sql(xiaoqi_engine, monkeypatch, config):
    from xiaoqi.core.demo import generate

    with write_session(xiaoqi_engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    fast, plain = _both(xiaoqi_engine, monkeypatch, config)
    assert _as_dicts(fast) == _as_dicts(plain)
    assert fast.rules_run == plain.rules_run
    assert CHANGED <= {f.rule for f in fast.findings}  # the demo's violations exercise the lookups
    assert any(f.numbers.get("rule_version") == "2016" for f in fast.findings)  # and the dated windows


@pytest.mark.parametrize("config", [None, CONFIG], ids=["national", "regional-and-dated"])
def test_a_generated_registry_gives_the_same_findings_as_the_plain_sql(xiaoqi_engine, monkeypatch, config):
    with write_session(xiaoqi_engine) as session:
        _generate(session, seed=11)
    fast, plain = _both(xiaoqi_engine, monkeypatch, config)
    assert _as_dicts(fast) == _as_dicts(plain)
    assert fast.findings
