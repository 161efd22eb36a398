"""The hook implementations every table-owning plugin writes alike, in one place.

A plugin package that keeps its models in ``models.py`` (``MODELS``), its record kinds in
``kinds.py`` (``KINDS``, and ``COLUMN_TYPES`` when it declares column types) and its Alembic
branch in ``migrations/`` registers all of them with::

    from xiaoqi.core.plugin_tables import table_hooks

    globals().update(table_hooks(__name__, column_types=True))

Each hook imports its module only when pluggy first calls it, as the hand-written hooks did, so a
short command that never asks for a plugin's models does not build them.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from .hookspecs import hookimpl


def table_hooks(package: str, *, column_types: bool = False) -> dict:
    """``xiaoqi_register_models``, ``xiaoqi_migration_locations``, ``xiaoqi_register_record_kinds``
    (and ``xiaoqi_register_column_types`` with ``column_types``) for the plugin package ``package``."""
    migrations = Path(sys.modules[package].__file__).parent / "migrations"

    def attribute(module: str, name: str) -> list:
        return list(getattr(importlib.import_module(f"{package}.{module}"), name))

    @hookimpl
    def xiaoqi_register_models():
        return attribute("models", "MODELS")

    @hookimpl
    def xiaoqi_migration_locations():
        return [str(migrations)]

    @hookimpl
    def xiaoqi_register_record_kinds():
        return attribute("kinds", "KINDS")

    hooks = {"xiaoqi_register_models": xiaoqi_register_models, "xiaoqi_migration_locations": xiaoqi_migration_locations,
             "xiaoqi_register_record_kinds": xiaoqi_register_record_kinds}
    if column_types:
        @hookimpl
        def xiaoqi_register_column_types():
            return attribute("kinds", "COLUMN_TYPES")

        hooks["xiaoqi_register_column_types"] = xiaoqi_register_column_types
    return hooks
