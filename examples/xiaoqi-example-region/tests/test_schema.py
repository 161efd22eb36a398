"""The plugin's model, its migration and its record kind describe the same columns, on both
databases (``xiaoqi.testing.schema_drift``: Alembic's comparison plus every kind against its table)."""

import pytest

from xiaoqi.testing import schema_drift


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_models_migrations_and_kinds_agree(xiaoqi_engine):
    assert schema_drift(xiaoqi_engine) == []
