"""Messages in Chinese (the default) and English.

Each module keeps its own catalogue and registers it with ``catalogue(...)``; ``t(key, **params)``
formats a message in the current language (set once by the CLI's ``--lang`` or the TUI).
tests/unit/test_i18n.py fails when a key lacks either language or their placeholders differ.
"""

from __future__ import annotations

import contextvars
import os
import string

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

_current = contextvars.ContextVar("xiaoqi_lang", default=None)
MESSAGES: dict[str, dict[str, str]] = {}


def catalogue(messages: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Register ``{key: (zh, en)}`` messages; returns the dict so a module can keep it."""
    for key, (zh, en) in messages.items():
        if key in MESSAGES and MESSAGES[key] != {"zh": zh, "en": en}:
            raise ValueError(f"message key {key!r} registered twice with different texts")
        MESSAGES[key] = {"zh": zh, "en": en}
    return messages


def get_lang() -> str:
    lang = _current.get() or os.environ.get("XIAOQI_LANG") or DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def set_lang(lang: str | None):
    """Set the language for this context; returns a token for ``reset_lang``."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return _current.set(lang)


def reset_lang(token) -> None:
    _current.reset(token)


def t(key: str, /, lang: str | None = None, **params) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``params``."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key if not params else f"{key} {params}"
    text = entry[lang or get_lang()]
    return text.format(**params) if params else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def both(zh: str, en: str, lang: str | None = None) -> str:
    """Pick one of two inline texts (for labels that live in data, such as column headers)."""
    return zh if (lang or get_lang()) == "zh" else en


def display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` terminal columns (str.format counts characters)."""
    gap = max(0, width - display_width(text))
    return text + " " * gap if align == "<" else " " * gap + text
