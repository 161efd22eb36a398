"""Database work off the UI thread.

``db_work`` makes a method a Textual thread worker that speaks the app's language: thread workers
run in an executor, where the language set by ``--lang`` (a context variable) is not inherited,
and the services' messages (validation errors, refusals) must come back in the user's language.
Each worker opens its own Session (``read_session`` / ``write_session``): one per unit of work,
never shared across threads.
"""

from __future__ import annotations

import functools
from typing import Callable

import sqlalchemy as sa
from textual import work

from xiaoqi.core.errors import XiaoqiError
from xiaoqi.core.i18n import reset_lang, set_lang, t


def db_work(*, group: str, exclusive: bool = True) -> Callable:
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def in_language(self, *args, **kwargs):
            token = set_lang(getattr(self.app, "lang", None))
            try:
                return method(self, *args, **kwargs)
            finally:
                reset_lang(token)

        return work(thread=True, exclusive=exclusive, group=group)(in_language)

    return decorate


def error_text(exc: BaseException) -> str:
    """What the user reads about a failed query or write: the translated message of a xiaoqi
    error, the driver's own words for a database error, never a traceback."""
    if isinstance(exc, XiaoqiError):
        return str(exc)
    if isinstance(exc, sa.exc.DBAPIError):
        return t("tui.error.database", reason=str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
    return t("tui.error.unexpected", reason=f"{type(exc).__name__}: {exc}")
