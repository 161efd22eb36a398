"""The plugin under test for xiaoqi.testing's fixtures: registered on ``xiaoqi_plugin_manager`` and
migrated into every test database (so ``zj_safety_trainings`` exists even before installation)."""

import pytest


@pytest.fixture(scope="session")
def xiaoqi_plugins():
    import xiaoqi_zhejiang

    return [xiaoqi_zhejiang]


@pytest.fixture(scope="session")
def xiaoqi_pg_prefix():
    """The PostgreSQL test databases are named zhejiang_test_..., so nobody mistakes them for theirs."""
    return "zhejiang_test"


@pytest.fixture(autouse=True)
def _plugin_loaded(xiaoqi_plugin_manager):
    return xiaoqi_plugin_manager


@pytest.fixture
def zhejiang(xiaoqi_factory):
    """The factory, making records in 杭州 (330100) unless told otherwise."""
    xiaoqi_factory.region = "330100"
    return xiaoqi_factory
