"""The registry core: models, database, services, rule engine, import/export, hookspecs, CLI.

Plugins write ``from xiaoqi.core import hookimpl``.
"""

from .hookspecs import hookimpl

__all__ = ["hookimpl"]
