"""Industrial colleges (产业学院): the colleges a vocational school co-builds, co-manages and
co-shares with enterprises and often a local government (2021 Opinions §十; the seven construction
tasks of 教高厅函〔2020〕16号).

This is the reference example of a plugin that owns tables; read it in this order:

1. ``vocabulary.py`` — the words of the domain (types, statuses, the seven tasks), spelled once;
2. ``models.py`` and ``migrations/`` — the tables, in the plugin's own Alembic branch;
3. ``kinds.py`` — the record kinds: columns with Chinese and English headers, keys, references,
   checks and who may see and change what (``Access``); import, export, templates and forms follow;
4. ``parties.py`` — the guards that hold every record to the college's own parties.

Everything is reached through public hooks only; the heavy modules are imported inside the hooks,
so loading the plugin costs nothing until one of its parts is used.
"""

from __future__ import annotations

from pathlib import Path

from xiaoqi.core import hookimpl

MIGRATIONS = Path(__file__).parent / "migrations"


@hookimpl
def xiaoqi_register_models():
    from .models import MODELS

    return list(MODELS)


@hookimpl
def xiaoqi_migration_locations():
    return [str(MIGRATIONS)]


@hookimpl
def xiaoqi_register_column_types():
    from .kinds import COLUMN_TYPES

    return list(COLUMN_TYPES)


@hookimpl
def xiaoqi_register_record_kinds():
    from .kinds import KINDS

    return list(KINDS)
