"""陕西 (61), 2023: INT-AGENCY-BAN also covers an internship arranged by an individual
(个人介绍/个人安排), not only by an agency or paid intermediary.

The core records whether an agency was involved (``via_agency``) but not who arranged the
placement, so this plugin keeps that fact in a table of its own (``shaanxi_arrangements``, its own
Alembic branch ``shaanxi``) with an import kind (``xiaoqi import shaanxi_arrangements FILE``, columns
身份证号, 统一社会信用代码, 开始日期, 安排方式, 安排人), and widens the national rule for schools of
the province: findings are reported under INT-AGENCY-BAN. Everything goes through public hooks.
"""

from __future__ import annotations

from pathlib import Path

from xiaoqi.core import hookimpl

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def xiaoqi_register_models():
    from .models import Arrangement

    return [Arrangement]


@hookimpl
def xiaoqi_migration_locations():
    return [str(MIGRATIONS)]


@hookimpl
def xiaoqi_register_record_kinds():
    from .kinds import ARRANGEMENTS

    return [ARRANGEMENTS]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULE

    return [RULE]


@hookimpl
def xiaoqi_demo_data(session, size, seed):
    from .demo import add_demo_arrangements

    add_demo_arrangements(session)
