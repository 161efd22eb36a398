"""Chinese for click's own words: usage errors ("No such option"), help headings ("Usage:",
"Options"), prompts. Users read Chinese first; without this, a mistyped option is the one message
of the CLI they would read in English.

click marks its messages for gettext (``_("No such option {name!r}.")``, ``ngettext`` for plurals)
but ships no translations, and gettext finds catalogues only as compiled files on disk. ``install``
gives click's modules a ``_`` and ``ngettext`` that answer from the table below in Chinese and
leave the message as it is in English (or for a message the table does not know, say from a newer
click): the same message ids, looked up at the moment the message is made, so ``--lang`` applies.
``--version`` keeps click's "xiaoqi, version X" (scripts read it).
"""

from __future__ import annotations

import importlib

from .i18n import get_lang

#: click's message ids (exactly as in its source) and their Chinese
ZH: dict[str, str] = {
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Usage:": "用法：",
    "deprecated": "已弃用",
    "(dynamic)": "（动态）",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "Value must be an iterable.": "值必须是一组值。",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提示：命令 {name!r} 已弃用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "提示：{param_type} {name!r} 已弃用。{extra_message}",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "unknown error": "未知错误",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Press any key to continue...": "按任意键继续…",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的值不一致。",
    "Error: invalid input": "错误：输入无效",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值。可用：{states}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数（{number_type}）。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
}

#: plural messages, by their singular id (Chinese has one form)
ZH_PLURAL: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 {len} 个。",
    "Did you mean {possibility}?": "您是否想用：{possibilities}？",
    "{value!r} is not {choice}.": "{value!r} 不是可选值，应为：{choices}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {formats}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，实际给了 {len_value} 个。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要 {nargs} 个值。",
}

#: click's modules that translate their messages
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


def gettext(message: str) -> str:
    return ZH.get(message, message) if get_lang() == "zh" else message


def ngettext(singular: str, plural: str, n: int) -> str:
    if get_lang() == "zh" and singular in ZH_PLURAL:
        return ZH_PLURAL[singular]
    return singular if n == 1 else plural


def install() -> None:
    """Give click's modules these two functions (once per process; harmless again)."""
    for name in MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a click without this module: its messages stay as they are
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
