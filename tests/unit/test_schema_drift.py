"""Migrations, models and record kinds describe the same columns: ``xiaoqi.testing.schema_drift``
finds nothing for the core and every built-in plugin, on both databases, and names each kind of
drift it is there to catch."""

import dataclasses

import pytest

from xiaoqi.core import models as m
from xiaoqi.core.kinds import Column, get_kind
from xiaoqi.testing import kind_drift, schema_drift


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_the_core_and_every_builtin_plugin_agree_with_their_tables(xiaoqi_engine):
    assert schema_drift(xiaoqi_engine) == []


def test_every_drift_between_a_kind_and_its_table_is_named():
    schools = get_kind("schools")
    by = schools.by_name
    drifting = dataclasses.replace(schools, columns=[
        dataclasses.replace(by["school_code"]),
        dataclasses.replace(by["name"], type="date"),
        dataclasses.replace(by["level"], required=False),
        dataclasses.replace(by["contact"], max_len=500),
        Column("nickname", "别名", "text"),
    ], key=("contact",))
    assert kind_drift(drifting) == [
        "kind schools vs table schools: column name of type date is AutoString(length=200) in the table",
        "kind schools vs table schools: column level is optional in the kind but NOT NULL in the table",
        "kind schools vs table schools: column contact takes 500 characters, the table 100",
        "kind schools vs table schools: column nickname is not in the table",
        "kind schools vs table schools: the key (contact) is not unique in the table",
    ]
    money = dataclasses.replace(get_kind("positions"), columns=[dataclasses.replace(get_kind("positions").by_name["wage"], type="hours")])
    assert kind_drift(money) == ["kind positions vs table positions: column wage of type hours is Money(precision=14, scale=2) in the table"]


def test_a_model_changed_without_its_migration_is_found(xiaoqi_engine):
    with xiaoqi_engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE schools ADD COLUMN motto VARCHAR(20)")
    found = schema_drift(xiaoqi_engine, kinds=[])
    assert len(found) == 1 and found[0].startswith("migrations vs models: ") and "motto" in found[0]
    assert m.School.__table__.c.get("motto") is None
