"""河南 (41), 2022: a mental-health assessment (心理健康评估) is recorded before any internship of a
Henan school starts (rule HA-MENTAL-CHECK).

A worked example of a regional plugin that needs data the core does not hold: it owns a table
(``henan_mental_checks``, its own Alembic branch ``henan``), an import kind
(``xiaoqi import henan_mental_checks FILE``), demo data and a rule — all through public hooks.
"""

from __future__ import annotations

from pathlib import Path

from xiaoqi.core import hookimpl

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def xiaoqi_register_models():
    from .models import MentalHealthCheck

    return [MentalHealthCheck]


@hookimpl
def xiaoqi_migration_locations():
    return [str(MIGRATIONS)]


@hookimpl
def xiaoqi_register_record_kinds():
    from .kinds import MENTAL_CHECKS

    return [MENTAL_CHECKS]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULE

    return [RULE]


@hookimpl
def xiaoqi_demo_data(session, size, seed):
    from .demo import add_demo_assessments

    add_demo_assessments(session)
