"""xiaoqi (校企): school–enterprise cooperation registry for Chinese vocational education.

The installed namespace maps the project's layout: ``xiaoqi.core`` is ``core/``,
``xiaoqi.plugins`` is ``plugins/`` and ``xiaoqi.tui`` is ``tui/``.
"""


def __getattr__(name: str):
    # the installed version, read by its first use: importlib.metadata is a tenth of a short command
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("xiaoqi")
    except PackageNotFoundError:  # running from a source tree that was never installed
        value = "0.0.0"
    globals()["__version__"] = value
    return value
