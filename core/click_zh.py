"""Chinese for click's own words: usage errors ("No such option"), help headings ("Usage:",
"Options"), option notes ("[required]"). Users read Chinese first; without this, a mistyped option
is the one message of the CLI they would read in English.

click writes these words in English (it marks them for gettext but ships no catalogue). Nothing
here changes click: ``localize`` turns a finished English text of click's into Chinese by matching
it against click's message ids (``"No such option {name!r}."`` matches ``No such option '--x'.``),
and only xiaoqi's own command classes (``xiaoqi.core.clikit``) call it — when they write a help page
or show an error. Any other click program in the same process keeps click's English.
A text the table does not know (say, from a newer click) is shown as it is.
"""

from __future__ import annotations

import functools
import re
import string

from .i18n import get_lang

#: click's message ids, exactly as in its source (``tests/cli/test_cli_language.py`` checks they
#: still are), and their Chinese; a plural message has an entry for each form
ZH: dict[str, str] = {
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Usage:": "用法：",
    "deprecated": "已弃用",
    "required": "必填",
    "(dynamic)": "（动态）",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "Value must be an iterable.": "值必须是一组值。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Missing argument {param_hint}.": "缺少参数 {param_hint}。",
    "Missing argument {param_hint}. {message}": "缺少参数 {param_hint}。{message}",
    "Missing option {param_hint}.": "缺少选项 {param_hint}。",
    "Missing option {param_hint}. {message}": "缺少选项 {param_hint}。{message}",
    "Missing parameter {param_hint}.": "缺少参数 {param_hint}。",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "unknown error": "未知错误",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename}：{message}",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such option {name!r}. Did you mean {possibility}?": "没有选项 {name}。您是否想用：{possibility}？",
    "No such option {name!r}. (Did you mean one of: {possibilities}?)": "没有选项 {name}。您是否想用：{possibilities}？",
    "No such command {name!r}.": "没有命令 {name}。",
    "No such command {name!r}. Did you mean {possibility}?": "没有命令 {name}。您是否想用：{possibility}？",
    "No such command {name!r}. (Did you mean one of: {possibilities}?)": "没有命令 {name}。您是否想用：{possibilities}？",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，实际给了 {len} 个。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Press any key to continue...": "按任意键继续…",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的值不一致。",
    "Error: invalid input": "错误：输入无效",
    "File": "文件",
    "Directory": "目录",
    "Path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value} 不是有效的是/否值。可用：{states}",
    "{value!r} is not a valid {number_type}.": "{value} 不是有效的{number_type}。",
    "integer": "整数",
    "integer range": "整数",
    "float": "数",
    "float range": "数",
    "{value!r} is not a valid UUID.": "{value} 不是有效的 UUID。",
    "{name} {filename!r} is a file.": "{name} {filename} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename} 是目录。",
    "{name} {filename!r} is not readable.": "{name} {filename} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename} 不可执行。",
    "{name} {filename!r} does not exist.": "{name} {filename} 不存在。",
    "{value!r} is not {choice}.": "{value} 不是可选值，应为：{choice}。",
    "{value!r} is not one of {choices}.": "{value} 不是可选值，应为：{choices}。",
    "{value!r} does not match the format {format}.": "{value} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value} 不符合格式 {formats}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，实际给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，实际给了 {len_value} 个。",
}

def localize(text: str, lang: str | None = None) -> str:
    """``text`` (a message click wrote in English) in the current language."""
    if (lang or get_lang()) != "zh":
        return text
    return _zh(text)


def _zh(text: str) -> str:
    if text in ZH:
        return ZH[text]
    for pattern, template in _patterns():
        match = pattern.match(text)
        if match:
            # the pieces a message was made of may be click's words themselves ("Path", a nested message)
            return template.format(**{name: _zh(value) for name, value in match.groupdict().items()})
    return text


@functools.cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    """A regular expression per message id with fields, the longest literal text first (so
    "No such option 'x'. Did you mean ...?" is not read as a plain "No such option")."""
    out = []
    for message, template in ZH.items():
        parts, literal, seen = [], 0, set()
        for text, field, _spec, _conversion in string.Formatter().parse(message):
            parts.append(re.escape(text))
            literal += len(text)
            if field is not None:
                parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.+?)")
                seen.add(field)
        if seen:
            out.append((literal, re.compile("".join(parts) + r"\Z", re.S), template))
    out.sort(key=lambda item: -item[0])
    return [(pattern, template) for _literal, pattern, template in out]
