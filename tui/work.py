"""Database work off the UI thread, and the one handler of its errors.

``db_work`` makes a method of a screen or widget a Textual thread worker that speaks the app's
language: thread workers run in an executor, where the language set by ``--lang`` (a context
variable) is not inherited, and the services' messages (validation errors, refusals) must come
back in the user's language. An exception the method does not handle itself goes to
``show_error`` — the one handler: a notification with ``error_text`` — and the app goes on. Each
worker opens its own Session (``read_session`` / ``write_session``): one per unit of work, never
shared across threads.
"""

from __future__ import annotations

import functools
import sqlite3
import sys
from typing import Callable

from textual import work

from xiaoqi.core.errors import XiaoqiError
from xiaoqi.core.i18n import reset_lang, set_lang, t


def db_work(*, group: str, exclusive: bool = True) -> Callable:
    """Run the decorated method as a thread worker in ``group`` (``exclusive``: a new call cancels
    the running one), in the app's language, its unhandled errors shown by ``show_error``."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def in_language(self, *args, **kwargs):
            token = set_lang(getattr(self.app, "lang", None))
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # shown, never a crash of the app
                self.app.call_from_thread(show_error, self, exc)
            finally:
                reset_lang(token)

        return work(thread=True, exclusive=exclusive, group=group)(in_language)

    return decorate


def show_error(node, exc: BaseException) -> None:
    """Tell the user about a failed query or write, from the screen or widget ``node`` that did it."""
    node.notify(error_text(exc), severity="error", timeout=8)


def error_text(exc: BaseException) -> str:
    """What the user reads about a failed query or write: the translated message of a xiaoqi
    error, the driver's own words for a database error, never a traceback."""
    if isinstance(exc, XiaoqiError):
        return str(exc)
    sa = sys.modules.get("sqlalchemy")  # not imported yet: the error is none of its
    if sa is not None and isinstance(exc, sa.exc.DBAPIError):
        return t("tui.error.database", reason=str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
    if isinstance(exc, sqlite3.Error):  # a page read with sqlite3 (xiaoqi.core.lean): the same words
        return t("tui.error.database", reason=str(exc).strip().splitlines()[0])
    return t("tui.error.unexpected", reason=f"{type(exc).__name__}: {exc}")
