"""A module imported when one of its attributes is first read.

``sa = lazy_module("sqlalchemy")`` at the top of a module that declares things (record kinds, access
rules) and uses SQLAlchemy only in its functions: importing it imports no SQLAlchemy, so listing the
kinds (a command's ``--help``) stays short; the first ``sa.select`` imports it."""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
