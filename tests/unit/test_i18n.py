"""Every message exists in Chinese and English with the same placeholders."""

import importlib
import pkgutil

import xiaoqi.core
import xiaoqi.plugins
from xiaoqi.core.i18n import MESSAGES, placeholders, t


def _import_all(package) -> None:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name or info.name.endswith((".screens", ".widgets")):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:  # a plugin module that needs the TUI is checked by the TUI tests
            if "textual" not in str(exc):
                raise


def test_every_message_has_both_languages_with_the_same_placeholders():
    _import_all(xiaoqi.core)
    _import_all(xiaoqi.plugins)
    assert len(MESSAGES) > 50
    for key, texts in MESSAGES.items():
        assert texts["zh"].strip() and texts["en"].strip(), key
        assert placeholders(texts["zh"]) == placeholders(texts["en"]), key
        assert texts["zh"] != texts["en"] or not any("\u4e00" <= ch <= "\u9fff" for ch in texts["zh"]), key


def test_lang_switch():
    assert t("err.invalid") == "数据有误："
    assert t("err.invalid", lang="en") == "Invalid data:"
