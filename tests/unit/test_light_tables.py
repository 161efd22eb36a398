"""The tables that short commands read without model classes (``check_store``'s, the dashboard's
columns, the 1+X holdings a check's rule asks for) name columns the models define, with the same
kind of value."""

import pytest

from xiaoqi.core import check_store, dashboard, models
from xiaoqi.core.kinds import get_kinds
from xiaoqi.plugins.onex import holdings


def _same_column(table_name: str, name: str, type_) -> None:
    real = models.SQLModel.metadata.tables[table_name].c
    assert name in real, f"{table_name}.{name}"
    assert real[name].type._type_affinity is type_._type_affinity or (
        real[name].type.python_type is type_.python_type), f"{table_name}.{name}: {real[name].type!r} vs {type_!r}"


@pytest.mark.parametrize("table", [check_store.RUNS, check_store.FINDINGS, check_store.AUDIT,
                                   holdings.ISSUED, holdings.CERTIFICATES], ids=lambda t: t.name)
def test_light_tables_are_the_models(table):
    import xiaoqi.plugins.onex.models  # noqa: F401  (the 1+X tables in the metadata)

    for column in table.c:
        _same_column(table.name, column.name, column.type)


@pytest.mark.parametrize("kind_name", sorted(dashboard._COLUMNS))
def test_dashboard_columns_are_the_models(kind_name):
    kind = get_kinds()[kind_name]
    import sqlalchemy as sa

    for name, type_ in dashboard._COLUMNS[kind_name].items():  # SQLAlchemy's type by its name
        _same_column(kind.table, name, getattr(sa, type_)())
