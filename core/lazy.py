"""A module imported when one of its attributes is first read.

``sa = lazy_module("sqlalchemy")`` at the top of a module that declares things (record kinds, access
rules) and uses SQLAlchemy only in its functions: importing it imports no SQLAlchemy, so listing the
kinds (a command's ``--help``) stays short; the first ``sa.select`` imports it."""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    def __init__(self, name: str, namespace: dict | None = None, as_name: str | None = None):
        self._name = name
        self._module: ModuleType | None = None
        self._namespace, self._as = namespace, as_name

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
            if self._namespace is not None:
                self._namespace[self._as] = self._module  # later reads find the module itself
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str, namespace: dict | None = None, as_name: str | None = None) -> LazyModule:
    """``name``, imported by the first attribute read. With ``namespace`` (the caller's
    ``globals()``) and ``as_name`` (the global it is bound to), the first read puts the module itself
    there: a function called a million times (an import's validation) pays no indirection after it."""
    return LazyModule(name, namespace, as_name)
