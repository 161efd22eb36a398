"""xiaoqi (校企): school–enterprise cooperation registry for Chinese vocational education.

The installed namespace maps the project's layout: ``xiaoqi.core`` is ``core/``,
``xiaoqi.plugins`` is ``plugins/`` and ``xiaoqi.tui`` is ``tui/``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xiaoqi")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
