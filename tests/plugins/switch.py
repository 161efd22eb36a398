"""Switching a built-in plugin off and on again within a test, as a user does with
``XIAOQI_DISABLE_PLUGINS`` (keeping whatever else the variable names)."""

from __future__ import annotations

import os

from xiaoqi.core import plugins


def plugin_loaded(monkeypatch, name: str, loaded: bool) -> None:
    others = [p for p in os.environ.get("XIAOQI_DISABLE_PLUGINS", "").split(",") if p and p != name]
    monkeypatch.setenv("XIAOQI_DISABLE_PLUGINS", ",".join(others if loaded else [*others, name]))
    plugins.set_plugin_manager(None)
